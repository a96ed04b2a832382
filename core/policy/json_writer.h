// A small streaming JSON writer for the documents Tidemark renders (the sidecar policy, the
// effective spec): two-space indentation, members in the order written, strings escaped per
// RFC 8259. Not thread-safe; the caller writes a well-formed sequence (Key before each member
// value inside an object); a malformed sequence is a bug and aborts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::policy {

class JsonWriter {
 public:
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();

  // The document, with a final newline once the outermost value is closed.
  const std::string& str() const { return out_; }

 private:
  struct Level {
    char close;
    bool empty = true;
    bool after_key = false;
  };
  void BeforeValue();
  void Open(char open);
  void Close(char close);
  void Newline();
  void Quote(std::string_view text);

  std::string out_;
  std::vector<Level> stack_;
};

}  // namespace tidemark::policy
