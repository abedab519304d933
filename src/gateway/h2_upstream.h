// HTTP/2 connections from the gateway to an upstream (gRPC to Triton or
// KServe), over cleartext h2 (prior knowledge) or TLS with ALPN "h2". One
// connection per worker thread and upstream carries many streams; it lives
// on that worker's io_context and is touched only from that thread.
//
// Flow control is end to end: the gateway acknowledges (WINDOW_UPDATE)
// response bytes only once its client took them, so a slow client slows the
// upstream instead of filling the gateway's memory.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/config.h"
#include "gateway/routes.h"

namespace rampart::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class H2Upstream;

// One request/response stream on an upstream connection.
class H2UpstreamStream {
 public:
  using Clock = std::chrono::steady_clock;
  explicit H2UpstreamStream(const boost::asio::any_io_executor& ex) : signal_(ex) {}

  // Queues request body bytes; `end` closes the request side.
  void Send(std::string_view data, bool end);
  // Waits for the response head; false when the stream failed or timed out.
  boost::asio::awaitable<bool> AwaitHeaders(Clock::time_point deadline);
  // The next piece of the response body into *chunk; false once the body
  // ended (then `trailers` are final) or the stream failed.
  boost::asio::awaitable<bool> Read(std::string* chunk, Clock::time_point deadline);
  // Resets the stream (RST_STREAM CANCEL): the upstream stops working on it.
  void Cancel();

  int status = 0;
  HeaderList headers;                  // lower-case names
  HeaderList trailers;                 // lower-case names
  bool ended = false;                  // END_STREAM from the upstream
  std::optional<std::uint32_t> reset;  // RST_STREAM code, or a connection failure
  bool timed_out = false;

 private:
  friend class H2Upstream;
  boost::asio::awaitable<void> Wait(Clock::time_point deadline);
  void Notify() { signal_.cancel(); }

  H2Upstream* conn_ = nullptr;  // null once the connection is gone
  std::int32_t id_ = -1;
  std::string out_;  // request bytes not yet taken by nghttp2
  std::size_t out_off_ = 0;
  bool out_end_ = false;
  std::string in_;  // response bytes not yet read
  bool headers_done_ = false;
  boost::asio::steady_timer signal_;
};

class H2Upstream : public std::enable_shared_from_this<H2Upstream> {
 public:
  // Connects to u.grpc_host:u.grpc_port (TLS when `tls` is set) on the
  // calling coroutine's executor; the refusal to answer with otherwise.
  static boost::asio::awaitable<std::expected<std::shared_ptr<H2Upstream>, HttpError>> Connect(
      const UpstreamConfig& u, std::shared_ptr<boost::asio::ssl::context> tls);
  ~H2Upstream();

  // Whether a new stream may be opened (alive, no GOAWAY, below the
  // upstream's concurrency limit).
  bool usable() const;
  // Dead, or told GOAWAY with no stream left: nothing more will use it.
  bool finished() const;
  // Opens a stream with these request headers (pseudo-headers first); its
  // body is sent with Send. Null when the connection cannot take it.
  std::shared_ptr<H2UpstreamStream> Open(const HeaderList& headers);
  // Closes the connection; open streams fail.
  void Close();

  class Impl;

 private:
  explicit H2Upstream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class H2UpstreamStream;
};

}  // namespace rampart::gateway
