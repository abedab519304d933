#include "gateway/redis_connection.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <cerrno>

namespace rampart::gateway::internal {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

void BlockSigpipeOnThisThread() {
  static thread_local bool blocked = false;
  if (blocked) return;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
  blocked = true;
}

}  // namespace

// hiredis calls C functions with the `ev.data` and `data` pointers we set.
struct RedisConnection::Private {
  static RedisConnection* Self(void* p) { return static_cast<RedisConnection*>(p); }
  static void AddRead(void* p) { Self(p)->AddRead(); }
  static void DelRead(void* p) { Self(p)->want_read_ = false; }
  static void AddWrite(void* p) { Self(p)->AddWrite(); }
  static void DelWrite(void* p) { Self(p)->want_write_ = false; }
  static void Cleanup(void* p) { Self(p)->OnCleanup(); }
  static void Reply(redisAsyncContext* ac, void* reply, void* tag) {
    RedisConnection* self = Self(ac->data);
    if (self->listener_ != nullptr) {
      self->listener_->OnReply(reinterpret_cast<std::uintptr_t>(tag),
                               static_cast<const redisReply*>(reply));
    }
  }
  static void Setup(redisAsyncContext* ac, void* reply, void* step) {
    Self(ac->data)->OnSetupReply(reinterpret_cast<std::uintptr_t>(step),
                                 static_cast<const redisReply*>(reply));
  }
};

std::shared_ptr<RedisConnection> RedisConnection::Make(asio::io_context& ioc, RedisUrl url,
                                                       std::chrono::milliseconds connect_timeout,
                                                       std::vector<std::vector<std::string>> setup,
                                                       Listener* listener) {
  BlockSigpipeOnThisThread();
  std::shared_ptr<RedisConnection> c(
      new RedisConnection(ioc, std::move(url), connect_timeout, std::move(setup), listener));
  c->StartConnect();
  return c;
}

RedisConnection::RedisConnection(asio::io_context& ioc, RedisUrl url,
                                 std::chrono::milliseconds connect_timeout,
                                 std::vector<std::vector<std::string>> setup, Listener* listener)
    : ioc_(ioc), url_(std::move(url)), connect_timeout_(connect_timeout), listener_(listener) {
  if (!url_.password.empty()) {
    if (url_.user.empty()) {
      handshake_.push_back({"AUTH", url_.password});
    } else {
      handshake_.push_back({"AUTH", url_.user, url_.password});
    }
  }
  if (url_.db != 0) handshake_.push_back({"SELECT", std::to_string(url_.db)});
  for (auto& s : setup) handshake_.push_back(std::move(s));
  handshake_.push_back({"PING"});
  timer_.emplace(ioc_);
  resolver_.emplace(ioc_);
}

RedisConnection::~RedisConnection() { Close(std::chrono::milliseconds(0)); }

std::string RedisConnection::where() const {
  bool v6 = url_.host.find(':') != std::string::npos;
  return (v6 ? "[" + url_.host + "]" : url_.host) + ":" + std::to_string(url_.port);
}

Status RedisConnection::Send(const std::vector<std::string>& argv, std::uint64_t tag) {
  if (state_ == State::kClosed) return UnavailableError("redis " + where() + ": closed");
  if (state_ == State::kDown) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - Steady::now());
    if (wait.count() > 0) {
      return UnavailableError("redis " + where() + ": " + last_error_ + " (next attempt in " +
                              std::to_string(wait.count()) + " ms)");
    }
    StartConnect();
    if (state_ == State::kDown) return UnavailableError("redis " + where() + ": " + last_error_);
  }
  if (state_ == State::kResolving) {
    queued_.emplace_back(argv, tag);
    return OkStatus();
  }
  std::vector<const char*> p;
  std::vector<std::size_t> len;
  p.reserve(argv.size());
  len.reserve(argv.size());
  for (const auto& a : argv) {
    p.push_back(a.data());
    len.push_back(a.size());
  }
  if (redisAsyncCommandArgv(ac_, &Private::Reply, reinterpret_cast<void*>(tag),
                            static_cast<int>(p.size()), p.data(), len.data()) != REDIS_OK) {
    return UnavailableError("redis " + where() + ": the connection is closing");
  }
  return OkStatus();
}

void RedisConnection::StartConnect() {
  state_ = State::kResolving;
  ArmTimer(Steady::now() + connect_timeout_);
  boost::system::error_code ec;
  asio::ip::make_address(url_.host, ec);
  if (!ec) {
    ConnectTo(url_.host);
    return;
  }
  // getaddrinfo blocks, so it runs on asio's resolver thread, never on this one.
  resolver_->async_resolve(
      url_.host, std::to_string(url_.port),
      [weak = weak_from_this()](const boost::system::error_code& ec,
                                const asio::ip::tcp::resolver::results_type& results) {
        auto self = weak.lock();
        if (!self || self->state_ != State::kResolving || ec == asio::error::operation_aborted) {
          return;
        }
        if (ec || results.empty()) {
          self->Down("cannot resolve " + self->url_.host + ": " +
                     (ec ? ec.message() : std::string("no address")));
          return;
        }
        self->ConnectTo(results.begin()->endpoint().address().to_string());
      });
}

void RedisConnection::ConnectTo(const std::string& address) {
  state_ = State::kConnecting;
  // A numeric address: hiredis' getaddrinfo does no lookup, and the TCP
  // connect itself is non-blocking.
  ac_ = redisAsyncConnect(address.c_str(), url_.port);
  if (ac_ == nullptr) {
    Down("cannot allocate a connection");
    return;
  }
  if (ac_->err != 0) {
    std::string why = ac_->errstr;
    redisAsyncFree(ac_);  // no hooks attached yet: nothing calls back
    ac_ = nullptr;
    Down(why);
    return;
  }
  redisEnableKeepAlive(&ac_->c);
  boost::system::error_code ec;
  socket_.emplace(ioc_);
  socket_->assign(ac_->c.fd, ec);
  if (ec) {
    socket_.reset();
    redisAsyncFree(ac_);
    ac_ = nullptr;
    Down("cannot watch the socket: " + ec.message());
    return;
  }
  ++generation_;
  ac_->data = this;
  ac_->ev.data = this;
  ac_->ev.addRead = &Private::AddRead;
  ac_->ev.delRead = &Private::DelRead;
  ac_->ev.addWrite = &Private::AddWrite;
  ac_->ev.delWrite = &Private::DelWrite;
  ac_->ev.cleanup = &Private::Cleanup;
  for (std::size_t i = 0; i < handshake_.size(); ++i) {
    std::vector<const char*> p;
    std::vector<std::size_t> len;
    for (const auto& a : handshake_[i]) {
      p.push_back(a.data());
      len.push_back(a.size());
    }
    redisAsyncCommandArgv(ac_, &Private::Setup, reinterpret_cast<void*>(std::uintptr_t{i}),
                          static_cast<int>(p.size()), p.data(), len.data());
  }
  // Commands that arrived while the name was being resolved follow the handshake.
  auto queued = std::move(queued_);
  queued_.clear();
  for (auto& [argv, tag] : queued) {
    if (!Send(argv, tag).ok() && listener_ != nullptr) listener_->OnReply(tag, nullptr);
  }
}

void RedisConnection::OnSetupReply(std::size_t step, const redisReply* reply) {
  if (state_ != State::kConnecting || reply == nullptr) return;  // lost: OnCleanup follows
  if (reply->type == REDIS_REPLY_ERROR) {
    // handshake_[step][0] is the command name; never log its arguments (a password).
    Drop(handshake_[step][0] + " failed: " + std::string(reply->str, reply->len));
    return;
  }
  if (step + 1 != handshake_.size()) return;
  state_ = State::kUp;
  backoff_ = kFirstBackoff;
  ++timer_generation_;
  timer_->cancel();
  spdlog::info("redis {}: connected", where());
  last_error_.clear();
  if (listener_ != nullptr) listener_->OnUp();
}

void RedisConnection::Drop(std::string why) {
  if (ac_ == nullptr) return;
  drop_reason_ = std::move(why);
  // Inside a hiredis callback the free is deferred until the callback returns.
  redisAsyncFree(ac_);
}

void RedisConnection::OnCleanup() {
  // hiredis frees the context after this: every reply callback has run.
  std::string why = !drop_reason_.empty()               ? std::move(drop_reason_)
                    : (ac_ != nullptr && ac_->err != 0) ? std::string(ac_->errstr)
                                                        : std::string("connection closed");
  drop_reason_.clear();
  if (socket_) {
    socket_->release();  // hiredis closes the descriptor itself
    socket_.reset();
  }
  ++generation_;
  ac_ = nullptr;
  want_read_ = read_waiting_ = false;
  want_write_ = write_waiting_ = flush_posted_ = false;
  if (state_ != State::kClosed) Down(std::move(why));
}

void RedisConnection::Down(std::string why) {
  bool was_up = state_ == State::kUp;
  state_ = State::kDown;
  if (was_up || why != last_error_) {
    spdlog::warn("redis {}: {}{}; retrying in {} ms", where(), was_up ? "connection lost: " : "",
                 why, backoff_.count());
  }
  last_error_ = std::move(why);
  retry_at_ = Steady::now() + backoff_;
  backoff_ = std::min(2 * backoff_, kMaxBackoff);
  ArmTimer(retry_at_);
  auto queued = std::move(queued_);
  queued_.clear();
  for (auto& q : queued) {
    if (listener_ != nullptr) listener_->OnReply(q.second, nullptr);
  }
}

void RedisConnection::ArmTimer(Steady::time_point at) {
  timer_->expires_at(at);
  // A wait that had already fired when the timer was re-armed still runs,
  // with success: the generation tells it apart.
  timer_->async_wait(
      [weak = weak_from_this(), gen = ++timer_generation_](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || gen != self->timer_generation_) return;  // cancelled or re-armed
        switch (self->state_) {
          case State::kDown:
            self->StartConnect();
            break;
          case State::kResolving:
            self->resolver_->cancel();
            self->Down("no connection within " + std::to_string(self->connect_timeout_.count()) +
                       " ms");
            break;
          case State::kConnecting:
            self->Drop("no answer to the connection handshake within " +
                       std::to_string(self->connect_timeout_.count()) + " ms");
            break;
          case State::kUp:
          case State::kClosed:
            break;
        }
      });
}

void RedisConnection::AddRead() {
  want_read_ = true;
  if (read_waiting_ || !socket_) return;
  read_waiting_ = true;
  socket_->async_wait(asio::posix::stream_descriptor::wait_read,
                      [weak = weak_from_this(), gen = generation_](boost::system::error_code) {
                        auto self = weak.lock();
                        if (!self || self->generation_ != gen) return;
                        self->read_waiting_ = false;
                        // A socket error surfaces from the read itself.
                        if (self->want_read_) redisAsyncHandleRead(self->ac_);
                      });
}

void RedisConnection::AddWrite() {
  want_write_ = true;
  if (!socket_) return;
  bool connected = (ac_->c.flags & REDIS_CONNECTED) != 0;
  if (connected && !in_flush_) {
    // The socket is almost always writable: write on the next turn of the
    // loop (one write for every command queued until then) instead of
    // asking epoll first.
    if (flush_posted_) return;
    flush_posted_ = true;
    asio::post(ioc_, [weak = weak_from_this(), gen = generation_] {
      auto self = weak.lock();
      if (!self || self->generation_ != gen) return;
      self->flush_posted_ = false;
      if (!self->want_write_) return;
      self->in_flush_ = true;
      redisAsyncHandleWrite(self->ac_);
      self->in_flush_ = false;
    });
    return;
  }
  // Connecting, or the socket buffer is full: wait until it is writable.
  if (write_waiting_) return;
  write_waiting_ = true;
  socket_->async_wait(asio::posix::stream_descriptor::wait_write,
                      [weak = weak_from_this(), gen = generation_](boost::system::error_code) {
                        auto self = weak.lock();
                        if (!self || self->generation_ != gen) return;
                        self->write_waiting_ = false;
                        if (self->want_write_) redisAsyncHandleWrite(self->ac_);
                      });
}

void RedisConnection::Close(std::chrono::milliseconds flush) {
  if (state_ == State::kClosed) return;
  listener_ = nullptr;
  state_ = State::kClosed;
  // The asio objects go now: Close may run while the io_context shuts down.
  if (timer_) {
    timer_->cancel();
    timer_.reset();
  }
  if (resolver_) {
    resolver_->cancel();
    resolver_.reset();
  }
  queued_.clear();
  if (ac_ == nullptr) return;
  if ((ac_->c.flags & REDIS_CONNECTED) != 0 && ac_->c.obuf != nullptr && flush.count() > 0) {
    // Best effort, so settlements queued just before a shutdown reach Redis.
    // send(MSG_NOSIGNAL): this thread may not have SIGPIPE blocked.
    const char* buf = ac_->c.obuf;
    std::size_t len = sdslen(ac_->c.obuf), off = 0;
    auto deadline = Steady::now() + flush;
    while (off < len) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
      if (left.count() <= 0) break;
      pollfd p{ac_->c.fd, POLLOUT, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) != 1) break;
      ssize_t n = send(ac_->c.fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        break;
      }
    }
  }
  redisAsyncFree(ac_);  // OnCleanup runs inside
  ac_ = nullptr;
}

}  // namespace rampart::gateway::internal
