#include "core/objstore/endpoint.h"

#include <charconv>

namespace tidemark::objstore {

Result<Endpoint> ParseEndpoint(std::string_view url) {
  auto bad = [&](std::string why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "endpoint '" + std::string(url) + "': " + why, -1, "objectStore.endpoint");
  };
  Endpoint ep;
  std::string_view rest;
  if (url.starts_with("https://")) {
    ep.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return bad("expected a URL starting with https:// or http://");
  }
  if (rest.ends_with("/")) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos)
    return bad("expected scheme://host[:port] only (no path, query or user info)");
  std::string_view host = rest, port;
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 1);
    if (!port.empty() && !port.starts_with(":")) return bad("expected ':port' after the address");
    if (!port.empty()) port.remove_prefix(1);
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  for (char c : host) ep.host += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  ep.port = ep.tls ? 443 : 80;
  if (!port.empty() || rest.ends_with(":")) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535)
      return bad("expected a port number 1-65535");
    ep.port = static_cast<uint16_t>(value);
    ep.explicit_port = true;
  }
  return ep;
}

std::string HostHeader(const Endpoint& endpoint, std::string_view host) {
  std::string out = host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]"
                                                               : std::string(host);
  if (endpoint.port != (endpoint.tls ? 443 : 80)) out += ":" + std::to_string(endpoint.port);
  return out;
}

bool IsDnsCompatibleBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(bucket.front()) || !alnum(bucket.back())) return false;
  for (char c : bucket)
    if (!alnum(c) && c != '.' && c != '-') return false;
  return bucket.find("..") == std::string_view::npos;
}

}  // namespace tidemark::objstore
