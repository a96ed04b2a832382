// `status [NAME]` and `backups NAME`.
#include <cstdio>

#include "kubectl-plugin/commands.h"
#include "kubectl-plugin/output.h"
#include "kubectl-plugin/resource_view.h"
#include "kubectl-plugin/status_screen.h"

namespace tidemark::kubectl {

using reconcile::Json;

std::expected<std::string, Outcome> OneName(const Options& options) {
  if (options.positional.size() != 1)
    return std::unexpected(
        Fail(kExitUsage, options.command + " needs exactly one NAME (a RedisPersistence)"));
  return options.positional[0];
}

Outcome RunStatus(const Options& options, Connection& c) {
  if (options.positional.size() > 1) return Fail(kExitUsage, "status takes at most one NAME");
  const bool color = UseColor(options.color, 1);
  std::vector<std::pair<std::string, std::string>> targets;  // namespace, name
  if (options.positional.size() == 1) {
    targets.push_back({c.namespace_, options.positional[0]});
  } else {
    const std::string ns = options.all_namespaces ? "" : c.namespace_;
    auto list = kube::ListAll(*c.client, kube::resources::RedisPersistences(), ns, {});
    if (!list)
      return FromKubeError(list.error(), "list redispersistences.tidemark.dev" +
                                             (ns.empty() ? " in all namespaces" : " in " + ns));
    for (const auto& item : list->items) targets.push_back({item.namespace_, item.name});
    if (targets.empty() && options.output == OutputFormat::kText) {
      std::fprintf(stderr, "No RedisPersistence resources found%s.\n",
                   ns.empty() ? "" : (" in namespace " + ns).c_str());
    }
  }
  std::vector<Json> views;
  for (const auto& [ns, name] : targets) {
    auto view = GatherView(*c.client, ns, name);
    if (!view) return view.error();
    if (options.output == OutputFormat::kText) {
      if (!views.empty()) std::fputs("\n---\n\n", stdout);
      std::fputs(StatusScreen(*view, Paint(color)).c_str(), stdout);
    }
    views.push_back(*view);
  }
  if (options.output != OutputFormat::kText) {
    Json doc = options.positional.size() == 1 ? views.front()
                                              : reconcile::Obj({{"items", reconcile::Arr(views)}});
    std::fputs(Render(doc, options.output).c_str(), stdout);
  }
  return Ok();
}

Outcome RunBackups(const Options& options, Connection& c) {
  auto name = OneName(options);
  if (!name) return name.error();
  auto target = LoadTarget(*c.client, c.namespace_, *name);
  if (!target) return target.error();
  SidecarApi api(*c.client, c.namespace_);
  auto backups = BackupsView(api, *name, target->pods);
  if (!backups) return backups.error();
  if (options.output == OutputFormat::kText)
    std::fputs(BackupsScreen(*backups, Paint(UseColor(options.color, 1))).c_str(), stdout);
  else
    std::fputs(Render(*backups, options.output).c_str(), stdout);
  return Ok();
}

}  // namespace tidemark::kubectl
