// Rendering AOF verification reports and cut plans for people (text) and machines (JSON).
#pragma once

#include <cpprest/json.h>

#include <string>

#include "core/aof/aof_plan.h"
#include "core/aof/aof_verifier.h"

namespace tidemark::cli {

std::string AofReportText(const aof::AofReport& report);
web::json::value AofReportJson(const aof::AofReport& report);
web::json::value AofCutPlanJson(const aof::AofCutPlan& plan);

}  // namespace tidemark::cli
