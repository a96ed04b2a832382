// The text screen of `kubectl tidemark status NAME`, drawn from the view document
// (resource_view.h), in the manner of `kubectl cnpg status`: policy in force, pods, backups
// (newest first), last backup / restore / request, the drill record when the operator writes
// one, conditions with reasons. Pure.
#pragma once

#include <string>

#include "kubectl-plugin/output.h"
#include "operator/reconcile/json.h"

namespace tidemark::kubectl {

std::string StatusScreen(const reconcile::Json& view, const Paint& paint);

// The backups table alone (also the `backups` command's screen).
std::string BackupsScreen(const reconcile::Json& backups, const Paint& paint);

}  // namespace tidemark::kubectl
