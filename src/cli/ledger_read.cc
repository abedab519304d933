#include "cli/ledger_read.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <optional>

#include "core/tls.h"
#include "core/url.h"
#include "ledger/store.h"

namespace rampart::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr std::size_t kMaxEntryBytes = 8u << 20;

}  // namespace

Status ScanLedgerStore(const std::string& url, const EntryFn& fn) {
  if (url.starts_with("sqlite:")) {
    std::string path = url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      return InvalidArgumentError("no ledger at " + path + " (check --store)");
  }
  auto store = ledger::OpenStore(url);
  if (!store) return store.error().WithContext(RedactUrl(url));
  auto size = (*store)->Size();
  if (!size) return size.error().WithContext(RedactUrl(url));
  return (*store)->Scan(0, *size, [&](const ledger::EntryRecord& r) -> Status {
    auto v = ParseJson(r.data);
    if (!v || !v->is_object())
      return CorruptionError("stored entry " + std::to_string(r.index) + " is not a JSON object");
    return fn(r.index, v->get_object());
  });
}

Status ScanLedgerHttp(const std::string& url, const std::string& api_key,
                      const std::string& ca_file, const EntryFn& fn) {
  std::string_view rest = url;
  bool tls = false;
  if (rest.starts_with("https://")) {
    tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return InvalidArgumentError("--ledger must be http://HOST:PORT or https://HOST:PORT, got '" +
                                RedactUrl(url) + "'");
  }
  std::size_t slash = rest.find('/');
  std::string prefix(slash == std::string_view::npos ? "" : rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string_view hostport = rest.substr(0, slash);
  std::size_t colon = hostport.rfind(':');
  std::string host(hostport.substr(0, colon));
  std::string port(colon == std::string_view::npos ? (tls ? "443" : "80")
                                                   : hostport.substr(colon + 1));
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || port.empty()) return InvalidArgumentError("--ledger has no host:port");
  if (!tls && !IsLoopbackHost(host))
    return InvalidArgumentError("plain http:// is allowed only to a loopback ledger; use https://");
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    auto addrs = resolver.resolve(host, port);
    std::shared_ptr<asio::ssl::context> ctx;
    if (tls) {
      tls::ClientOptions co;
      co.ca_file = ca_file;
      auto c = tls::MakeClientContext(co, "ledger client");
      if (!c) return c.error();
      ctx = *c;
    }
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    auto connect = [&] {
      plain.reset();
      secure.reset();
      if (tls) {
        secure.emplace(io, *ctx);
        SSL_set_tlsext_host_name(secure->native_handle(), host.c_str());
        secure->set_verify_mode(asio::ssl::verify_peer);
        secure->set_verify_callback(asio::ssl::host_name_verification(host));
        beast::get_lowest_layer(*secure).expires_after(std::chrono::seconds(30));
        beast::get_lowest_layer(*secure).connect(addrs);
        secure->handshake(asio::ssl::stream_base::client);
      } else {
        plain.emplace(io);
        plain->expires_after(std::chrono::seconds(30));
        plain->connect(addrs);
      }
    };
    connect();
    for (std::uint64_t i = 0;; ++i) {
      bhttp::request<bhttp::empty_body> req{bhttp::verb::get,
                                            prefix + "/v1/entries/" + std::to_string(i), 11};
      req.set(bhttp::field::host, host);
      req.set(bhttp::field::user_agent, "rampart-monitor-report");
      if (!api_key.empty()) req.set(bhttp::field::authorization, "Bearer " + api_key);
      req.keep_alive(true);
      beast::flat_buffer buf;
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(kMaxEntryBytes);
      if (tls) {
        beast::get_lowest_layer(*secure).expires_after(std::chrono::seconds(30));
        bhttp::write(*secure, req);
        bhttp::read(*secure, buf, parser);
      } else {
        plain->expires_after(std::chrono::seconds(30));
        bhttp::write(*plain, req);
        bhttp::read(*plain, buf, parser);
      }
      int status = parser.get().result_int();
      if (status == 404) return OkStatus();  // past the last entry
      if (status == 401 || status == 403)
        return UnauthenticatedError("the ledger refused the read (HTTP " + std::to_string(status) +
                                    "); check --ledger-key");
      if (status != 200)
        return UnavailableError("GET " + prefix + "/v1/entries/" + std::to_string(i) +
                                " answered HTTP " + std::to_string(status));
      auto v = ParseJson(parser.get().body());
      const json::object* o = v && v->is_object() ? &v->get_object() : nullptr;
      const json::value* e = o ? o->if_contains("entry") : nullptr;
      if (!e || !e->is_object())
        return CorruptionError("entry " + std::to_string(i) + " from the ledger is not an object");
      RAMPART_RETURN_IF_ERROR(fn(i, e->get_object()));
      if (!parser.get().keep_alive()) connect();
    }
  } catch (const std::exception& e) {
    return UnavailableError("ledger " + RedactUrl(url) + ": " + e.what());
  }
}

}  // namespace rampart::cli
