// SocketDeadline (core/http/deadline.h): an expired deadline cancels the
// socket's pending operation and says so; a cleared or later one does not.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "core/http/deadline.h"

namespace rampart::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

struct Pair {
  asio::io_context ioc;
  tcp::socket a{ioc};
  tcp::socket b{ioc};
  Pair() {
    tcp::acceptor acc(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    a.connect(acc.local_endpoint());
    acc.accept(b);
  }
};

TEST(SocketDeadlineTest, APassedDeadlineCancelsThePendingReadAndSaysSo) {
  Pair p;
  SocketDeadline d(p.a);
  d.SetAt(SocketDeadline::Clock::now() - 1ms);
  char buf[16];
  error_code got;
  bool done = false;
  p.a.async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t) {
    got = ec;
    done = true;
  });
  p.ioc.run();  // ends once the read was cancelled (nothing else is pending)
  ASSERT_TRUE(done);
  EXPECT_EQ(got, asio::error::operation_aborted);
  EXPECT_TRUE(d.expired());
  d.Clear();
  EXPECT_TRUE(d.expired()) << "Clear keeps telling what ended the last operation";
  d.Set(1h);
  EXPECT_FALSE(d.expired()) << "a new deadline starts unexpired";
}

TEST(SocketDeadlineTest, AReadWithinItsDeadlineCompletesAndTheDeadlineStaysUnexpired) {
  Pair p;
  SocketDeadline d(p.a);
  d.Set(1h);
  char buf[16];
  error_code got = asio::error::would_block;
  std::size_t n = 0;
  p.a.async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t k) {
    got = ec;
    n = k;
    d.Clear();
  });
  asio::write(p.b, asio::buffer("hello", 5));
  // The read completes; the timer stays armed (an hour away) until the
  // deadline is destroyed, so run only until the read's handler ran.
  while (n == 0 && p.ioc.run_one() > 0) {
  }
  EXPECT_FALSE(got);
  EXPECT_EQ(n, 5u);
  EXPECT_FALSE(d.expired());
}

TEST(SocketDeadlineTest, AnEarlierDeadlineReplacesALaterOne) {
  Pair p;
  SocketDeadline d(p.a);
  d.Set(1h);
  d.SetAt(SocketDeadline::Clock::now() - 1ms);  // re-arms the timer for now
  char buf[16];
  error_code got;
  p.a.async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t) { got = ec; });
  p.ioc.run();
  EXPECT_EQ(got, asio::error::operation_aborted);
  EXPECT_TRUE(d.expired());
}

}  // namespace
}  // namespace rampart::http
