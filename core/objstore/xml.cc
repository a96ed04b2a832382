#include "core/objstore/xml.h"

#include <cstdint>

namespace tidemark::objstore {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view doc, std::string_view what) : doc_(doc), what_(what) {}

  Result<XmlElement> Document() {
    if (auto s = SkipMisc(); !s) return std::unexpected(s.error());
    if (pos_ >= doc_.size() || doc_[pos_] != '<') return Fail("expected a root element");
    XmlElement root;
    if (auto s = Element(root, 0); !s) return std::unexpected(s.error());
    if (auto s = SkipMisc(); !s) return std::unexpected(s.error());
    if (pos_ != doc_.size()) return Fail("expected the end of the document after the root element");
    return root;
  }

 private:
  std::unexpected<Error> Fail(std::string message) {
    return MakeError(ErrorCode::kCorrupt, std::move(message), static_cast<int64_t>(pos_),
                     std::string(what_));
  }

  bool StartsWith(std::string_view s) const { return doc_.substr(pos_).starts_with(s); }

  void SkipSpace() {
    while (pos_ < doc_.size() &&
           (doc_[pos_] == ' ' || doc_[pos_] == '\t' || doc_[pos_] == '\n' || doc_[pos_] == '\r'))
      ++pos_;
  }

  Status SkipPast(std::string_view end, std::string_view construct) {
    size_t at = doc_.find(end, pos_);
    if (at == std::string_view::npos) return Fail("unterminated " + std::string(construct));
    pos_ = at + end.size();
    return {};
  }

  // Whitespace, comments, processing instructions (the XML declaration) between elements.
  Status SkipMisc() {
    for (;;) {
      SkipSpace();
      if (StartsWith("<?")) {
        if (auto s = SkipPast("?>", "processing instruction"); !s) return s;
      } else if (StartsWith("<!--")) {
        if (auto s = SkipPast("-->", "comment"); !s) return s;
      } else if (StartsWith("<!")) {
        return Fail("a DTD or declaration is not accepted in an S3 response");
      } else {
        return {};
      }
    }
  }

  static bool NameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
  }

  Result<std::string> Name() {
    size_t start = pos_;
    while (pos_ < doc_.size() && NameChar(doc_[pos_])) ++pos_;
    if (pos_ == start) return Fail("expected an element name");
    return std::string(doc_.substr(start, pos_ - start));
  }

  static std::string LocalName(const std::string& name) {
    size_t colon = name.rfind(':');
    return colon == std::string::npos ? name : name.substr(colon + 1);
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Status Entity(std::string& out) {
    size_t semi = doc_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return Fail("unterminated entity");
    std::string_view name = doc_.substr(pos_ + 1, semi - pos_ - 1);
    if (name == "amp") out += '&';
    else if (name == "lt") out += '<';
    else if (name == "gt") out += '>';
    else if (name == "quot") out += '"';
    else if (name == "apos") out += '\'';
    else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x';
      std::string_view digits = name.substr(hex ? 2 : 1);
      if (digits.empty()) return Fail("empty character reference");
      uint32_t cp = 0;
      for (char c : digits) {
        int d = c >= '0' && c <= '9'   ? c - '0'
                : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                              : -1;
        if (d < 0) return Fail("bad digit in a character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
        if (cp > 0x10FFFF) return Fail("character reference beyond U+10FFFF");
      }
      AppendUtf8(out, cp);
    } else {
      return Fail("unknown entity &" + std::string(name) + "; (only the predefined five)");
    }
    pos_ = semi + 1;
    return {};
  }

  // Skips attributes up to '>' or '/>'; S3's responses carry only xmlns attributes.
  Result<bool> SkipAttributes() {
    char quote = 0;
    for (; pos_ < doc_.size(); ++pos_) {
      char c = doc_[pos_];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        ++pos_;
        return false;
      } else if (c == '/' && pos_ + 1 < doc_.size() && doc_[pos_ + 1] == '>') {
        pos_ += 2;
        return true;
      }
    }
    return Fail("unterminated start tag");
  }

  Status Element(XmlElement& element, int depth) {
    if (depth >= kMaxDepth) return Fail("elements nested deeper than 64");
    ++pos_;  // '<'
    auto name = Name();
    if (!name) return std::unexpected(name.error());
    element.name = LocalName(*name);
    auto empty = SkipAttributes();
    if (!empty) return std::unexpected(empty.error());
    if (*empty) return {};
    for (;;) {
      if (pos_ >= doc_.size()) return Fail("unterminated element <" + *name + ">");
      char c = doc_[pos_];
      if (c == '&') {
        if (auto s = Entity(element.text); !s) return s;
      } else if (c != '<') {
        element.text += c;
        ++pos_;
      } else if (StartsWith("</")) {
        pos_ += 2;
        auto end = Name();
        if (!end) return std::unexpected(end.error());
        if (*end != *name) return Fail("expected </" + *name + ">, found </" + *end + ">");
        SkipSpace();
        if (pos_ >= doc_.size() || doc_[pos_] != '>') return Fail("expected '>' after </" + *end);
        ++pos_;
        return {};
      } else if (StartsWith("<![CDATA[")) {
        size_t at = doc_.find("]]>", pos_ + 9);
        if (at == std::string_view::npos) return Fail("unterminated CDATA section");
        element.text.append(doc_.substr(pos_ + 9, at - pos_ - 9));
        pos_ = at + 3;
      } else if (StartsWith("<!--")) {
        if (auto s = SkipPast("-->", "comment"); !s) return s;
      } else if (StartsWith("<?")) {
        if (auto s = SkipPast("?>", "processing instruction"); !s) return s;
      } else if (StartsWith("<!")) {
        return Fail("a declaration is not accepted inside an element");
      } else {
        element.children.emplace_back();
        if (auto s = Element(element.children.back(), depth + 1); !s) return s;
      }
    }
  }

  std::string_view doc_;
  std::string_view what_;
  size_t pos_ = 0;
};

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const auto& c : children)
    if (c.name == child_name) return &c;
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child_name, std::string_view fallback) const {
  const XmlElement* c = Child(child_name);
  return c ? c->text : std::string(fallback);
}

Result<XmlElement> ParseXml(std::string_view document, std::string_view what) {
  return Parser(document, what).Document();
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace tidemark::objstore
