#include "core/objstore/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>

#include "core/backup/utc_time.h"

namespace tidemark::objstore {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

std::string ToHex(const unsigned char* data, size_t n) {
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // HMAC-SHA256 cannot fail for in-memory inputs short of a broken OpenSSL.
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len))
    std::abort();
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// SigV4 canonical header value: leading/trailing spaces dropped, inner runs of spaces and tabs
// folded into one space.
std::string CanonicalValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

void SetHeader(HeaderList& headers, std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return Lower(h.first) == name; });
  headers.emplace_back(std::string(name), std::move(value));
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 15];
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view path) { return UriEncode(path, true); }

std::string CanonicalQuery(const QueryList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

std::string AmzDate(int64_t unix_seconds) { return backup::FormatCompactUtc(unix_seconds); }

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) std::abort();
  return ToHex(md, len);
}

std::string CanonicalRequest(const SignableRequest& request, std::string* signed_headers) {
  // Headers with the same name are joined with ',' in the order given (SigV4's rule).
  std::vector<std::pair<std::string, std::string>> lowered;
  for (const auto& [name, value] : request.headers)
    lowered.emplace_back(Lower(name), CanonicalValue(value));
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers, names;
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (i > 0 && lowered[i].first == lowered[i - 1].first) {
      canonical_headers.back() = ',';
      canonical_headers += lowered[i].second + "\n";
      continue;
    }
    canonical_headers += lowered[i].first + ":" + lowered[i].second + "\n";
    if (!names.empty()) names += ';';
    names += lowered[i].first;
  }
  if (signed_headers) *signed_headers = names;
  return request.method + "\n" + CanonicalUri(request.path) + "\n" +
         CanonicalQuery(request.query) + "\n" + canonical_headers + "\n" + names + "\n" +
         request.payload_hash;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         Sha256Hex(canonical_request);
}

std::string Sign(SignableRequest& request, const SigningInput& input) {
  std::string amz_date = AmzDate(input.unix_seconds);
  std::string day = amz_date.substr(0, 8);
  SetHeader(request.headers, "x-amz-date", amz_date);
  SetHeader(request.headers, "x-amz-content-sha256", request.payload_hash);
  if (!input.credentials.session_token.empty())
    SetHeader(request.headers, "x-amz-security-token", input.credentials.session_token);
  else
    std::erase_if(request.headers,
                  [](const auto& h) { return Lower(h.first) == "x-amz-security-token"; });

  std::string signed_headers;
  std::string canonical = CanonicalRequest(request, &signed_headers);
  std::string scope = day + "/" + std::string(input.region) + "/" + std::string(input.service) +
                      "/aws4_request";
  std::string key = Hmac("AWS4" + input.credentials.secret_access_key, day);
  key = Hmac(key, input.region);
  key = Hmac(key, input.service);
  key = Hmac(key, "aws4_request");
  std::string mac = Hmac(key, StringToSign(amz_date, scope, canonical));
  return "AWS4-HMAC-SHA256 Credential=" + input.credentials.access_key_id + "/" + scope +
         ",SignedHeaders=" + signed_headers +
         ",Signature=" + ToHex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

}  // namespace tidemark::objstore
