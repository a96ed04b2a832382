#include "core/aof/manifest.h"

#include <cctype>
#include <charconv>
#include <set>

#include "core/aof/aof_format.h"

namespace tidemark::aof {

namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Splits a line into tokens with the rules of Redis's sdssplitargs: bare words, "double quoted"
// with C escapes, 'single quoted' with only \' escaped; a closing quote must be followed by a
// space or the end of the line.
Result<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size()) return out;
    std::string tok;
    if (line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return MakeError(ErrorCode::kCorrupt, "unterminated double quote");
        char c = line[i];
        if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && IsHex(line[i + 2]) &&
            IsHex(line[i + 3])) {
          tok += static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3]));
          i += 4;
        } else if (c == '\\' && i + 1 < line.size()) {
          char e = line[i + 1];
          switch (e) {
            case 'n': tok += '\n'; break;
            case 'r': tok += '\r'; break;
            case 't': tok += '\t'; break;
            case 'b': tok += '\b'; break;
            case 'a': tok += '\a'; break;
            default: tok += e; break;
          }
          i += 2;
        } else if (c == '"') {
          ++i;
          if (i < line.size() && !IsSpace(line[i]))
            return MakeError(ErrorCode::kCorrupt, "closing quote must be followed by a space");
          break;
        } else {
          tok += c;
          ++i;
        }
      }
    } else if (line[i] == '\'') {
      ++i;
      for (;;) {
        if (i >= line.size()) return MakeError(ErrorCode::kCorrupt, "unterminated single quote");
        char c = line[i];
        if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          tok += '\'';
          i += 2;
        } else if (c == '\'') {
          ++i;
          if (i < line.size() && !IsSpace(line[i]))
            return MakeError(ErrorCode::kCorrupt, "closing quote must be followed by a space");
          break;
        } else {
          tok += c;
          ++i;
        }
      }
    } else {
      while (i < line.size() && !IsSpace(line[i]) && line[i] != '"' && line[i] != '\'')
        tok += line[i++];
      if (i < line.size() && (line[i] == '"' || line[i] == '\''))
        return MakeError(ErrorCode::kCorrupt, "quote inside a bare word");
    }
    out.push_back(std::move(tok));
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool NeedsQuoting(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"' || c == '\'' || !std::isprint(u) || std::isspace(u)) return true;
  }
  return s.empty();
}

}  // namespace

bool IsPlainFileName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name)
    if (c == '/' || c == '\\' || c == '\0') return false;
  return true;
}

std::vector<const ManifestEntry*> Manifest::LoadOrder() const {
  std::vector<const ManifestEntry*> out;
  if (base) out.push_back(&*base);
  for (const auto& e : incrs) out.push_back(&e);
  return out;
}

std::string FormatManifestLine(const ManifestEntry& entry) {
  std::string name;
  if (!NeedsQuoting(entry.name)) {
    name = entry.name;
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    name = "\"";
    for (char c : entry.name) {
      auto u = static_cast<unsigned char>(c);
      switch (c) {
        case '\\': name += "\\\\"; break;
        case '"': name += "\\\""; break;
        case '\n': name += "\\n"; break;
        case '\r': name += "\\r"; break;
        case '\t': name += "\\t"; break;
        case '\a': name += "\\a"; break;
        case '\b': name += "\\b"; break;
        default:
          if (std::isprint(u)) {
            name += c;
          } else {
            name += "\\x";
            name += kHex[u >> 4];
            name += kHex[u & 15];
          }
      }
    }
    name += '"';
  }
  char type = entry.type == ManifestFileType::kBase   ? kTypeBase
              : entry.type == ManifestFileType::kIncr ? kTypeIncr
                                                      : kTypeHistory;
  return std::string(kKeyFile) + " " + name + " " + std::string(kKeySeq) + " " +
         std::to_string(entry.seq) + " " + std::string(kKeyType) + " " + type + "\n";
}

Result<Manifest> ParseManifest(std::string_view text, const std::string& where) {
  Manifest m;
  std::set<std::string> names;
  uint64_t max_incr_seq = 0;
  size_t pos = 0;
  int line_no = 0;
  int entries = 0;
  while (pos < text.size()) {
    const size_t line_start = pos;
    ++line_no;
    size_t nl = text.find('\n', pos);
    auto fail = [&](std::string what) {
      return MakeError(ErrorCode::kCorrupt, "line " + std::to_string(line_no) + ": " + what,
                       static_cast<int64_t>(line_start), where);
    };
    if (nl == std::string_view::npos)
      return fail("expected a line ending with '\\n' (Redis refuses a manifest whose last line "
                  "has no newline)");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() + 1 > kManifestMaxLine)
      return fail("line is " + std::to_string(line.size() + 1) + " bytes, expected at most " +
                  std::to_string(kManifestMaxLine));
    if (!line.empty() && line[0] == kManifestComment) continue;
    if (line.find('\0') != std::string_view::npos) return fail("unexpected NUL byte");
    auto tokens = SplitArgs(line);
    if (!tokens) return fail(tokens.error().message);
    if (tokens->empty()) return fail("empty line, expected 'file <name> seq <n> type <b|i|h>'");
    if (tokens->size() < 6 || tokens->size() % 2 != 0)
      return fail("expected key/value pairs 'file <name> seq <n> type <b|i|h>', found " +
                  std::to_string(tokens->size()) + " tokens");
    std::optional<std::string> name, seq, type;
    for (size_t i = 0; i < tokens->size(); i += 2) {
      const std::string& key = (*tokens)[i];
      const std::string& value = (*tokens)[i + 1];
      std::optional<std::string>* slot = EqualsIgnoreCase(key, kKeyFile)  ? &name
                                         : EqualsIgnoreCase(key, kKeySeq) ? &seq
                                         : EqualsIgnoreCase(key, kKeyType) ? &type
                                                                            : nullptr;
      if (!slot) continue;  // unknown keys: forward compatibility, as Redis does
      if (slot->has_value()) return fail("key '" + key + "' appears twice");
      *slot = value;
    }
    if (!name) return fail("missing 'file <name>'");
    if (!seq) return fail("missing 'seq <n>'");
    if (!type) return fail("missing 'type <b|i|h>'");
    if (!IsPlainFileName(*name))
      return fail("file name '" + *name +
                  "' is not a plain file name inside the AOF directory (no '/', '\\', '.' or "
                  "'..')");
    if (seq->empty() || seq->size() > 19 || seq->find_first_not_of("0123456789") != std::string::npos)
      return fail("seq '" + *seq + "': expected a positive decimal number");
    uint64_t seq_value = 0;
    std::from_chars(seq->data(), seq->data() + seq->size(), seq_value);
    if (seq_value == 0) return fail("seq 0: expected a positive decimal number");
    if (type->size() != 1 ||
        ((*type)[0] != kTypeBase && (*type)[0] != kTypeIncr && (*type)[0] != kTypeHistory))
      return fail("type '" + *type + "': expected 'b' (base), 'i' (incremental) or 'h' (history)");
    if (!names.insert(*name).second) return fail("file '" + *name + "' is listed twice");
    ManifestEntry entry{*name, seq_value, ManifestFileType::kBase, line_no, line_start};
    ++entries;
    switch ((*type)[0]) {
      case kTypeBase:
        if (m.base)
          return fail("a second base file '" + *name + "' (the first is '" + m.base->name +
                      "' on line " + std::to_string(m.base->line) + ")");
        m.base = std::move(entry);
        break;
      case kTypeIncr:
        if (seq_value <= max_incr_seq)
          return fail("incremental file seq " + std::to_string(seq_value) +
                      ", expected greater than " + std::to_string(max_incr_seq) +
                      " (incremental files must have increasing seq)");
        max_incr_seq = seq_value;
        entry.type = ManifestFileType::kIncr;
        m.incrs.push_back(std::move(entry));
        break;
      default:
        entry.type = ManifestFileType::kHistory;
        m.history.push_back(std::move(entry));
        break;
    }
  }
  if (entries == 0)
    return MakeError(ErrorCode::kCorrupt,
                     "empty manifest: expected at least one 'file ... type b|i' line (Redis "
                     "would start with an empty dataset)",
                     0, where);
  if (!m.base && m.incrs.empty())
    return MakeError(ErrorCode::kCorrupt,
                     "the manifest lists only history files: nothing to load (Redis would start "
                     "with an empty dataset)",
                     0, where);
  return m;
}

}  // namespace tidemark::aof
