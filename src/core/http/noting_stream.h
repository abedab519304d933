// The short-read rule (core/http/read_drained.h) for TLS: Asio's SSL layer
// reads the socket itself, into its own buffer, so the code above it never
// sees how much a read of the socket returned. These are the layers the TLS
// stream is built on instead: a plain socket (`NotingSocket`) and a Beast
// `tcp_stream` (`NotingTcpStream`) whose `async_read_some` notes a short read
// on the socket before completing, so that the next read waits for readiness
// instead of first failing with EAGAIN.
//
// They are used only as the next layer of a TLS stream, which calls
// `async_read_some` with its own handler; the wrapper handler forwards every
// association (executor, allocator, cancellation slot) and the continuation
// hint to it. Writes and everything else are the base class's.
#pragma once

#include <boost/asio/associator.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/handler_cont_helpers.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "core/http/read_drained.h"

namespace rampart::http {

template <class Handler>
class NoteReadHandler {
 public:
  NoteReadHandler(boost::asio::ip::tcp::socket& socket, std::size_t asked, Handler handler)
      : socket_(&socket), asked_(asked), handler_(std::move(handler)) {}

  void operator()(boost::system::error_code ec, std::size_t n) {
    NoteRead(*socket_, asked_, n);
    std::move(handler_)(ec, n);
  }

  friend bool asio_handler_is_continuation(NoteReadHandler* h) {
    return boost_asio_handler_cont_helpers::is_continuation(h->handler_);
  }

  boost::asio::ip::tcp::socket* socket_;
  std::size_t asked_;
  Handler handler_;
};

// A plain socket as the next layer of `asio::ssl::stream`.
class NotingSocket : public boost::asio::ip::tcp::socket {
 public:
  explicit NotingSocket(boost::asio::ip::tcp::socket&& socket)
      : boost::asio::ip::tcp::socket(std::move(socket)) {}

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::asio::ip::tcp::socket::async_read_some(
        buffers, NoteReadHandler<std::decay_t<Handler>>(*this, boost::asio::buffer_size(buffers),
                                                        std::forward<Handler>(handler)));
  }
};

// A Beast tcp_stream (timeouts included) as the next layer of
// `beast::ssl_stream`.
class NotingTcpStream : public boost::beast::tcp_stream {
 public:
  using boost::beast::tcp_stream::basic_stream;
  explicit NotingTcpStream(boost::beast::tcp_stream&& stream)
      : boost::beast::tcp_stream(std::move(stream)) {}

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::beast::tcp_stream::async_read_some(
        buffers, NoteReadHandler<std::decay_t<Handler>>(socket(), boost::asio::buffer_size(buffers),
                                                        std::forward<Handler>(handler)));
  }
};

}  // namespace rampart::http

namespace boost::asio {

template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, rampart::http::NoteReadHandler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const rampart::http::NoteReadHandler<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_);
  }
  static auto get(const rampart::http::NoteReadHandler<Handler>& h,
                  const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler_, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace boost::asio
