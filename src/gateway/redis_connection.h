// One asynchronous connection to Redis, driven by an asio io_context: the
// hiredis async API with its event hooks (addRead/delRead/addWrite/delWrite/
// cleanup) mapped onto async_waits on a stream_descriptor of the socket, so
// no call blocks the thread that runs the io_context.
//
// The connection resolves the host name on asio's resolver thread, connects
// without blocking, then authenticates, selects the database and runs the
// caller's setup commands (e.g. SCRIPT LOAD) before it reports itself up.
// After a loss, a refused connect, a failed handshake or no handshake within
// `connect_timeout`, it reconnects on its own after a backoff (100 ms,
// doubling to 2 s); while it waits, Send fails at once (fail fast) rather
// than queueing work a dead server will never answer.
//
// Not thread-safe. REQUIRES: every call, and the io_context's run, on one
// thread. The first Make on a thread blocks SIGPIPE for that thread: hiredis
// writes with write(2), and a Redis that went away must not kill the process.
#pragma once

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "gateway/redis_rate_limit.h"

namespace rampart::gateway::internal {

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  class Listener {
   public:
    // The reply to the command sent with `tag`, or null when the connection
    // was lost first (the command may or may not have run). Called from the
    // io_context's thread; the listener may Send from here.
    virtual void OnReply(std::uint64_t tag, const redisReply* reply) = 0;
    // The connection is up: authenticated, database selected, setup done.
    virtual void OnUp() = 0;

   protected:
    ~Listener() = default;
  };

  // Starts connecting at once. `listener` must outlive the connection or
  // its Close.
  static std::shared_ptr<RedisConnection> Make(boost::asio::io_context& ioc, RedisUrl url,
                                               std::chrono::milliseconds connect_timeout,
                                               std::vector<std::vector<std::string>> setup,
                                               Listener* listener);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Queues a command. OK: OnReply(tag, ...) follows exactly once (never
  // from inside Send). Unavailable (down, waiting to reconnect): nothing
  // was queued and OnReply does not follow.
  Status Send(const std::vector<std::string>& argv, std::uint64_t tag);

  bool up() const { return state_ == State::kUp; }
  // Why the connection is, or last went, down.
  const std::string& last_error() const { return last_error_; }
  std::string where() const;

  // Gives what hiredis still holds to write to the socket for up to
  // `flush` (blocking: for shutdown, off the I/O path), then closes. No
  // OnReply or OnUp follows. Idempotent; the destructor calls Close(0).
  void Close(std::chrono::milliseconds flush);

  struct Private;  // hiredis' C hooks

 private:
  enum class State { kDown, kResolving, kConnecting, kUp, kClosed };
  RedisConnection(boost::asio::io_context& ioc, RedisUrl url,
                  std::chrono::milliseconds connect_timeout,
                  std::vector<std::vector<std::string>> setup, Listener* listener);

  void StartConnect();
  void ConnectTo(const std::string& address);
  void Issue(const std::vector<std::string>& argv, std::uint64_t tag);
  void Down(std::string why);
  void Drop(std::string why);  // frees the hiredis context; Down follows from its cleanup
  void OnSetupReply(std::size_t step, const redisReply* reply);
  void OnCleanup();
  void AddRead();
  void AddWrite();
  void ArmTimer(std::chrono::steady_clock::time_point at);

  boost::asio::io_context& ioc_;
  const RedisUrl url_;
  const std::chrono::milliseconds connect_timeout_;
  // AUTH, SELECT, the caller's setup commands, then PING: the connection is
  // up when the PING answers.
  std::vector<std::vector<std::string>> handshake_;
  Listener* listener_;

  State state_ = State::kDown;
  redisAsyncContext* ac_ = nullptr;
  std::optional<boost::asio::posix::stream_descriptor> socket_;
  std::uint64_t generation_ = 0;  // of ac_: stale asio handlers check it
  bool want_read_ = false, read_waiting_ = false;
  bool want_write_ = false, write_waiting_ = false, flush_posted_ = false, in_flush_ = false;
  std::optional<boost::asio::steady_timer> timer_;  // connect timeout, then reconnect backoff
  std::uint64_t timer_generation_ = 0;
  std::optional<boost::asio::ip::tcp::resolver> resolver_;
  std::vector<std::pair<std::vector<std::string>, std::uint64_t>> queued_;  // while resolving
  std::chrono::milliseconds backoff_{100};
  std::chrono::steady_clock::time_point retry_at_{};
  std::string last_error_;
  std::string drop_reason_;  // why Drop freed the context, for OnCleanup
};

}  // namespace rampart::gateway::internal
