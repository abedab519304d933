// A deadline on a socket's operations that costs no timer operation per I/O.
//
// beast::tcp_stream arms a timer for every read and write that has an
// expiry and cancels it when the operation completes: per operation a
// timer-queue insert and removal under the reactor's lock, and one more
// handler run for the cancelled wait. A proxy does four to six such
// operations per request, each finishing in microseconds against a deadline
// seconds away. A SocketDeadline instead keeps one timer per socket armed
// lazily: Set() only stores the new deadline (and arms the timer when none
// is armed, or when the new deadline is earlier than the armed one); when
// the timer fires before the stored deadline it re-arms itself for it. An
// expired deadline cancels the socket's pending operations (they complete
// with operation_aborted; expired() then tells a timeout from any other
// cancellation), so the caller answers 408/504 or closes, as with
// tcp_stream's timeout.
//
// Thread-safety: one strand or thread (the socket's); the timer's handler
// runs on the socket's executor. The socket must outlive the SocketDeadline.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace rampart::http {

class SocketDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SocketDeadline(boost::asio::ip::tcp::socket& socket)
      : s_(std::make_shared<State>(socket)) {}
  ~SocketDeadline() {
    s_->socket = nullptr;  // the pending handler, if any, finds no socket
    s_->timer.cancel();
  }
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // Operations from now on must finish within `d` (from now).
  void Set(Clock::duration d) { SetAt(Clock::now() + d); }
  void SetAt(Clock::time_point t) {
    s_->expired = false;
    s_->deadline = t;
    if (!s_->armed || t < s_->timer.expiry()) Arm(s_);
  }
  // No deadline (the timer, if armed, finds none when it fires and stops).
  // expired() keeps telling whether the deadline cleared had passed.
  void Clear() { s_->deadline = Clock::time_point::max(); }
  // True when the deadline passed and the socket's operations were
  // cancelled, until the next Set.
  bool expired() const { return s_->expired; }

 private:
  struct State {
    explicit State(boost::asio::ip::tcp::socket& s) : socket(&s), timer(s.get_executor()) {}
    boost::asio::ip::tcp::socket* socket;
    boost::asio::steady_timer timer;
    Clock::time_point deadline = Clock::time_point::max();
    bool armed = false;
    bool expired = false;
  };

  static void Arm(const std::shared_ptr<State>& s) {
    s->armed = true;
    s->timer.expires_at(s->deadline);  // cancels a wait armed for a later time
    s->timer.async_wait([s](const boost::system::error_code& ec) { Fired(s, ec); });
  }

  static void Fired(const std::shared_ptr<State>& s, const boost::system::error_code& ec) {
    if (s->socket == nullptr) return;  // the owner is gone
    if (ec) {
      // Cancelled: by a re-arm for an earlier deadline (whose own wait is
      // pending and keeps `armed`), or by the owner's destructor.
      return;
    }
    if (s->deadline == Clock::time_point::max()) {
      s->armed = false;
      return;
    }
    if (Clock::now() < s->deadline) {
      Arm(s);  // moved later since the timer was armed
      return;
    }
    s->armed = false;
    s->expired = true;
    boost::system::error_code ignored;
    s->socket->cancel(ignored);
  }

  std::shared_ptr<State> s_;
};

}  // namespace rampart::http
