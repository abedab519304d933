// The short-read rule (core/http/read_drained.h): a short read turns the
// socket's next read from a speculative `recv` into a wait for readiness,
// and no byte or end of file is ever missed because of it — whether it
// arrives after the next read was queued, before it, or between the short
// read and the mark.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "core/http/read_drained.h"

namespace rampart::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

struct Pair {
  asio::io_context ioc{1};
  tcp::socket a{ioc};
  tcp::socket b{ioc};
  Pair() {
    tcp::acceptor acc(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    a.connect(acc.local_endpoint());
    acc.accept(b);
    b.non_blocking(true);
  }
  void Send(std::string_view bytes) { asio::write(a, asio::buffer(bytes)); }

  // One read on `b` of up to `room` bytes, run until it completes or 5 s pass.
  struct Result {
    error_code ec;
    std::string bytes;
  };
  std::optional<Result> Read(std::size_t room, std::chrono::milliseconds limit = 5000ms) {
    std::optional<Result> got;
    buf.resize(room);
    b.async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t n) {
      got = Result{ec, buf.substr(0, n)};
    });
    ioc.restart();
    ioc.run_for(limit);
    if (!got) {  // cancelled so that the handler does not outlive `got`
      b.cancel();
      ioc.restart();
      ioc.run();
      return std::nullopt;
    }
    return got;
  }
  std::string buf;
};

TEST(ReadDrainedTest, IsInEffectWithThisBoost) {
  // Debian 12's Boost (1.81) with the epoll reactor: the rule must not have
  // turned itself off.
  EXPECT_TRUE(kReadDrainedEnabled);
}

TEST(ReadDrainedTest, AShortReadMakesTheNextReadWaitAndAFullOneDoesNot) {
  Pair p;
  p.Send("0123456789");
  auto r = p.Read(4);  // fills its buffer: bytes may be left
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bytes, "0123");
  NoteRead(p.b, 4, r->bytes.size());
  EXPECT_TRUE(ReadIsSpeculative(p.b));

  r = p.Read(64);  // the rest, short: the socket is drained
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bytes, "456789");
  NoteRead(p.b, 64, r->bytes.size());
  EXPECT_FALSE(ReadIsSpeculative(p.b));

  // A zero-byte result (end of file, an error) marks nothing.
  Pair q;
  NoteRead(q.b, 64, 0);
  EXPECT_TRUE(ReadIsSpeculative(q.b));
}

TEST(ReadDrainedTest, BytesSentAfterTheMarkCompleteTheQueuedRead) {
  Pair p;
  p.Send("head");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteRead(p.b, 64, r->bytes.size());
  ASSERT_FALSE(ReadIsSpeculative(p.b));

  // Nothing there: the read waits (and is not completed by a stale state).
  std::optional<Pair::Result> got;
  std::string buf(64, '\0');
  p.b.async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t n) {
    got = Pair::Result{ec, buf.substr(0, n)};
  });
  p.ioc.restart();
  p.ioc.run_for(50ms);
  EXPECT_FALSE(got);
  p.Send("next");
  p.ioc.restart();
  p.ioc.run_for(5000ms);
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->ec);
  EXPECT_EQ(got->bytes, "next");
}

TEST(ReadDrainedTest, BytesThatArriveBetweenTheShortReadAndTheMarkAreRead) {
  Pair p;
  p.Send("first");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bytes, "first");
  // The peer's next bytes land before the mark (the epoll edge is raised,
  // not yet harvested): the mark must not make the read miss them.
  p.Send("second");
  std::this_thread::sleep_for(10ms);
  NoteRead(p.b, 64, r->bytes.size());
  r = p.Read(64);
  ASSERT_TRUE(r) << "the read waited for an edge that had already come";
  EXPECT_FALSE(r->ec);
  EXPECT_EQ(r->bytes, "second");
}

TEST(ReadDrainedTest, BytesThatArriveWhileNoReadIsQueuedAreRead) {
  Pair p;
  p.Send("first");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteRead(p.b, 64, r->bytes.size());
  ASSERT_FALSE(ReadIsSpeculative(p.b));
  // The edge is harvested while the connection does something else (the
  // proxy awaiting its upstream): the reactor notes it, and the next read
  // finds the bytes at once.
  p.Send("pipelined");
  asio::steady_timer other_work(p.ioc, 50ms);  // keeps the loop (and epoll) running
  other_work.async_wait([](error_code) {});
  p.ioc.restart();
  p.ioc.run();
  EXPECT_TRUE(ReadIsSpeculative(p.b));
  r = p.Read(64, 1000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bytes, "pipelined");
}

TEST(ReadDrainedTest, EndOfFileAfterTheMarkEndsTheRead) {
  Pair p;
  p.Send("last");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteRead(p.b, 64, r->bytes.size());
  p.a.shutdown(tcp::socket::shutdown_send);
  r = p.Read(64);
  ASSERT_TRUE(r) << "a half-close after the mark must end the read";
  EXPECT_EQ(r->ec, asio::error::eof);

  // And a reset.
  Pair q;
  q.Send("x");
  r = q.Read(64);
  ASSERT_TRUE(r);
  NoteRead(q.b, 64, r->bytes.size());
  q.a.set_option(asio::socket_base::linger(true, 0));
  q.a.close();
  r = q.Read(64);
  ASSERT_TRUE(r) << "a reset after the mark must end the read";
  EXPECT_TRUE(r->ec);
}

TEST(ReadDrainedTest, NoteReadOnReachesTheSocketOfAStreamAndLeavesOthers) {
  Pair p;
  p.Send("ab");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteReadOn(p.b, 64, r->bytes.size());
  EXPECT_FALSE(ReadIsSpeculative(p.b));
  struct NotASocket {
  } other;
  NoteReadOn(other, 64, 2);  // compiles to nothing
}

}  // namespace
}  // namespace rampart::http
