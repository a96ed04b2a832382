#include "sidecar/manifest_rebuild.h"

#include <charconv>
#include <optional>

#include "core/aof/manifest.h"

namespace tidemark::sidecar {

namespace {

struct Part {
  std::string name;
  uint64_t seq = 0;
  bool base = false;
};

// "<prefix>.<seq>.base.rdb" | ".base.aof" | ".incr.aof" with a positive decimal seq.
std::optional<Part> ParsePart(const std::string& name, const std::string& prefix) {
  if (!name.starts_with(prefix + ".")) return std::nullopt;
  std::string_view rest = std::string_view(name).substr(prefix.size() + 1);
  Part p{name, 0, false};
  std::string_view kind;
  for (std::string_view suffix : {".base.rdb", ".base.aof", ".incr.aof"}) {
    if (rest.ends_with(suffix)) {
      kind = suffix;
      break;
    }
  }
  if (kind.empty()) return std::nullopt;
  std::string_view digits = rest.substr(0, rest.size() - kind.size());
  if (digits.empty() || digits[0] == '0') return std::nullopt;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p.seq);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  p.base = kind.starts_with(".base");
  return p;
}

bool LooksLikeAnyPart(const std::string& name) {
  for (std::string_view suffix : {".base.rdb", ".base.aof", ".incr.aof"})
    if (name.ends_with(suffix)) return true;
  return false;
}

std::string List(const std::vector<Part>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}

}  // namespace

Result<std::string> RebuildAofManifest(const std::vector<std::string>& names,
                                       const std::string& prefix, const std::string& where) {
  std::vector<Part> bases, incrs;
  for (const auto& n : names) {
    if (auto p = ParsePart(n, prefix)) {
      (p->base ? bases : incrs).push_back(*p);
    } else if (LooksLikeAnyPart(n)) {
      return MakeError(ErrorCode::kCorrupt,
                       "'" + n + "' looks like an AOF part but not of '" + prefix +
                           "' (appendfilename): cannot tell which AOF this directory holds; "
                           "restore the manifest by hand",
                       -1, where);
    }
  }
  if (bases.empty() && incrs.empty())
    return MakeError(ErrorCode::kNotFound, "no AOF parts of '" + prefix + "'", -1, where);
  const char* fix = "; write the manifest by hand (see docs/formats.md, AOF) or move the "
                    "directory aside to restore from a backup";
  if (bases.size() != 1)
    return MakeError(ErrorCode::kCorrupt,
                     "the manifest is missing and " +
                         (bases.empty() ? std::string("there is no base file")
                                        : "there are " + std::to_string(bases.size()) +
                                              " base files (" + List(bases) + ")") +
                         ": which files Redis should load is ambiguous" + fix,
                     -1, where);
  if (incrs.size() > 1)
    return MakeError(ErrorCode::kCorrupt,
                     "the manifest is missing and there are " + std::to_string(incrs.size()) +
                         " incremental files (" + List(incrs) +
                         "): some may be history already contained in the base" + fix,
                     -1, where);
  std::string text = aof::FormatManifestLine(
      {bases[0].name, bases[0].seq, aof::ManifestFileType::kBase, 0, 0});
  if (!incrs.empty())
    text += aof::FormatManifestLine({incrs[0].name, incrs[0].seq, aof::ManifestFileType::kIncr, 0, 0});
  return text;
}

std::string AofBaseName(const std::string& prefix) { return prefix + ".1.base.rdb"; }
std::string AofIncrName(const std::string& prefix) { return prefix + ".1.incr.aof"; }

std::string NewAofManifest(const std::string& prefix) {
  return aof::FormatManifestLine({AofBaseName(prefix), 1, aof::ManifestFileType::kBase, 0, 0}) +
         aof::FormatManifestLine({AofIncrName(prefix), 1, aof::ManifestFileType::kIncr, 0, 0});
}

}  // namespace tidemark::sidecar
