// The core HTTP server (core/http/server.h) over loopback: framing both ways,
// keep-alive and pipelining, every refusal before the handler (smuggling
// shapes, limits, slow clients), connection caps, the port-taken error and a
// graceful drain. The gateway's and the ledger's integration tests run the
// same refusals through their own routes.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "core/http/server.h"
#include "testing/h2_client.h"
#include "testing/http_client.h"
#include "testing/testing.h"

namespace rampart::http {
namespace {

using namespace std::chrono_literals;
using testing::Dial;
using testing::RawExchange;
using testing::ReadReply;
using testing::Reply;
using testing::SendAll;

// Answers by path:
//   /echo     200 with the request body and "X-Method"
//   /try-echo /echo, reading the body with TryReadBody first ("X-Waited": 1
//             when it had to co_await ReadBody)
//   /stream   200 streamed in three pieces (chunked, or close-delimited for 1.0)
//   /head     200 with a fixed-length body (HEAD: the length, no body)
//   /ignore   200 without reading the request body
//   /silent   returns without answering
//   /slow     answers after 300 ms; while hold_slow is set, only once the
//             test clears it (slow_started counts the ones that began)
class TestHandler : public Handler {
 public:
  std::atomic<int> handled{0};
  std::atomic<int> slow_started{0};
  std::atomic<bool> hold_slow{false};
  std::atomic<int> refused{0};
  std::atomic<int> refused_connections{0};

  asio::awaitable<void> Handle(Exchange& x) override {
    ++handled;
    std::string_view path = x.head().target;
    if (path == "/echo") {
      std::string body;
      if (auto err = co_await x.ReadBody(&body)) co_return (void) co_await x.RespondError(*err);
      std::array<Field, 1> f{Field{"X-Method", x.head().method}};
      co_await x.Respond(200, f, body);
    } else if (path == "/try-echo") {
      std::string body = "left over";
      bool waited = !x.TryReadBody(&body);
      if (waited) {
        if (auto err = co_await x.ReadBody(&body)) co_return (void) co_await x.RespondError(*err);
      }
      std::array<Field, 1> f{Field{"X-Waited", waited ? "1" : "0"}};
      co_await x.Respond(200, f, body);
    } else if (path == "/stream") {
      x.Begin(200, {}, std::nullopt);
      co_await x.Flush();
      co_await x.Write("one,", false);
      co_await x.Write("two,", false);
      co_await x.Write("three", true);
    } else if (path == "/head") {
      co_await x.Respond(200, {}, "0123456789");
    } else if (path == "/ignore") {
      co_await x.Respond(200, {}, "ignored");
    } else if (path == "/trailers") {
      std::array<Field, 1> f{Field{"Content-Type", "application/grpc"}};
      x.Begin(200, f, std::nullopt);
      co_await x.Write("message", false);
      std::array<Field, 2> t{Field{"grpc-status", "0"}, Field{"grpc-message", "ok"}};
      co_await x.EndWithTrailers(t);
    } else if (path == "/silent") {
      co_return;
    } else if (path == "/slow") {
      bool held = hold_slow.load();
      ++slow_started;
      asio::steady_timer t(co_await asio::this_coro::executor, held ? 5ms : 300ms);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      // Held: polls until released (at most a minute, never forever).
      for (int i = 0; held && hold_slow.load() && i < 12000; ++i) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      co_await x.Respond(200, {}, "slow");
    } else {
      co_await x.RespondError(MakeHttpError(404, "not_found", "no such path"));
    }
  }
  asio::awaitable<void> Refused(Exchange& x, const HttpError& e) override {
    ++refused;
    co_await x.RespondError(e);
  }
  void ConnectionRefused(int, std::string_view) override { ++refused_connections; }
};

// Polls until `f` is true or `timeout` passes (generous: loaded machines, ASan).
template <class F>
bool WaitUntil(F f, std::chrono::milliseconds timeout = 20s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

// Whether the peer closed `fd` (end of stream or reset) within `timeout`;
// false if it is still open then, or if bytes arrived instead.
bool PeerClosed(int fd, std::chrono::milliseconds timeout = 20s) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char b;
  return ::recv(fd, &b, 1, MSG_DONTWAIT) <= 0;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions o = {}) {
    o.name = "test";
    o.threads = 2;
    auto s = Server::Start(std::move(o), handler_);
    ASSERT_TRUE(s) << s.error().ToString();
    server_ = std::move(*s);
    port_ = server_->port();
  }
  static std::string Get(const std::string& path, const std::string& extra = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
  }
  static std::string Post(const std::string& path, const std::string& body,
                          const std::string& extra = "") {
    return "POST " + path +
           " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           extra + "\r\n" + body;
  }

  TestHandler handler_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

TEST_F(HttpServerTest, ServesKeepAliveAndPipelinedRequestsInOrder) {
  Start();
  int fd = Dial(port_);
  ASSERT_GE(fd, 0);
  std::string pending;
  for (int i = 0; i < 3; ++i) {
    SendAll(fd, Post("/echo", "body " + std::to_string(i)));
    Reply r = ReadReply(fd, pending);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "body " + std::to_string(i));
    EXPECT_EQ(r.Header("x-method"), "POST");
    EXPECT_FALSE(r.closed);
  }
  SendAll(fd, Post("/echo", "a") + Get("/nope") + Post("/echo", "c"));
  EXPECT_EQ(ReadReply(fd, pending).body, "a");
  EXPECT_EQ(ReadReply(fd, pending).status, 404);
  EXPECT_EQ(ReadReply(fd, pending).body, "c");
  close(fd);
  EXPECT_EQ(handler_.handled.load(), 6);
  EXPECT_EQ(server_->stats().open_connections.load() >= 0, true);
}

TEST_F(HttpServerTest, DecodesChunkedBodiesAndAnswersExpectContinue) {
  Start();
  Reply r = RawExchange(port_,
                        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n"
                        "Trailer-Field: ok\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_TRUE(r.closed);

  // The client waits for "100 Continue" before it sends the body.
  int fd = Dial(port_);
  SendAll(fd,
          "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  std::string pending;
  Reply cont = ReadReply(fd, pending, 2s);
  EXPECT_EQ(cont.status, 100);
  SendAll(fd, "data");
  Reply done = ReadReply(fd, pending);
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(done.body, "data");
  close(fd);
}

TEST_F(HttpServerTest, TryReadBodyTakesOnlyABodyThatIsAlreadyThere) {
  Start();
  int fd = Dial(port_);
  ASSERT_GE(fd, 0);
  std::string pending;
  // The body in the same segment as the head: taken without waiting.
  SendAll(fd, Post("/try-echo", "whole"));
  Reply r = ReadReply(fd, pending);
  EXPECT_EQ(r.body, "whole");
  EXPECT_EQ(r.Header("x-waited"), "0");
  // No body at all: nothing to wait for, and nothing left in *body.
  SendAll(fd, Get("/try-echo"));
  r = ReadReply(fd, pending);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.Header("x-waited"), "0");
  // The body after the head: TryReadBody declines, ReadBody reads it.
  SendAll(fd, "POST /try-echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nla");
  std::this_thread::sleep_for(50ms);
  SendAll(fd, "ter");
  r = ReadReply(fd, pending);
  EXPECT_EQ(r.body, "later");
  EXPECT_EQ(r.Header("x-waited"), "1");
  EXPECT_FALSE(r.closed);
  // A client waiting for "100 Continue": declined, so that ReadBody sends it.
  SendAll(fd,
          "POST /try-echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
          "Expect: 100-continue\r\n\r\n");
  EXPECT_EQ(ReadReply(fd, pending, 2s).status, 100);
  SendAll(fd, "data");
  r = ReadReply(fd, pending);
  EXPECT_EQ(r.body, "data");
  EXPECT_EQ(r.Header("x-waited"), "1");
  close(fd);
}

TEST_F(HttpServerTest, StreamsChunkedToHttp11AndUntilCloseToHttp10) {
  Start();
  Reply r11 = RawExchange(port_, Get("/stream", "Connection: close\r\n"));
  EXPECT_EQ(r11.status, 200);
  EXPECT_EQ(r11.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r11.body, "one,two,three");
  Reply r10 = RawExchange(port_, "GET /stream HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r10.status, 200);
  EXPECT_EQ(r10.Header("transfer-encoding"), "");
  EXPECT_EQ(r10.Header("connection"), "close");
  EXPECT_EQ(r10.body, "one,two,three");
  EXPECT_TRUE(r10.closed);
}

TEST_F(HttpServerTest, HeadResponsesCarryTheLengthButNoBody) {
  Start();
  // ReadReply waits for Content-Length bytes until the server closes: a
  // HEAD answer that carried a body would show it here.
  Reply head = RawExchange(port_, "HEAD /head HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), "10");
  EXPECT_EQ(head.body, "");
  EXPECT_TRUE(head.closed);
}

TEST_F(HttpServerTest, RefusesSmugglingShapesWith400BeforeTheHandler) {
  Start();
  std::string base = "POST /echo HTTP/1.1\r\nHost: t\r\n";
  for (const testing::RawCase& c : testing::SmugglingCases(base, "hello", "/echo", "/echo")) {
    Reply r = RawExchange(port_, c.raw);
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_TRUE(r.closed) << c.name;
    EXPECT_EQ(r.Header("content-type"), "application/json") << c.name;
  }
  // Chunk-level refusals come from ReadBody, inside the handler; head-level
  // ones never reach it.
  EXPECT_LE(handler_.handled.load(), 4);
  EXPECT_GE(handler_.refused.load(), 14);
}

TEST_F(HttpServerTest, EnforcesSizeLimitsAndSlowClientTimeouts) {
  ServerOptions o;
  o.request.max_header_bytes = 2048;
  o.request.max_body_bytes = 1000;
  o.header_read_timeout = 700ms;
  o.body_read_timeout = 700ms;
  Start(o);
  Reply big_head = RawExchange(port_, Get("/echo", "X-Pad: " + std::string(3000, 'a') + "\r\n"));
  EXPECT_EQ(big_head.status, 431);
  EXPECT_TRUE(big_head.closed);
  Reply big_body = RawExchange(port_, Post("/echo", std::string(1001, 'b')));
  EXPECT_EQ(big_body.status, 413);
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "190\r\n" + std::string(400, 'c') + "\r\n";
  Reply big_chunked = RawExchange(port_, chunked + "0\r\n\r\n");
  EXPECT_EQ(big_chunked.status, 413);
  EXPECT_TRUE(big_chunked.closed);

  // Slowloris: a head that dribbles in is answered 408 at the deadline.
  int fd = Dial(port_);
  auto t0 = std::chrono::steady_clock::now();
  SendAll(fd, "GET /echo HTTP/1.1\r\n");
  // The bytes keep coming for 10 s; the answer must come long before (the
  // bound leaves room for a loaded machine, not for a timeout that restarts).
  std::thread dribble([fd] {
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(100ms);
      if (send(fd, "X", 1, MSG_NOSIGNAL) <= 0) return;
    }
  });
  std::string pending;
  Reply slow = ReadReply(fd, pending, 15s);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  shutdown(fd, SHUT_RDWR);  // the dribble stops at its next send
  dribble.join();
  close(fd);
  EXPECT_EQ(slow.status, 408);
  EXPECT_TRUE(slow.closed);
  EXPECT_LT(elapsed, 5s);

  // A body that stops arriving: 408 after body_read_timeout.
  fd = Dial(port_);
  SendAll(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\npartial");
  pending.clear();
  Reply stalled = ReadReply(fd, pending, 5s);
  close(fd);
  EXPECT_EQ(stalled.status, 408);
  EXPECT_TRUE(stalled.closed);
}

TEST_F(HttpServerTest, AnUnreadBodyClosesTheConnection) {
  Start();
  int fd = Dial(port_);
  // If the server kept the connection, it would read "GET /echo ..." from
  // the body bytes as a second request.
  SendAll(fd, Post("/ignore", Get("/echo")));
  std::string pending;
  Reply r = ReadReply(fd, pending);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(r.closed);
  close(fd);
  EXPECT_EQ(handler_.handled.load(), 1);
}

TEST_F(HttpServerTest, AHandlerThatDoesNotAnswerGives500) {
  Start();
  Reply r = RawExchange(port_, Get("/silent"));
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(r.closed);
}

TEST_F(HttpServerTest, CapsConnectionsInAllAndPerAddress) {
  ServerOptions o;
  o.max_connections_per_ip = 2;
  Start(o);
  int a = Dial(port_), b = Dial(port_);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::string pa, pb;
  SendAll(a, Get("/echo"));
  SendAll(b, Get("/echo"));
  EXPECT_EQ(ReadReply(a, pa).status, 200);
  EXPECT_EQ(ReadReply(b, pb).status, 200);
  // A third from the same address is closed without an answer.
  int c = Dial(port_);
  SendAll(c, Get("/echo"));
  std::string pc;
  Reply refused = ReadReply(c, pc, 20s);
  EXPECT_EQ(refused.status, 0);
  EXPECT_TRUE(refused.closed);
  close(c);
  EXPECT_GE(handler_.refused_connections.load(), 1);
  // Closing one makes room again.
  close(a);
  Reply again;
  for (int i = 0; i < 50 && again.status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    again = RawExchange(port_, Get("/echo", "Connection: close\r\n"), 1s);
  }
  EXPECT_EQ(again.status, 200);
  close(b);
}

TEST_F(HttpServerTest, APortInUseIsAnErrorNotAnotherPort) {
  Start();
  ServerOptions o;
  o.name = "second";
  o.port = static_cast<std::uint16_t>(port_);
  // SO_REUSEPORT lets sockets of one user share a port; a second server on a
  // port taken by another process must fail. Bind without it here.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  o.port = ntohs(addr.sin_port);
  TestHandler h;
  auto s = Server::Start(o, h);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(s.error().message().find("127.0.0.1:" + std::to_string(o.port)), std::string::npos)
      << s.error().message();
  EXPECT_NE(s.error().message().find("in use"), std::string::npos) << s.error().message();
  close(fd);
}

TEST_F(HttpServerTest, StopDrainsARequestInFlightAndClosesIdleConnections) {
  Start();
  int idle = Dial(port_);
  int busy = Dial(port_);
  // The handler answers only when released: Stop surely finds the request
  // in the handler, and the answer is surely written during the drain.
  handler_.hold_slow = true;
  SendAll(busy, Get("/slow"));
  ASSERT_TRUE(WaitUntil([&] { return handler_.slow_started.load() == 1; }));
  std::thread stopper([this] { server_->Stop(30s); });
  EXPECT_TRUE(PeerClosed(idle));  // the idle connection is closed as the drain begins
  handler_.hold_slow = false;
  std::string pending;
  Reply r = ReadReply(busy, pending, 20s);
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow");
  EXPECT_EQ(r.Header("connection"), "close");
  close(idle);
  close(busy);
}

// ---- HTTP/2 -------------------------------------------------------------------------------

using testing::H2Client;
using testing::H2Response;

TEST_F(HttpServerTest, Http2ServesConcurrentStreamsOnOneConnection) {
  Start();
  H2Client c(port_);
  ASSERT_TRUE(c.connected());
  // The slow answers wait until released: all three must be in their
  // handlers at once, side by side, not one after the other.
  handler_.hold_slow = true;
  std::uint32_t a = c.Request("GET", "/slow"), b = c.Request("GET", "/slow"),
                d = c.Request("GET", "/slow");
  std::uint32_t e =
      c.Request("POST", "/echo", {{"content-type", "text/plain"}}, std::string(100000, 'z'));
  H2Response echo = c.Await(e);
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.body, std::string(100000, 'z'));
  EXPECT_EQ(echo.Header("x-method"), "POST");
  EXPECT_TRUE(WaitUntil([&] { return handler_.slow_started.load() == 3; }))
      << handler_.slow_started.load();
  handler_.hold_slow = false;
  for (std::uint32_t id : {a, b, d}) {
    H2Response r = c.Await(id, 20s);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "slow");
  }
  H2Response streamed = c.Exchange("GET", "/stream");
  EXPECT_EQ(streamed.body, "one,two,three");
  H2Response missing = c.Exchange("GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("content-type"), "application/json");
  EXPECT_FALSE(c.goaway());
}

TEST_F(HttpServerTest, Http2SendsTrailers) {
  Start();
  H2Client c(port_);
  H2Response r = c.Exchange("POST", "/trailers", {{"content-type", "application/grpc"}}, "x");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "message");
  EXPECT_EQ(r.Trailer("grpc-status"), "0");
  EXPECT_EQ(r.Trailer("grpc-message"), "ok");
}

TEST_F(HttpServerTest, Http2RefusesMalformedRequestsBeforeTheHandler) {
  Start();
  H2Client c(port_);
  // Pseudo-headers missing or out of order, upper-case and connection-specific
  // fields: a stream error (PROTOCOL_ERROR), never the handler.
  std::vector<testing::Headers> bad = {
      {{":method", "GET"}, {":scheme", "http"}, {":authority", "t"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/echo"}, {"X-Upper", "1"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/echo"}, {"connection", "close"}},
      {{"x-first", "1"}, {":method", "GET"}, {":scheme", "http"}, {":path", "/echo"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/echo"}, {":bogus", "1"}},
  };
  for (const auto& h : bad) {
    std::uint32_t id = c.NextStreamId();
    c.SkipStreamId();
    c.SendFrame(testing::kHeaders, testing::kEndHeaders | testing::kEndStream, id, c.Encode(h));
    H2Response r = c.Await(id, 2s);
    EXPECT_EQ(r.status, 0);
    ASSERT_TRUE(r.reset.has_value()) << h[0].first;
    EXPECT_EQ(*r.reset, 1u);  // PROTOCOL_ERROR
  }
  // A :path that is not origin-form: refused (by nghttp2's stream error or
  // the HTTP/1.1 target check), never handled.
  H2Response abs = c.Exchange("GET", "http://evil/echo");
  EXPECT_TRUE(abs.status == 400 || (abs.reset && *abs.reset == 1u)) << abs.status;
  EXPECT_EQ(handler_.handled.load(), 0);
  // The connection still serves good requests.
  EXPECT_EQ(c.Exchange("GET", "/head").status, 200);
}

TEST_F(HttpServerTest, Http2HeaderBombsAndContinuationFloodsAreRefused) {
  ServerOptions o;
  o.request.max_header_bytes = 8192;
  Start(o);
  {
    // HPACK bomb: one 3000-byte field, then indexed references to it that
    // decode to 150 KB from a few hundred bytes on the wire.
    H2Client c(port_);
    testing::Headers h;
    for (int i = 0; i < 50; ++i) h.emplace_back("x-bomb", std::string(3000, 'b'));
    std::uint32_t id = c.Request("GET", "/echo", h);
    H2Response r = c.Await(id, 3s);
    EXPECT_TRUE(r.status == 431 || r.reset.has_value() || c.goaway().has_value())
        << "status " << r.status;
    EXPECT_NE(r.status, 200);
  }
  {
    // CONTINUATION flood: a header block that never ends.
    H2Client c(port_);
    std::string block = c.Encode({{":method", "GET"}, {":scheme", "http"}, {":path", "/echo"}});
    c.SendFrame(testing::kHeaders, 0, 1, block);
    for (int i = 0; i < 40; ++i) c.SendFrame(testing::kContinuation, 0, 1, c.Encode({{"x", "y"}}));
    c.Drain(3s);
    EXPECT_TRUE(c.goaway().has_value() || c.closed());
  }
  EXPECT_EQ(handler_.handled.load(), 0);
}

TEST_F(HttpServerTest, Http2RapidResetEndsTheConnection) {
  ServerOptions o;
  o.h2_max_resets_per_second = 50;
  o.h2_max_concurrent_streams = 20;
  Start(o);
  H2Client c(port_);
  for (int i = 0; i < 400; ++i) {
    std::uint32_t id = c.Request("GET", "/slow");
    c.SendFrame(testing::kRstStream, 0, id, std::string("\x00\x00\x00\x08", 4));  // CANCEL
  }
  c.Drain(3s);
  ASSERT_TRUE(c.goaway().has_value());
  EXPECT_EQ(*c.goaway(), 0xbu);  // ENHANCE_YOUR_CALM
  // Reset streams' handlers still counted: never more than the limit ran.
  EXPECT_LE(handler_.handled.load(), 20 + 1);
}

TEST_F(HttpServerTest, Http2FlowControlHolds) {
  ServerOptions o;
  o.h2_stream_window = 1000;
  o.request.max_body_bytes = 50000;
  Start(o);
  {
    // A DATA frame beyond the stream's window: FLOW_CONTROL_ERROR.
    H2Client c(port_);
    c.Drain(200ms);  // take the server's SETTINGS
    std::uint32_t id = c.Request("POST", "/echo", {}, "", false);
    c.SendFrame(testing::kData, testing::kEndStream, id, std::string(2000, 'w'));
    H2Response r = c.Await(id, 3s);
    bool flow_error = (r.reset && *r.reset == 3u) || (c.goaway() && *c.goaway() == 3u);
    EXPECT_TRUE(flow_error);
    EXPECT_NE(r.status, 200);
  }
  // A body within the window on a fresh connection is served.
  H2Client c(port_);
  c.Drain(200ms);
  H2Response r = c.Exchange("POST", "/echo", {}, std::string(900, 'q'));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 900u);
}

TEST_F(HttpServerTest, Http2BodyOverTheLimitIs413) {
  ServerOptions o;
  o.request.max_body_bytes = 1000;
  Start(o);
  H2Client c(port_);
  H2Response r = c.Exchange("POST", "/echo", {}, std::string(5000, 'q'));
  EXPECT_EQ(r.status, 413);
}

TEST_F(HttpServerTest, Http2DrainSendsGoawayAndFinishesStreamsInFlight) {
  Start();
  H2Client c(port_);
  // The handler answers only when released, once the GOAWAY is here: the
  // stream is surely in flight when the drain begins.
  handler_.hold_slow = true;
  std::uint32_t id = c.Request("GET", "/slow");
  ASSERT_TRUE(WaitUntil([&] { return handler_.slow_started.load() == 1; }));
  std::thread stopper([this] { server_->Stop(30s); });
  for (int i = 0; i < 400 && !c.goaway() && !c.closed(); ++i) c.Drain(50ms);
  handler_.hold_slow = false;
  H2Response r = c.Await(id, 20s);
  c.Drain(1s);
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow");
  ASSERT_TRUE(c.goaway().has_value());
  EXPECT_EQ(*c.goaway(), 0u);  // NO_ERROR
}

}  // namespace
}  // namespace rampart::http
