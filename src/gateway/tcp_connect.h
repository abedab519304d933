// The TCP half of connecting to an upstream, shared by the HTTP/1.1 pool
// (server.cc) and the HTTP/2 gRPC client (h2_upstream.cc): an address
// literal is connected to at once, a host name is resolved first; the
// stream's own expiry (set by the caller) bounds both.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstdint>
#include <string>

namespace rampart::gateway {

struct TcpConnectResult {
  boost::system::error_code ec;  // beast::error::timeout when the expiry passed
  bool unresolved = false;       // the host name did not resolve (ec is that error)
};

inline boost::asio::awaitable<TcpConnectResult> ConnectTcp(boost::beast::tcp_stream& s,
                                                           const std::string& host,
                                                           std::uint16_t port) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  constexpr auto use = asio::as_tuple(asio::use_awaitable);
  TcpConnectResult r;
  auto addr = asio::ip::make_address(host, r.ec);
  if (!r.ec) {
    auto [ec] = co_await s.async_connect(tcp::endpoint(addr, port), use);
    r.ec = ec;
    co_return r;
  }
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), use);
  if (rec) {
    r.ec = rec;
    r.unresolved = true;
    co_return r;
  }
  auto [ec, ep] = co_await s.async_connect(results, use);
  r.ec = ec;
  co_return r;
}

}  // namespace rampart::gateway
