// How an informer keeps an object: its identity fields as they are, its JSON text compressed
// with LZF. The caches hold every watched object for the life of the process (at 1,000
// resources: 5,000 objects, most of the operator's memory), while a reconcile reads only a few
// at a time; LZF halves the text of these objects (their repeated keys and labels) and
// unpacking one costs microseconds. Text that does not shrink is kept as it is.
#pragma once

#include <cstdint>
#include <string>

#include "operator/kube/client.h"

namespace tidemark::kube {

struct PackedObject {
  Object object;       // everything but `json`, which is empty here
  std::string packed;  // LZF of the text, or the text itself when raw_size == 0
  uint32_t raw_size = 0;
};

PackedObject Pack(Object object);
Object Unpack(const PackedObject& packed);

}  // namespace tidemark::kube
