#include "attest/tpm/agent.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "core/json.h"

namespace rampart::attest::tpm {

namespace beast = boost::beast;

namespace {

constexpr std::size_t kMaxResponse = 64u << 20;

http::asio::awaitable<void> Reply(http::Exchange& x, int status, std::string_view body) {
  http::Field ct{"content-type", "application/json"};
  co_await x.Respond(status, std::span<const http::Field>(&ct, 1), body);
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  boost::json::object o;
  o["error"] = code;
  o["message"] = message;
  return ToJson(o);
}

}  // namespace

http::asio::awaitable<void> AgentHandler::Handle(http::Exchange& x) {
  std::string_view target = x.head().target;
  constexpr std::string_view kPrefix = "/v1/quote?nonce=";
  if (x.head().method != "GET" || !target.starts_with(kPrefix)) {
    co_await Reply(x, 404, ErrorJson("not_found", "GET /v1/quote?nonce=<hex>"));
    co_return;
  }
  auto nonce = HexDecode(target.substr(kPrefix.size()));
  if (!nonce || nonce->empty() || nonce->size() > 64) {
    co_await Reply(x, 400, ErrorJson("bad_nonce", "nonce: 1-64 bytes in hex"));
    co_return;
  }
  auto ev = provider_(*nonce);
  if (!ev) {
    co_await Reply(x, 503, ErrorJson("quote_failed", ev.error().message()));
    co_return;
  }
  co_await Reply(x, 200, EvidenceToJson(*ev));
}

std::string EvidenceToJson(const NodeEvidence& ev) {
  boost::json::object o;
  o["quote"] = Base64Encode(ev.quote);
  o["signature"] = Base64Encode(ev.signature);
  o["event_log"] = Base64Encode(ev.event_log);
  if (ev.ima) o["ima"] = Base64Encode(*ev.ima);
  return ToJson(o);
}

Result<NodeEvidence> EvidenceFromJson(std::string_view json) {
  JsonLimits limits;
  limits.max_bytes = kMaxResponse;
  RAMPART_ASSIGN_OR_RETURN(auto v, ParseJson(json, limits));
  if (!v.is_object()) return InvalidArgumentError("agent: the answer is not a JSON object");
  const auto& o = v.as_object();
  NodeEvidence ev;
  auto field = [&](std::string_view key, Bytes* out) -> Status {
    RAMPART_ASSIGN_OR_RETURN(std::string_view b64, GetString(o, key));
    auto d = Base64Decode(b64);
    if (!d) return InvalidArgumentError("agent: " + std::string(key) + " is not base64");
    *out = std::move(*d);
    return OkStatus();
  };
  RAMPART_RETURN_IF_ERROR(field("quote", &ev.quote));
  RAMPART_RETURN_IF_ERROR(field("signature", &ev.signature));
  RAMPART_RETURN_IF_ERROR(field("event_log", &ev.event_log));
  if (o.contains("ima")) {
    Bytes ima;
    RAMPART_RETURN_IF_ERROR(field("ima", &ima));
    ev.ima = std::move(ima);
  }
  return ev;
}

Result<NodeEvidence> FetchEvidenceHttp(const std::string& address, ByteView nonce,
                                       std::chrono::milliseconds timeout) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return InvalidArgumentError("agent address \"" + address + "\": expected host:port");
  std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto eps = resolver.resolve(host, port, ec);
  if (ec) return UnavailableError("agent " + address + ": " + ec.message());
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buf;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(kMaxResponse);
  beast::http::request<beast::http::empty_body> req{beast::http::verb::get,
                                                    "/v1/quote?nonce=" + HexEncode(nonce), 11};
  req.set(beast::http::field::host, host);
  req.set(beast::http::field::connection, "close");
  // One deadline for the whole exchange, run on this thread's io_context.
  bool done = false;
  stream.expires_after(timeout);
  stream.async_connect(eps, [&](boost::system::error_code e, auto) {
    if (e) {
      ec = e;
      done = true;
      return;
    }
    beast::http::async_write(stream, req, [&](boost::system::error_code e2, std::size_t) {
      if (e2) {
        ec = e2;
        done = true;
        return;
      }
      beast::http::async_read(stream, buf, parser, [&](boost::system::error_code e3, std::size_t) {
        ec = e3;
        done = true;
      });
    });
  });
  ioc.run();
  if (!done || ec)
    return UnavailableError("agent " + address + ": " + (ec ? ec.message() : "no answer"));
  const auto& res = parser.get();
  if (res.result_int() != 200)
    return UnavailableError("agent " + address + ": HTTP " + std::to_string(res.result_int()) +
                            " " + res.body().substr(0, 200));
  return EvidenceFromJson(res.body());
}

}  // namespace rampart::attest::tpm
