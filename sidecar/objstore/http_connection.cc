#include "sidecar/objstore/http_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <limits>
#include <optional>

namespace tidemark::objstore {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr size_t kReadBuffer = 256 << 10;

class TlsContext {
 public:
  net::ssl::context ctx{net::ssl::context::tls_client};
};

Result<std::shared_ptr<TlsContext>> MakeTlsContext(const std::string& ca_bundle_file) {
  auto tls = std::make_shared<TlsContext>();
  boost::system::error_code ec;
  tls->ctx.set_verify_mode(net::ssl::verify_peer, ec);
  if (!ec) {
    if (ca_bundle_file.empty())
      tls->ctx.set_default_verify_paths(ec);
    else
      tls->ctx.load_verify_file(ca_bundle_file, ec);
  }
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument, "cannot load the CA bundle: " + ec.message(), -1,
                     ca_bundle_file.empty() ? "system trust store" : ca_bundle_file);
  SSL_CTX_set_min_proto_version(tls->ctx.native_handle(), TLS1_2_VERSION);
  return tls;
}

std::string HttpResponseHead::Header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (beast::iequals(n, beast::string_view(name.data(), name.size()))) return v;
  return {};
}

struct HttpConnection::Impl {
  HttpPeer peer;
  std::shared_ptr<TlsContext> tls;
  HttpTimeouts timeouts;
  net::io_context ioc;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::buffer_body>> parser;
  bool keep_alive = false;
  std::chrono::steady_clock::time_point last_used;  // end of the last response

  beast::tcp_stream& Tcp() { return secure ? secure->next_layer() : *plain; }
  bool Open() const { return plain.has_value() || secure.has_value(); }

  // Runs one asynchronous operation to completion on this thread, so the stream's deadline
  // (tcp_stream::expires_after) applies to synchronous-looking calls.
  template <class Start>
  boost::system::error_code Run(Start&& start) {
    boost::system::error_code result = net::error::would_block;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  template <class F>
  boost::system::error_code OnStream(F&& f) {
    Tcp().expires_after(timeouts.io);
    return secure ? Run([&](auto h) { f(*secure, std::move(h)); })
                  : Run([&](auto h) { f(*plain, std::move(h)); });
  }

  void Reset() {
    if (Open()) {
      boost::system::error_code ignored;
      Tcp().socket().close(ignored);
    }
    secure.reset();
    plain.reset();
    parser.reset();
    buffer.clear();
    keep_alive = false;
  }

  std::unexpected<Error> Fail(std::string what, const boost::system::error_code& ec) {
    Reset();
    std::string message = what + ": " + ec.message();
    if (ec == beast::error::timeout) message = what + ": timed out";
    return MakeError(ErrorCode::kIo, std::move(message), -1,
                     peer.host + ":" + std::to_string(peer.port));
  }

  Status Connect() {
    tcp::resolver resolver(ioc);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(peer.connect_host, std::to_string(peer.connect_port), ec);
    if (ec) return Fail("resolve " + peer.connect_host, ec);
    plain.emplace(ioc);
    plain->expires_after(timeouts.connect);
    ec = Run([&](auto h) { plain->async_connect(endpoints, std::move(h)); });
    if (ec) return Fail("connect " + peer.connect_host + ":" + std::to_string(peer.connect_port), ec);
    plain->socket().set_option(tcp::no_delay(true), ec);
    if (!peer.tls) return {};

    secure.emplace(std::move(*plain), tls->ctx);
    plain.reset();
    SSL* ssl = secure->native_handle();
    boost::system::error_code ip_ec;
    net::ip::make_address(peer.host, ip_ec);
    bool is_ip = !ip_ec;
    // The certificate must name the host we meant, not just chain to a trusted CA.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if ((is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, peer.host.c_str())
               : X509_VERIFY_PARAM_set1_host(param, peer.host.c_str(), 0)) != 1 ||
        (!is_ip && SSL_set_tlsext_host_name(ssl, peer.host.c_str()) != 1))
      return Fail("TLS setup", boost::system::error_code(static_cast<int>(ERR_get_error()),
                                                         net::error::get_ssl_category()));
    secure->next_layer().expires_after(timeouts.connect);
    ec = Run([&](auto h) { secure->async_handshake(net::ssl::stream_base::client, std::move(h)); });
    if (ec) {
      long verify = SSL_get_verify_result(ssl);
      std::string why = verify != X509_V_OK ? std::string(X509_verify_cert_error_string(verify)) + " (" + ec.message() + ")"
                                            : ec.message();
      Reset();
      // An untrusted or misnamed certificate stays so: a configuration error, not retried.
      return MakeError(verify != X509_V_OK ? ErrorCode::kInvalidArgument : ErrorCode::kIo,
                       "TLS handshake: " + why, -1, peer.host + ":" + std::to_string(peer.port));
    }
    return {};
  }
};

HttpConnection::HttpConnection(HttpPeer peer, std::shared_ptr<TlsContext> tls,
                               HttpTimeouts timeouts)
    : impl_(std::make_unique<Impl>()) {
  // Beast reads from the socket at most the read buffer's free capacity per call: left at the
  // few KB the response head needed, a download ran in 1-4 KB reads (4x curl's wall time).
  impl_->buffer.reserve(kReadBuffer);
  impl_->peer = std::move(peer);
  impl_->tls = std::move(tls);
  impl_->timeouts = timeouts;
}

HttpConnection::~HttpConnection() { impl_->Reset(); }

void HttpConnection::Close() { impl_->Reset(); }

Status HttpConnection::Send(std::string_view head, std::span<const uint8_t> body) {
  // A response not read to its end leaves the stream mid-message: start afresh.
  if (impl_->Open() && (!impl_->keep_alive || (impl_->parser && !impl_->parser->is_done()) ||
                        std::chrono::steady_clock::now() - impl_->last_used > kMaxIdle))
    impl_->Reset();
  if (!impl_->Open())
    if (auto s = impl_->Connect(); !s) return s;
  impl_->parser.reset();
  std::array<net::const_buffer, 2> buffers{net::buffer(head.data(), head.size()),
                                           net::buffer(body.data(), body.size())};
  auto ec = impl_->OnStream([&](auto& stream, auto h) { net::async_write(stream, buffers, std::move(h)); });
  if (ec) return impl_->Fail("send request", ec);
  return {};
}

Status HttpConnection::SendMore(std::span<const uint8_t> body) {
  if (!impl_->Open())
    return MakeError(ErrorCode::kIo, "send request body: the connection is closed", -1,
                     impl_->peer.host + ":" + std::to_string(impl_->peer.port));
  auto ec = impl_->OnStream([&](auto& stream, auto h) {
    net::async_write(stream, net::buffer(body.data(), body.size()), std::move(h));
  });
  if (ec) return impl_->Fail("send request body", ec);
  return {};
}

Result<HttpResponseHead> HttpConnection::ReadHead(bool head_request) {
  auto& parser = impl_->parser.emplace();
  // Not boost::none: Boost 1.74 compares the Content-Length with the empty optional and
  // refuses every body ("body limit exceeded"). Memory is bounded by the caller's buffers.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (head_request) parser.skip(true);
  auto ec = impl_->OnStream(
      [&](auto& stream, auto h) { http::async_read_header(stream, impl_->buffer, parser, std::move(h)); });
  if (ec) return impl_->Fail("read response", ec);
  const auto& msg = parser.get();
  impl_->keep_alive = msg.keep_alive();
  HttpResponseHead head;
  head.status = static_cast<int>(msg.result_int());
  head.reason = std::string(msg.reason());
  for (const auto& field : msg) head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return head;
}

Result<size_t> HttpConnection::ReadBody(std::span<uint8_t> out) {
  auto& parser = *impl_->parser;
  while (!parser.is_done()) {
    parser.get().body().data = out.data();
    parser.get().body().size = out.size();
    auto ec = impl_->OnStream(
        [&](auto& stream, auto h) { http::async_read_some(stream, impl_->buffer, parser, std::move(h)); });
    if (ec && ec != http::error::need_buffer) return impl_->Fail("read response body", ec);
    size_t n = out.size() - parser.get().body().size;
    if (n > 0) return n;
  }
  if (!impl_->keep_alive) impl_->Reset();
  impl_->last_used = std::chrono::steady_clock::now();
  return size_t{0};
}

Result<std::string> HttpConnection::ReadBodyString(size_t limit) {
  std::string out;
  uint8_t buf[16 << 10];
  for (;;) {
    auto n = ReadBody(buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return out;
    if (out.size() + *n > limit) {
      impl_->Reset();
      return MakeError(ErrorCode::kIo, "response body longer than " + std::to_string(limit) + " bytes");
    }
    out.append(reinterpret_cast<const char*>(buf), *n);
  }
}

}  // namespace tidemark::objstore
