// The hardened HTTP server every long-lived Rampart service runs on (the
// gateway, the ledger API, the key broker): one implementation of listening,
// TLS and mTLS identities, strict request parsing, limits and draining, so a
// fix to any of them reaches every service.
//
// Threads: `threads` workers, each with its own io_context and its own
// SO_REUSEPORT listener on the port, so a connection lives on one thread from
// accept to close and a request never takes a lock another worker's requests
// take (the connection caps are the shared part).
//
// Per connection, in this order: the connection caps (max_connections,
// max_connections_per_ip; refused connections are closed at once), the TLS
// handshake under header_read_timeout, then per request: the head under
// header_read_timeout (slowloris; 408), size limits (431/414/413), the strict
// parse of core/http/parse.h (400, 505, 417: every framing two
// implementations could read differently is refused), then Handler::Handle.
// A refusal before Handle goes to Handler::Refused and closes the connection.
// Between requests a connection may be idle for idle_timeout; every write
// must finish within idle_timeout.
//
// A response whose request body was not read closes the connection (the
// unread bytes must not be taken for the next request); so do HTTP/1.0
// clients without keep-alive, "Connection: close", a handler's SetClose(),
// and draining. A closing connection stops sending, then reads and discards
// what the client still sends for a moment (a bounded lingering close) so
// that the response is not destroyed by a reset.
//
// Thread-safety: Start/Stop from one control thread. Handler methods run on
// the worker threads, concurrently; an Exchange belongs to its worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/error.h"
#include "core/http/parse.h"
#include "core/http/stats.h"
#include "core/status.h"
#include "core/tls.h"

namespace rampart::http {

namespace asio = boost::asio;

struct ServerOptions {
  std::string name = "http";  // names the service in logs and errors ("gateway", "ledger")
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;                                 // 0: any free port (see Server::port())
  int threads = 1;                                        // I/O threads; < 1 means one per core
  tls::ServerOptions tls;                                 // tls.cert_chain empty: plain HTTP
  RequestLimits request;                                  // head and body sizes
  std::chrono::milliseconds header_read_timeout{10'000};  // a head (and a TLS handshake)
  std::chrono::milliseconds body_read_timeout{30'000};    // a whole request body
  std::chrono::milliseconds idle_timeout{60'000};         // keep-alive idle; each response write
  std::size_t max_connections = 10'000;
  std::size_t max_connections_per_ip = 0;  // 0: no per-address cap
  // HTTP/2: over TLS when the client picks "h2" by ALPN, in cleartext when it
  // opens with the HTTP/2 preface (h2c with prior knowledge).
  bool http2 = true;
  std::uint32_t h2_max_concurrent_streams = 100;
  std::uint32_t h2_max_resets_per_second = 100;  // beyond: GOAWAY (rapid reset)
  std::uint32_t h2_stream_window = 1u << 20;     // SETTINGS_INITIAL_WINDOW_SIZE
  ServerStats* stats = nullptr;                  // gauges to keep; null: the server's own
};

struct ConnectionInfo {
  std::string peer;               // the client's IP address
  bool http2 = false;             // the connection speaks HTTP/2
  std::vector<std::string> sans;  // SAN URIs, then DNS names, of a verified client certificate
  bool tls = false;
  int worker = 0;  // index of the I/O thread serving the connection
};

// One HTTP header field of a response.
struct Field {
  std::string_view name;
  std::string_view value;
};

// One request and its response, as a handler sees it.
class Exchange {
 public:
  virtual ~Exchange() = default;

  // The parsed head. In Handler::Refused it may be empty (the head did not
  // arrive or did not parse).
  const RequestHead& head() const { return head_; }
  const ConnectionInfo& conn() const { return *conn_; }
  // True once the server is stopping: finish this request, promise no more.
  virtual bool draining() const = 0;

  // Reads the whole request body (de-chunked) within request.max_body_bytes
  // and body_read_timeout, answering "100 Continue" first when the client
  // waits for it. Returns the refusal to answer with (413, 408, 400) on
  // failure. Call at most once.
  virtual asio::awaitable<std::optional<HttpError>> ReadBody(std::string* body) = 0;
  // ReadBody without waiting, when it can complete so: the request has no
  // body, or (HTTP/1.1) all of it came with the head. True: *body holds what
  // ReadBody would have returned, and this was the one call. False: nothing
  // happened; co_await ReadBody. (A coroutine call is a frame allocation even
  // when it never suspends: this is the request path's way around it.)
  virtual bool TryReadBody(std::string* body) { return false; }
  // The next piece of the request body as it arrives, for bodies that are
  // streams (gRPC streaming calls): *done once the body ended, or once this
  // exchange's response ended. HTTP/1.1 reads the whole body as one piece.
  // Pieces are bounded by request.max_body_bytes of unread data.
  virtual asio::awaitable<std::optional<HttpError>> ReadBodyPart(std::string* piece,
                                                                 bool* done) = 0;

  // The response, in three steps: Begin (once), Write (any number of pieces;
  // `last` ends the body), End (ends a response whose last Write said nothing).
  // `fields` must not contain Content-Length, Transfer-Encoding or Connection:
  // the server sets them. `content_length` is the exact body length, or
  // nullopt for a streamed body (chunked for HTTP/1.1, ended by closing the
  // connection for HTTP/1.0). HEAD, 1xx, 204 and 304 responses never carry a
  // body (Write's bytes are counted, not sent). Begin only buffers: the head
  // leaves with the first Write, Flush or End. Writes return false once the
  // client is gone; the handler should stop then.
  virtual void Begin(int status, std::span<const Field> fields,
                     std::optional<std::uint64_t> content_length) = 0;
  virtual asio::awaitable<bool> Flush() = 0;
  virtual asio::awaitable<bool> Write(std::string_view piece, bool last) = 0;
  virtual asio::awaitable<bool> End() = 0;
  // Ends the response with trailer fields (gRPC's grpc-status). HTTP/2 sends
  // them as a trailing HEADERS frame; HTTP/1.1 as chunked trailers when the
  // body is chunked, and drops them otherwise.
  virtual asio::awaitable<bool> EndWithTrailers(std::span<const Field> trailers) = 0;

  // A whole response in one write.
  asio::awaitable<bool> Respond(int status, std::span<const Field> fields, std::string_view body);
  // The JSON error response of error.h, with WWW-Authenticate for 401, Allow
  // for 405, Cache-Control: no-store, and `extra` fields.
  asio::awaitable<bool> RespondError(const HttpError& e, std::span<const Field> extra = {});

  // Closes the connection after this response.
  void SetClose() { close_ = true; }
  bool closing() const { return close_; }
  bool begun() const { return begun_; }
  bool ended() const { return ended_; }
  // Body bytes of the response so far (including those of a HEAD response).
  std::uint64_t bytes_out() const { return bytes_out_; }

 protected:
  RequestHead head_;
  const ConnectionInfo* conn_ = nullptr;
  bool close_ = false;
  bool begun_ = false;
  bool ended_ = false;
  std::uint64_t bytes_out_ = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Serves one request. It must answer; a handler that returns without
  // having begun a response gets a 500, and one that began but did not end
  // has its connection closed.
  virtual asio::awaitable<void> Handle(Exchange& x) = 0;
  // The request is refused before Handle (malformed, too large, too slow):
  // answer `e` (by default x.RespondError(e)). The connection closes after.
  virtual asio::awaitable<void> Refused(Exchange& x, const HttpError& e);
  // A connection was refused before any request: "max_connections",
  // "max_connections_per_ip" or "tls_handshake".
  virtual void ConnectionRefused(int worker, std::string_view reason) {}
};

class Server {
 public:
  // Binds every worker's listener and starts serving. Fails (Unavailable,
  // naming the address and what to do) when the port is taken: a service
  // never moves to another port on its own. `handler` must outlive the server.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Handler& handler);
  ~Server();

  std::uint16_t port() const;
  bool tls() const;
  int threads() const;
  const ServerStats& stats() const;

  // Graceful stop: stop accepting, close idle connections, let requests in
  // flight finish (their connections then close) for up to `drain`, then
  // stop and join the threads. Idempotent. The threads' io_contexts live on
  // until the Server is destroyed, so a handler can destroy what it bound to
  // them (e.g. pooled sockets) in between.
  void Stop(std::chrono::milliseconds drain = std::chrono::seconds(10));

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The reason phrase of a status code ("Not Found"), "Unknown" if none.
std::string_view ReasonPhrase(int status);

// The body of RespondError: {"error":{"code":...,"message":...}} and a newline.
std::string ErrorBody(std::string_view code, std::string_view message);

}  // namespace rampart::http
