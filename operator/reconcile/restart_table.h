// Which spec changes restart Redis, and which reach the running pods without a restart: the one
// table (docs/operator.md prints it), and the config hash computed from it.
//
// Every spec field has one row. The effects:
//   kLive     the sidecar applies it to the running Redis with CONFIG SET (it re-reads the
//             ConfigMap's persistence.conf), or it is part of the sidecar policy (policy.json)
//             which the sidecar re-reads, or the restore step reads it at the next pod start.
//             The pod template does not change; nothing restarts.
//   kRestart  Redis (or the pod) cannot take it while running: the value is part of the
//             `tidemark.dev/config-hash` pod-template annotation (and usually of the template
//             itself), so a change rolls the pods one at a time.
//   kScale    the StatefulSet's replica count; existing pods keep running.
//   kVolume   the claims: a larger size is a PVC expansion (the StatefulSet's claim templates
//             are immutable); a new claim template (class, access modes) re-creates the
//             StatefulSet with its pods orphaned, and applies to claims created afterwards.
// Pure, thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/policy/model.h"
#include "operator/reconcile/names.h"

namespace tidemark::reconcile {

enum class ChangeEffect { kLive, kRestart, kScale, kVolume };
std::string_view ChangeEffectName(ChangeEffect effect);  // "live", "restart", "scale", "volume"

struct SettingRule {
  std::string_view field;  // "spec.rdb.fileName"; "operator.sidecarImage" for operator flags
  ChangeEffect effect;
  std::string_view how;    // how a change reaches the pods, and why this effect
  // The setting's value as text; the config hash covers the kRestart rows' values.
  std::string (*value)(const policy::RedisPersistence&, const RenderOptions&);
};

// Every row, in documentation order.
std::span<const SettingRule> SettingRules();

// The row for `field`, or nullptr.
const SettingRule* FindSettingRule(std::string_view field);

// 16 hex digits over the kRestart rows (field=value lines). Precondition: a valid, defaulted spec.
std::string ConfigHash(const policy::RedisPersistence& resource, const RenderOptions& options);

// The markdown table of docs/operator.md (field | effect | how), generated from SettingRules().
std::string SettingRulesMarkdown();

}  // namespace tidemark::reconcile
