// The gateway with Redis-backed limits when Redis misbehaves: the real
// `rampart gateway serve` (one I/O thread) and stand-in upstream processes,
// a private redis-server this test pauses and kills, raw HTTP/1.1 clients.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include "testing/redis_server.h"
#include "testing/testing.h"

namespace rampart {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  Steady::time_point done;
};

// POST /v1/chat/completions on a fresh connection, read until the server closes.
Reply Chat(int port, const std::string& key) {
  Reply r;
  std::string body = R"({"model":"chat-7b","messages":[{"role":"user","content":"hi"}]})";
  std::string req =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + key +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return r;
  }
  send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  r.done = Steady::now();
  std::size_t he = got.find("\r\n\r\n");
  if (got.size() < 12 || he == std::string::npos) return r;
  r.status = std::atoi(got.c_str() + 9);
  r.body = got.substr(he + 4);
  std::size_t pos = got.find("\r\n") + 2;
  while (pos < he) {
    std::size_t end = got.find("\r\n", pos);
    std::string line = got.substr(pos, end - pos);
    pos = end + 2;
    std::size_t c = line.find(':');
    if (c == std::string::npos) continue;
    std::string name = line.substr(0, c);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    r.headers[name] = line.substr(line.find_first_not_of(' ', c + 1));
  }
  return r;
}

constexpr char kEstate[] = R"(version: 1
name: rltest
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: llm
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [chat-7b]}
    upstream: http://127.0.0.1:@UP@
identities:
  - {name: gateway-sa, kind: workload}
  - {name: limited, kind: api-client}
  - {name: free, kind: api-client}
gateway:
  listen: 127.0.0.1:@PORT@
  threads: 1
  auth: {keys_file: @DIR@/keys.json}
  access:
    - {name: chat, identities: [limited, free], models: [chat-7b], routes: [chat]}
  rate_limits:
    backend: redis
    redis: {url: "@REDIS@", timeout_ms: 700}
    identities:
      limited: {max_concurrent: 1, tokens_per_minute: 1000000}
  upstreams:
    llm: {response_timeout_ms: 5000}
  access_log: off
  audit: {enabled: false}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  return s;
}

class GatewayRedisFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(testing::RedisServer::Available(), "redis-server (apt-get install redis-server)");
    ASSERT_TRUE(redis_.Start());
    int up = testing::FreePort();
    standin_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "standin", "--port",
                                 std::to_string(up), "--token-delay-ms", "1", "--model", "chat-7b"},
        dir_.path());
    ASSERT_TRUE(standin_->WaitForOutput("listening on")) << standin_->Stderr();
    port_ = testing::FreePort();
    std::string e = kEstate;
    e = Replace(e, "@UP@", std::to_string(up));
    e = Replace(e, "@PORT@", std::to_string(port_));
    e = Replace(e, "@DIR@", dir_.path().string());
    e = Replace(e, "@REDIS@", redis_.url());
    auto estate = dir_.Write("estate.yaml", e);
    limited_ = CreateKey(estate, "limited");
    free_ = CreateKey(estate, "free");
    gw_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "serve", "--estate",
                                 estate.string(), "--var-dir", (dir_ / "var").string()},
        dir_.path());
    ASSERT_TRUE(gw_->WaitForOutput("gateway: listening on")) << gw_->Stderr();
    // Connected, and the limited identity's slot is free again after it.
    Reply warm = Chat(port_, limited_);
    ASSERT_EQ(warm.status, 200) << warm.body << gw_->Stderr();
  }

  static std::string CreateKey(const std::filesystem::path& estate, const std::string& identity) {
    auto r = testing::RunRampart(
        {"gateway", "keys", "create", "--identity", identity, "--estate", estate.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string k = r.out;
    while (!k.empty() && (k.back() == '\n' || k.back() == '\r')) k.pop_back();
    return k;
  }

  // Slots held by the limited identity, and reservations marked "held", read
  // from Redis itself.
  long long SlotsHeld() {
    return redis_.Connect()->Integer({"ZCARD", "rampart:rl:c:identity:limited"});
  }
  std::size_t ReservationsHeld() {
    auto raw = redis_.Connect();
    auto keys = raw->Command({"KEYS", "rampart:rl:r:*"});
    std::size_t n = 0;
    for (std::size_t i = 0; keys && i < keys->elements; ++i) {
      auto v = raw->Command({"GET", std::string(keys->element[i]->str, keys->element[i]->len)});
      n += v && v->type == REDIS_REPLY_STRING && std::string_view(v->str, v->len) == "held";
    }
    return n;
  }
  void StallsOnlyTheLimitedRequestAndLeaksNoSlot(const std::function<void()>& stall);

  bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds within = 5s) {
    auto deadline = Steady::now() + within;
    while (Steady::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return done();
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::Process> standin_, gw_;
  int port_ = 0;
  std::string limited_, free_;
};

// Redis stops answering for 2.5 s (`stall` does it); the gateway's deadline is 0.7 s.
void GatewayRedisFaults::StallsOnlyTheLimitedRequestAndLeaksNoSlot(
    const std::function<void()>& stall) {
  stall();
  auto t0 = Steady::now();
  Reply limited;
  std::thread waiting([&] { limited = Chat(port_, limited_); });
  std::this_thread::sleep_for(150ms);  // the limited request now waits on Redis
  // On the same (only) gateway thread, an identity without Redis-backed
  // limits is served while the limited request waits.
  std::vector<Reply> free;
  for (int i = 0; i < 3; ++i) free.push_back(Chat(port_, free_));
  waiting.join();

  for (const Reply& r : free) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_LT(r.done, limited.done) << "served only after the limited request";
  }
  EXPECT_LT(free.back().done - t0, 650ms);
  // The limited request: refused, fail closed, at its deadline (700 ms),
  // long before Redis answers again.
  EXPECT_EQ(limited.status, 503) << limited.body;
  EXPECT_NE(limited.body.find("rate_limiter_unavailable"), std::string::npos) << limited.body;
  EXPECT_EQ(limited.headers["retry-after"], "1");
  EXPECT_GE(limited.done - t0, 650ms);
  EXPECT_LT(limited.done - t0, 2000ms);

  // When Redis answers again it runs the late admit (which takes the slot),
  // then the release: no slot stays held, and the identity is admitted again.
  EXPECT_TRUE(Eventually([&] { return SlotsHeld() == 0 && ReservationsHeld() == 0; }))
      << SlotsHeld() << " slot(s) held";
  Reply again = Chat(port_, limited_);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(gw_->running());
}

TEST_F(GatewayRedisFaults, APausedRedisStallsOnlyTheLimitedRequestAndLeaksNoSlot) {
  StallsOnlyTheLimitedRequestAndLeaksNoSlot([&] {
    auto pause = redis_.Connect()->Command({"CLIENT", "PAUSE", "2500", "ALL"});
    ASSERT_TRUE(pause && pause->type == REDIS_REPLY_STATUS);
  });
}

TEST_F(GatewayRedisFaults, ASleepingRedisStallsOnlyTheLimitedRequestAndLeaksNoSlot) {
  // DEBUG SLEEP blocks the whole server; a command that arrives meanwhile
  // still runs when it wakes, even if its client has given up.
  auto sleeper = redis_.Connect();
  StallsOnlyTheLimitedRequestAndLeaksNoSlot([&] {
    sleeper->SendOnly({"DEBUG", "SLEEP", "2.5"});
    std::this_thread::sleep_for(100ms);  // asleep now
  });
}

TEST_F(GatewayRedisFaults, AKilledRedisFailsClosedAndDecisionsResumeAfterARestart) {
  redis_.Kill();
  auto t0 = Steady::now();
  Reply down = Chat(port_, limited_);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_NE(down.body.find("rate_limiter_unavailable"), std::string::npos) << down.body;
  EXPECT_EQ(down.headers["retry-after"], "1");
  EXPECT_LT(down.done - t0, 1500ms);
  // Fail fast while it is down: no waiting out the deadline each time.
  auto t1 = Steady::now();
  EXPECT_EQ(Chat(port_, limited_).status, 503);
  EXPECT_LT(Steady::now() - t1, 600ms);
  EXPECT_EQ(Chat(port_, free_).status, 200);
  EXPECT_TRUE(gw_->running()) << gw_->Stderr();  // a dead peer does not kill it (SIGPIPE)

  ASSERT_TRUE(redis_.Start());  // same port, empty
  EXPECT_TRUE(Eventually([&] { return Chat(port_, limited_).status == 200; })) << gw_->Stderr();
  // The slot goes back to Redis when the request completes, which is after
  // the client has read the last byte of the answer.
  EXPECT_TRUE(Eventually([&] { return SlotsHeld() == 0; })) << SlotsHeld() << " slot(s) held";
}

}  // namespace
}  // namespace rampart
