// Where an S3 request goes: the endpoint URL parsed once, and the host and path of a request for
// a bucket and key under path-style or virtual-hosted addressing. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/error.h"

namespace tidemark::objstore {

struct Endpoint {
  bool tls = false;
  std::string host;       // lower case, no brackets for IPv6
  uint16_t port = 0;      // 443 / 80 when the URL has none
  bool explicit_port = false;
};

// "https://host[:port][/]"; anything else (a path, a query, user info, another scheme) is an
// error naming the field.
Result<Endpoint> ParseEndpoint(std::string_view url);

// Host header value for `host` (":port" only when not the scheme's default).
std::string HostHeader(const Endpoint& endpoint, std::string_view host);

// S3's rules for a bucket name usable in a host name: 3-63 characters of a-z 0-9 . -,
// starting and ending with a letter or digit. Path-style accepts more (legacy buckets).
bool IsDnsCompatibleBucket(std::string_view bucket);

}  // namespace tidemark::objstore
