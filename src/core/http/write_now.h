// Sends what a non-blocking socket takes at once, without an asynchronous
// operation: a message that fits the socket's send buffer (the rule for a
// proxy's request heads and small responses) then costs one sendmsg and no
// operation object, coroutine frame or posted completion. The caller awaits
// an asynchronous write only for what is left.
//
// The socket must have been set non-blocking (socket.non_blocking(true));
// Asio's own asynchronous operations on it keep working. Linux sends with
// MSG_NOSIGNAL (a closed peer gives EPIPE, not SIGPIPE).
//
// Thread-safety: the socket's thread; no other write may be in flight.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <span>

namespace rampart::http {

// Writes what the socket takes now; returns what is left of `bufs` (the
// first buffer advanced past the bytes sent). On a failure other than "would
// block" sets *ec and returns an empty span.
inline std::span<boost::asio::const_buffer> WriteNow(boost::asio::ip::tcp::socket& socket,
                                                     std::span<boost::asio::const_buffer> bufs,
                                                     boost::system::error_code* ec) {
  std::size_t sent = socket.write_some(bufs, *ec);
  if (*ec == boost::asio::error::would_block || *ec == boost::asio::error::try_again) {
    ec->clear();
    return bufs;
  }
  if (*ec) return {};
  while (!bufs.empty() && sent >= bufs.front().size()) {
    sent -= bufs.front().size();
    bufs = bufs.subspan(1);
  }
  if (!bufs.empty()) bufs.front() += sent;
  return bufs;
}

}  // namespace rampart::http
