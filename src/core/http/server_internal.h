// Internal to core/http: what a connection (HTTP/1.1 in server.cc, HTTP/2 in
// h2.cc) needs of its server and its worker.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>

#include "core/http/server.h"

namespace rampart::http::internal {

namespace beast = boost::beast;

// Per-connection state the drain logic reaches from its worker thread.
struct ConnState {
  beast::tcp_stream* lowest = nullptr;
  bool idle = true;             // waiting for a request, nothing of it received
  std::function<void()> drain;  // HTTP/2: announce GOAWAY (set by the connection)
};

struct Worker {
  int index = 0;
  std::unordered_set<ConnState*> conns;
  std::thread thread;
  // Destroyed before the members above, which suspended coroutine frames
  // refer to while the context destroys them.
  asio::io_context ioc{1};
  // Declared after the context: an I/O object must go before the context
  // whose services it uses.
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
};

struct ServerCore {
  ServerOptions opts;
  Handler* handler = nullptr;
  ServerStats* stats = nullptr;
  std::atomic<bool> draining{false};
  bool is_draining() const { return draining.load(std::memory_order_relaxed); }
};

// The HTTP/2 client connection preface (RFC 9113 section 3.4).
inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// Serves one HTTP/2 connection (after ALPN "h2", or a cleartext client that
// sent the preface); `initial` holds bytes already read from it.
template <class Stream>
asio::awaitable<void> ServeHttp2(ServerCore& core, Worker& w, Stream& stream,
                                 const ConnectionInfo& info, std::string initial);

}  // namespace rampart::http::internal
