#include "operator/kube/packed_object.h"

#include <liblzf/lzf.h>

#include <limits>
#include <stdexcept>

namespace tidemark::kube {

PackedObject Pack(Object object) {
  PackedObject out;
  std::string text = std::move(object.json);
  out.object = std::move(object);
  out.object.json.clear();
  if (text.size() > 16 && text.size() < std::numeric_limits<uint32_t>::max()) {
    // Only a result smaller than the text is worth keeping; lzf_compress returns 0 when the
    // output would not fit.
    std::string packed(text.size() - 1, '\0');
    const unsigned n = lzf_compress(text.data(), static_cast<unsigned>(text.size()), packed.data(),
                                    static_cast<unsigned>(packed.size()));
    if (n > 0) {
      packed.resize(n);
      packed.shrink_to_fit();
      out.packed = std::move(packed);
      out.raw_size = static_cast<uint32_t>(text.size());
      return out;
    }
  }
  out.packed = std::move(text);
  return out;
}

Object Unpack(const PackedObject& packed) {
  Object out = packed.object;
  if (packed.raw_size == 0) {
    out.json = packed.packed;
    return out;
  }
  out.json.resize(packed.raw_size);
  const unsigned n =
      lzf_decompress(packed.packed.data(), static_cast<unsigned>(packed.packed.size()),
                     out.json.data(), packed.raw_size);
  // The stream is our own, made by Pack in this process: a mismatch is memory corruption.
  if (n != packed.raw_size) throw std::logic_error("packed object " + out.name + " is damaged");
  return out;
}

}  // namespace tidemark::kube
