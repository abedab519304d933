// The short-read rule for Asio's reactor: after a read from a plain TCP
// socket returned fewer bytes than it asked for, the socket's receive queue
// was empty, so the next read should wait for the next readiness event
// instead of first trying `recv` (which would fail with EAGAIN).
//
// Why: Asio's epoll reactor starts every read on a socket that has been
// readable once with a speculative `recv`, and it stops doing so only at
// end of file. A proxy's reads mostly follow a write it knows the peer must
// answer first (the upstream's response after the request, the client's
// next request after the response), so each of them cost a failed system
// call: two per proxied request (docs/design/gateway-cost.md). Asio's other
// way to wait, `async_wait`, re-arms the descriptor with `epoll_ctl` every
// time, which costs more than the failed read.
//
// How: the reactor keeps a per-descriptor "try a speculative read" flag,
// set whenever epoll reports the descriptor readable and cleared only at end
// of file. `MarkReadDrained` clears it (under the descriptor's lock). Bytes
// that arrive after the short read raise a new edge, which sets the flag
// again and completes a queued read.
//
// The peer's FIN is the exception, and the reason for the second rule: a
// `recv` that reaches a FIN queued behind the data returns the data, short,
// and consumes the FIN; the next `recv` would return 0, but no new edge will
// come. So the socket is also registered for EPOLLRDHUP (once, on its first
// short read, which is therefore not marked), and a short read is not marked
// when the events epoll last reported for the socket include EPOLLRDHUP,
// EPOLLHUP or EPOLLERR. A FIN that arrives after that report raises an edge
// of its own, still to be harvested, which sets the flag again.
//
// The flag, the registration and the last events are private to Asio, so
// they are reached through explicit template instantiations (where access
// checks do not apply); the layout is Boost 1.81's (Debian 12) and later
// 1.8x, and for any other Boost or reactor the call does nothing (reads stay
// speculative, as before).
//
// Thread-safety: the socket's io_context must be run by one thread (the
// HTTP server's and the gateway's workers are): with several, another thread
// could harvest the new edge between the short read and the call, and the
// read queued next would wait for an edge that already came.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/version.hpp>
#include <concepts>
#include <cstddef>
#include <type_traits>

#if defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) && \
    BOOST_VERSION >= 108100 && BOOST_VERSION < 109000
#define RAMPART_READ_DRAINED_ENABLED 1
#include <sys/epoll.h>

#include <boost/asio/detail/epoll_reactor.hpp>
#include <boost/asio/detail/scheduler_operation.hpp>
#include <cstdint>
#else
#define RAMPART_READ_DRAINED_ENABLED 0
#endif

namespace rampart::http {

#if RAMPART_READ_DRAINED_ENABLED
namespace read_drained_detail {

namespace ad = boost::asio::detail;
using Reactor = ad::epoll_reactor;
static_assert(std::is_same_v<ad::reactor, Reactor>, "the sockets' reactor is not epoll");
using State = std::remove_pointer_t<Reactor::per_descriptor_data>;
using Socket = boost::asio::basic_socket<boost::asio::ip::tcp, boost::asio::any_io_executor>;

// A member pointer obtained where access is not checked: explicit
// instantiations may name private members ([temp.spec.general]).
template <class Tag, typename Tag::type kMember>
struct Reach {
  friend typename Tag::type Member(Tag) { return kMember; }
};

struct SpeculativeFlags {
  using type = bool (State::*)[Reactor::max_ops];
  friend type Member(SpeculativeFlags);
};
struct DescriptorMutex {
  using type = ad::conditionally_enabled_mutex State::*;
  friend type Member(DescriptorMutex);
};

struct RegisteredEvents {
  using type = std::uint32_t State::*;
  friend type Member(RegisteredEvents);
};
struct DescriptorFd {
  using type = int State::*;
  friend type Member(DescriptorFd);
};
struct ReactorOf {
  using type = Reactor* State::*;
  friend type Member(ReactorOf);
};
struct EpollFd {
  using type = int Reactor::*;
  friend type Member(EpollFd);
};
// The events epoll last reported for the descriptor (the descriptor state is
// the reactor's scheduler operation; the events are its "task result").
struct LastEvents {
  using type = unsigned int ad::scheduler_operation::*;
  friend type Member(LastEvents);
};

template struct Reach<SpeculativeFlags, &State::try_speculative_>;
template struct Reach<DescriptorMutex, &State::mutex_>;
template struct Reach<RegisteredEvents, &State::registered_events_>;
template struct Reach<DescriptorFd, &State::descriptor_>;
template struct Reach<ReactorOf, &State::reactor_>;
template struct Reach<EpollFd, &Reactor::epoll_fd_>;
template struct Reach<LastEvents, &ad::scheduler_operation::task_result_>;

// The socket's implementation, reached as a class derived from it may.
struct ImplAccess : Socket {
  static State* StateOf(Socket& s) {
    return (s.*(&ImplAccess::impl_)).get_implementation().reactor_data_;
  }
};

// f(state) under the descriptor's lock, or `none` for a socket not open.
template <class R, class F>
R Locked(Socket& socket, R none, F&& f) {
  State* state = ImplAccess::StateOf(socket);
  if (state == nullptr) return none;
  ad::conditionally_enabled_mutex::scoped_lock lock(state->*Member(DescriptorMutex{}));
  return f(state);
}

}  // namespace read_drained_detail
#endif

// Whether MarkReadDrained takes effect with this Boost (false: it does nothing).
inline constexpr bool kReadDrainedEnabled = RAMPART_READ_DRAINED_ENABLED != 0;

// The socket's receive queue was found empty: its next read waits for
// readiness instead of trying `recv` first. Returns whether it was marked:
// not on the socket's first call (which registers it for EPOLLRDHUP), nor
// when the peer's FIN may already have been read (see above).
inline bool MarkReadDrained(boost::asio::ip::tcp::socket& socket) {
#if RAMPART_READ_DRAINED_ENABLED
  namespace d = read_drained_detail;
  return d::Locked(socket, false, [](d::State* state) {
    std::uint32_t& registered = state->*Member(d::RegisteredEvents{});
    if (registered == 0) return false;  // not in the reactor
    if ((registered & EPOLLRDHUP) == 0) {
      epoll_event ev = {};
      ev.events = registered | EPOLLRDHUP;
      ev.data.ptr = state;
      const int epoll_fd = (state->*Member(d::ReactorOf{}))->*Member(d::EpollFd{});
      if (::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, state->*Member(d::DescriptorFd{}), &ev) == 0) {
        registered |= EPOLLRDHUP;
      }
      return false;
    }
    // The C-style cast reaches the private base, as only it may.
    const unsigned int last = ((d::ad::scheduler_operation*)state)->*Member(d::LastEvents{});
    if ((last & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) return false;
    (state->*Member(d::SpeculativeFlags{}))[d::Reactor::read_op] = false;
    return true;
  });
#else
  (void)socket;
  return false;
#endif
}

// After a read of `got` bytes into room for `asked`: a short read drained
// the socket. (A read that filled its buffer may have left bytes behind.)
inline void NoteRead(boost::asio::ip::tcp::socket& socket, std::size_t asked, std::size_t got) {
  if (got > 0 && got < asked) MarkReadDrained(socket);
}

// The same for a stream over a plain socket: the socket itself, or a stream
// whose socket() is one (beast::tcp_stream). For others (TLS) nothing: their
// own reads of the socket are not the caller's to judge.
template <class Stream>
inline void NoteReadOn(Stream& stream, std::size_t asked, std::size_t got) {
  if constexpr (std::is_same_v<Stream, boost::asio::ip::tcp::socket>) {
    NoteRead(stream, asked, got);
  } else if constexpr (requires {
                         { stream.socket() } -> std::same_as<boost::asio::ip::tcp::socket&>;
                       }) {
    NoteRead(stream.socket(), asked, got);
  }
}

// For tests: whether the socket's next read starts with a speculative `recv`.
inline bool ReadIsSpeculative(boost::asio::ip::tcp::socket& socket) {
#if RAMPART_READ_DRAINED_ENABLED
  namespace d = read_drained_detail;
  return d::Locked(socket, false, [](d::State* state) {
    return (state->*Member(d::SpeculativeFlags{}))[d::Reactor::read_op];
  });
#else
  (void)socket;
  return true;
#endif
}

}  // namespace rampart::http
