// Which RDB file versions a Redis release reads: the newest version each release writes is the
// newest it loads (6.x: 9, 7.0: 10, 7.2: 11, 7.4 and 8.0: 12). Used to refuse, with both versions
// named, a snapshot a server cannot load before it is tried. Pure.
#pragma once

#include <optional>
#include <string_view>

namespace tidemark::backup {

// `version` as Redis prints it ("7.0.15", "7.4", "8.0.2"); nullopt for releases not in the table
// (older than 6, or newer than this code knows) or text that is not a version.
std::optional<int> MaxRdbVersionForRedis(std::string_view version);

}  // namespace tidemark::backup
