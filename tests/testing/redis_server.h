// A private redis-server for tests that pause, kill or restart it (the
// shared one from scripts/test-services.sh must never be disturbed): on a
// free loopback port, no persistence, DEBUG enabled (DEBUG SLEEP).
#pragma once

#include <hiredis/hiredis.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "testing/testing.h"

namespace rampart::testing {

class RedisServer {
 public:
  // Whether redis-server can be run (use with RAMPART_NEEDS).
  static bool Available() { return Run({"redis-server", "--version"}).exit_code == 0; }

  RedisServer() : port_(FreePort()) {}

  // Starts (or restarts, on the same port) and waits until it answers PING.
  bool Start() {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"redis-server", "--bind", "127.0.0.1", "--port",
                                 std::to_string(port_), "--dir", dir_.path().string(), "--save", "",
                                 "--appendonly", "no", "--enable-debug-command", "yes"},
        dir_.path());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Ping()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // SIGKILL: the connections die without a goodbye.
  void Kill() {
    if (process_) process_->Stop(SIGKILL);
    process_.reset();
  }

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  // A fresh synchronous connection for checks and faults from outside.
  struct Conn {
    redisContext* c = nullptr;
    ~Conn() {
      if (c != nullptr) redisFree(c);
    }
    // The reply to `argv`, or null.
    std::unique_ptr<redisReply, void (*)(void*)> Command(const std::vector<std::string>& argv) {
      std::vector<const char*> p;
      std::vector<std::size_t> len;
      for (const auto& a : argv) {
        p.push_back(a.data());
        len.push_back(a.size());
      }
      return {static_cast<redisReply*>(
                  redisCommandArgv(c, static_cast<int>(p.size()), p.data(), len.data())),
              freeReplyObject};
    }
    long long Integer(const std::vector<std::string>& argv) {
      auto r = Command(argv);
      return (r && r->type == REDIS_REPLY_INTEGER) ? r->integer : -999;
    }
    // Sends without waiting for the reply (DEBUG SLEEP blocks the server).
    void SendOnly(const std::vector<std::string>& argv) {
      std::vector<const char*> p;
      std::vector<std::size_t> len;
      for (const auto& a : argv) {
        p.push_back(a.data());
        len.push_back(a.size());
      }
      redisAppendCommandArgv(c, static_cast<int>(p.size()), p.data(), len.data());
      int done = 0;
      while (done == 0 && redisBufferWrite(c, &done) == REDIS_OK) {
      }
    }
  };
  std::unique_ptr<Conn> Connect() const {
    auto conn = std::make_unique<Conn>();
    timeval tv{5, 0};
    conn->c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    if (conn->c != nullptr && conn->c->err == 0) redisSetTimeout(conn->c, tv);
    return conn;
  }

 private:
  bool Ping() const {
    auto conn = Connect();
    if (conn->c == nullptr || conn->c->err != 0) return false;
    auto r = conn->Command({"PING"});
    return r && r->type == REDIS_REPLY_STATUS;
  }

  TempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

}  // namespace rampart::testing
