#include "core/policy/json_writer.h"

#include <cstdio>
#include <cstdlib>

namespace tidemark::policy {

void JsonWriter::Newline() {
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void JsonWriter::BeforeValue() {
  if (stack_.empty()) return;
  Level& level = stack_.back();
  if (level.close == '}') {
    if (!level.after_key) std::abort();  // a value inside an object needs a Key first
    level.after_key = false;
    return;
  }
  if (!level.empty) out_ += ',';
  level.empty = false;
  Newline();
}

void JsonWriter::Key(std::string_view key) {
  if (stack_.empty() || stack_.back().close != '}' || stack_.back().after_key) std::abort();
  Level& level = stack_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  level.after_key = true;
  Newline();
  Quote(key);
  out_ += ": ";
}

void JsonWriter::Open(char open) {
  BeforeValue();
  out_ += open;
  stack_.push_back(Level{open == '{' ? '}' : ']'});
}

void JsonWriter::Close(char close) {
  if (stack_.empty() || stack_.back().close != close || stack_.back().after_key) std::abort();
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) Newline();
  out_ += close;
  if (stack_.empty()) out_ += '\n';
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  Quote(value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

void JsonWriter::Quote(std::string_view text) {
  out_ += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out_ += buf;
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
}

}  // namespace tidemark::policy
