// `tidemark render -f RESOURCE.yaml [--policy | --effective]`: what a RedisPersistence means.
// Prints the redis.conf persistence fragment (default), the sidecar policy (--policy) or the
// resource with every default filled in (--effective). Exit 0 rendered, 1 the resource is
// invalid (every problem printed, one a line, with its field path), 2 usage or I/O error.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "cli/commands.h"
#include "core/policy/load.h"
#include "core/policy/render_effective_spec.h"
#include "core/policy/render_redis_conf.h"
#include "core/policy/render_sidecar_policy.h"
#include "io/file_source.h"

namespace tidemark::cli {

namespace {

constexpr const char* kRenderUsage =
    "usage: tidemark render -f RESOURCE.yaml [--policy | --effective]\n"
    "  -f FILE      a RedisPersistence manifest, YAML or JSON ('-' reads stdin)\n"
    "  --policy     print the sidecar policy (JSON) instead of the redis.conf fragment\n"
    "  --effective  print the resource with every default filled in (JSON)\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "tidemark render: %s\n%s", problem.c_str(), kRenderUsage);
  return kExitUsage;
}

}  // namespace

int RunRender(const Args& args) {
  std::string file;
  enum class Output { kRedisConf, kPolicy, kEffective } output = Output::kRedisConf;
  int outputs = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kRenderUsage, stdout);
      return kExitOk;
    } else if (a == "-f" || a == "--file") {
      if (i + 1 >= args.size()) return Usage("-f needs a file");
      file = args[++i];
    } else if (a == "--policy") {
      output = Output::kPolicy, ++outputs;
    } else if (a == "--effective") {
      output = Output::kEffective, ++outputs;
    } else {
      return Usage("unknown argument '" + a + "'");
    }
  }
  if (file.empty()) return Usage("missing -f RESOURCE.yaml");
  if (outputs > 1) return Usage("--policy and --effective exclude each other");

  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    Result<std::string> content = ReadSmallFile(file);
    if (!content) {
      std::fprintf(stderr, "tidemark render: %s\n", content.error().ToString().c_str());
      return kExitUsage;
    }
    text = std::move(*content);
  }

  policy::Checked<policy::RedisPersistence> resource = policy::LoadRedisPersistence(text);
  if (!resource) {
    std::fprintf(stderr, "tidemark render: %s: invalid RedisPersistence:\n", file.c_str());
    for (const Error& e : resource.error()) std::fprintf(stderr, "  %s\n", e.ToString().c_str());
    return kExitInvalid;
  }
  switch (output) {
    case Output::kRedisConf:
      std::fputs(policy::RenderRedisConf(*resource).c_str(), stdout);
      break;
    case Output::kPolicy:
      std::fputs(policy::RenderSidecarPolicy(*resource).c_str(), stdout);
      break;
    case Output::kEffective:
      std::fputs(policy::RenderEffectiveResource(*resource).c_str(), stdout);
      break;
  }
  return kExitOk;
}

}  // namespace tidemark::cli
