// A small XML reader for S3's response bodies: elements, attributes skipped, character data with
// the five predefined entities and numeric character references, CDATA, comments and the XML
// declaration. No DTDs (refused, so no entity expansion), no namespaces beyond dropping a
// "prefix:" from names. Enough for ListObjectsV2, multipart and Error documents; not a general
// XML parser. Errors name the byte offset and what was expected.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace tidemark::objstore {

struct XmlElement {
  std::string name;  // local name, without a namespace prefix
  std::string text;  // the element's own character data, entities decoded
  std::vector<XmlElement> children;

  // The first child with this name, or nullptr.
  const XmlElement* Child(std::string_view child_name) const;
  // The first child's text, or `fallback` when there is no such child.
  std::string ChildText(std::string_view child_name, std::string_view fallback = {}) const;
};

// Parses a whole document; `what` names it in errors ("ListObjectsV2 response").
// Nesting deeper than 64 elements is refused (S3 documents are at most 4 deep).
Result<XmlElement> ParseXml(std::string_view document, std::string_view what);

// Escapes &, <, >, " and ' for element text (CompleteMultipartUpload's body).
std::string XmlEscape(std::string_view text);

}  // namespace tidemark::objstore
