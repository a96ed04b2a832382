// Rendering verification reports for people (text) and machines (JSON via cpprestsdk).
#pragma once

#include <cpprest/json.h>

#include <string>

#include "core/base/error.h"
#include "core/rdb/rdb_verifier.h"

namespace tidemark::cli {

std::string RdbReportText(const RdbReport& report);
web::json::value RdbReportJson(const RdbReport& report);
// {"code": "corrupt", "file": ..., "offset": N, "message": ...}
web::json::value ErrorJson(const Error& error);
// The exit code a verification error maps to: kIo / kNotFound / kInvalidArgument -> 2, else 1.
int ExitCodeFor(const Error& error);

}  // namespace tidemark::cli
