// The gateway as users run it: the real `rampart gateway serve` process in
// front of a real upstream process (`rampart gateway standin`, or tiny
// misbehaving upstreams written here with raw sockets), spoken to over raw
// sockets so that every malformed shape reaches the gateway byte for byte.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "core/json.h"
#include "testing/h2_client.h"
#include "testing/http_client.h"
#include "testing/testing.h"

namespace rampart {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

using testing::Dial;
using testing::RawExchange;
using testing::ReadReply;
using testing::Reply;
using testing::SendAll;

std::string Request(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& key, const std::string& extra = "", bool close_conn = true) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: gw\r\n";
  if (!key.empty()) r += "Authorization: Bearer " + key + "\r\n";
  if (!body.empty() || method == "POST") {
    r +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  if (close_conn) r += "Connection: close\r\n";
  r += extra + "\r\n" + body;
  return r;
}

std::string Chat(const std::string& model, bool stream = false) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hello there"}])" +
         (stream ? R"(,"stream":true})" : "}");
}

std::string fmt_hex(std::size_t n) {
  char b[32];
  std::snprintf(b, sizeof b, "%zx", n);
  return b;
}

json::object JsonOf(const std::string& s) {
  auto v = ParseJson(s);
  return v && v->is_object() ? v->get_object() : json::object{};
}

// ---- misbehaving upstreams ------------------------------------------------------------------

using testing::ListenLoopback;

// The next connection on a listening socket, or -1 after 100 ms without one.
int AcceptWithin100ms(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 100) != 1) return -1;
  return accept(fd, nullptr, nullptr);
}

// Accepts connections; for each, reads the request head and then misbehaves.
class BadUpstream {
 public:
  enum class Mode { kReset, kHang, kGarbage, kCloseEarly };
  explicit BadUpstream(Mode m) : mode_(m) {
    fd_ = ListenLoopback(&port_);
    thread_ = std::thread([this] { Run(); });
  }
  ~BadUpstream() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int requests() const { return requests_; }

 private:
  void Run() {
    while (!stop_) {
      int c = AcceptWithin100ms(fd_);
      if (c < 0) continue;
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      ++requests_;
      switch (mode_) {
        case Mode::kReset: {
          linger l{1, 0};  // RST on close
          setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
          break;
        }
        case Mode::kHang:
          for (int i = 0; i < 50 && !stop_; ++i) std::this_thread::sleep_for(100ms);
          break;
        case Mode::kGarbage:
          SendAll(c, "HELLO\x01\x02 this is not HTTP\r\n\r\n");
          break;
        case Mode::kCloseEarly:
          SendAll(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
          break;
      }
      close(c);
    }
  }
  Mode mode_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// Answers the i-th request it reads (on any connection) with steps[i] (the
// last step once past the end): its bytes as given, `piece` bytes per write
// a few milliseconds apart (0: one write), each write after the step's
// `delay`, then keeps the connection for the next request or closes it.
// Each connection has its own thread, as the gateway's I/O threads pool
// their upstream connections separately.
class ScriptedUpstream {
 public:
  struct Step {
    std::string bytes;
    bool close = false;
    std::chrono::milliseconds delay{0};
  };
  explicit ScriptedUpstream(std::vector<Step> steps, std::size_t piece = 0)
      : steps_(std::move(steps)), piece_(piece) {
    fd_ = ListenLoopback(&port_);
    accept_thread_ = std::thread([this] { Accept(); });
  }
  ~ScriptedUpstream() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    accept_thread_.join();
    std::lock_guard lock(mu_);
    for (int c : conns_) shutdown(c, SHUT_RDWR);
    for (std::thread& t : threads_) t.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

 private:
  void Accept() {
    while (!stop_) {
      int c = AcceptWithin100ms(fd_);
      if (c < 0) continue;
      ++connections_;
      std::lock_guard lock(mu_);
      conns_.push_back(c);
      threads_.emplace_back([this, c] { Serve(c); });
    }
  }
  void Serve(int c) {
    std::string got;
    char buf[4096];
    while (!stop_) {
      // One request: its head, then its Content-Length of body.
      std::size_t end;
      std::size_t want = std::string::npos;
      for (;;) {
        end = got.find("\r\n\r\n");
        if (end != std::string::npos) {
          std::size_t cl = got.find("\r\nContent-Length: ");
          std::size_t body = cl < end ? std::stoul(got.substr(cl + 18)) : 0;
          want = end + 4 + body;
          if (got.size() >= want) break;
        }
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) {
          close(c);
          return;
        }
        got.append(buf, static_cast<std::size_t>(n));
      }
      got.erase(0, want);
      int i = requests_++;
      const Step& step =
          steps_[std::min<std::size_t>(static_cast<std::size_t>(i), steps_.size() - 1)];
      std::string_view out = step.bytes;
      while (!out.empty()) {
        std::size_t n = piece_ == 0 ? out.size() : std::min(piece_, out.size());
        if (step.delay.count() > 0) std::this_thread::sleep_for(step.delay);
        SendAll(c, out.substr(0, n));
        out.remove_prefix(n);
        if (!out.empty()) std::this_thread::sleep_for(2ms);
      }
      if (step.close) break;
    }
    close(c);
  }

  std::vector<Step> steps_;
  std::size_t piece_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0}, requests_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::thread> threads_;
};

// A chat completion answer with its usage, as an OpenAI-style upstream sends it.
constexpr char kAnswer[] =
    R"({"id":"c1","object":"chat.completion","choices":[{"index":0,"message":)"
    R"({"role":"assistant","content":"hi"}}],)"
    R"("usage":{"prompt_tokens":7,"completion_tokens":5,"total_tokens":12}})";

std::string JsonResponse(const std::string& extra_fields = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra_fields +
         "Content-Length: " + std::to_string(std::strlen(kAnswer)) + "\r\n\r\n" + kAnswer;
}

// ---- the fixture ----------------------------------------------------------------------------

constexpr char kEstate[] = R"(version: 1
name: gwtest
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: llm
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [chat-7b, secret-model]}
    upstream: @UPSTREAM@
identities:
  - {name: gateway-sa, kind: workload}
  - {name: chat-frontend, kind: api-client, roles: [chat-user]}
  - {name: limited, kind: api-client}
  - {name: mesh-client, kind: workload, spiffe_id: "spiffe://t.ai/ns/a/sa/client"}
gateway:
  listen: 127.0.0.1:@PORT@
  admin: {enabled: true, listen: 127.0.0.1:@ADMIN@}
  threads: 2
  auth: {keys_file: @DIR@/keys.json}
  access:
    - {name: chat, identities: [chat-frontend, limited, mesh-client], models: [chat-7b],
       routes: [chat, completions, models, embeddings]}
  rate_limits:
@LIMITS@
  limits: {max_header_bytes: 4096, max_body_bytes: 65536, header_read_timeout_ms: 1000,
           body_read_timeout_ms: 2000, idle_timeout_ms: 5000@PROT@}
  upstreams:
    llm: {response_timeout_ms: 1000, connect_timeout_ms: 1000@UPEXTRA@}
  access_log: @DIR@/access.log
  audit: {enabled: false}
@EXTRA@
)";

constexpr char kLimits[] = R"(    identities:
      limited: {requests_per_second: 1, burst: 2})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  return s;
}

class Gateway : public ::testing::Test {
 protected:
  // Starts the stand-in upstream process (unless an upstream URL is given) and the gateway.
  void StartAll(const std::string& upstream = "", const std::string& extra = "",
                const std::string& limits = kLimits) {
    if (upstream.empty()) {
      standin_port_ = testing::FreePort();
      standin_ = std::make_unique<testing::Process>(
          std::vector<std::string>{testing::RampartBin(), "gateway", "standin", "--port",
                                   std::to_string(standin_port_), "--token-delay-ms", "100",
                                   "--model", "chat-7b"},
          dir_.path());
      ASSERT_TRUE(standin_->WaitForOutput("listening on")) << standin_->Stderr();
    }
    port_ = testing::FreePort();
    admin_ = testing::FreePort();
    upstream_ = upstream.empty() ? "http://127.0.0.1:" + std::to_string(standin_port_) : upstream;
    extra_ = extra;
    limits_ = limits;
    estate_ = dir_.Write("estate.yaml", EstateText(port_, admin_));
    key_ = CreateKey("chat-frontend");
    ASSERT_FALSE(key_.empty());
    StartGateway();
  }

  std::string EstateText(int port, int admin) const {
    std::string e = kEstate;
    e = Replace(e, "@UPSTREAM@", upstream_);
    e = Replace(e, "@PORT@", std::to_string(port));
    e = Replace(e, "@ADMIN@", std::to_string(admin));
    e = Replace(e, "@DIR@", dir_.path().string());
    e = Replace(e, "@LIMITS@", limits_.empty() ? "    {}" : limits_);
    e = Replace(e, "@EXTRA@", extra_);
    e = Replace(e, "@UPEXTRA@", upstream_extra_);
    e = Replace(e, "@PROT@", protection_extra_);
    return e;
  }

  void StartGateway() {
    gw_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "serve", "--estate",
                                 estate_.string(), "--var-dir", (dir_ / "var").string()},
        dir_.path());
    ASSERT_TRUE(gw_->WaitForOutput("gateway: listening on")) << gw_->Stderr();
  }

  std::string CreateKey(const std::string& identity) {
    auto r = testing::RunRampart(
        {"gateway", "keys", "create", "--identity", identity, "--estate", estate_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string k = r.out;
    while (!k.empty() && (k.back() == '\n' || k.back() == '\r')) k.pop_back();
    return k;
  }

  // Requests the upstream has seen (the stand-in's own counter).
  int UpstreamRequests() {
    Reply r = RawExchange(standin_port_, Request("GET", "/__standin/stats", "", ""));
    return static_cast<int>(JsonOf(r.body)["requests"].to_number<std::int64_t>());
  }

  std::string AccessLog() {
    std::ifstream in(dir_ / "access.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // The admin listener's /metrics once it holds every `wanted` text, or
  // after 20 s: a request is counted after its answer went out.
  static Reply MetricsWith(int admin, std::initializer_list<std::string_view> wanted) {
    auto deadline = Steady::now() + 20s;
    for (;;) {
      Reply m = RawExchange(admin, Request("GET", "/metrics", "", ""));
      bool all = m.status == 200;
      for (std::string_view w : wanted) all = all && m.body.find(w) != std::string::npos;
      if (all || Steady::now() > deadline) return m;
      std::this_thread::sleep_for(20ms);
    }
  }
  // The access log once it holds every `wanted` text (its writer is
  // asynchronous: a line comes some time after the answer), or after 20 s.
  std::string AccessLogWith(std::initializer_list<std::string_view> wanted) {
    auto deadline = Steady::now() + 20s;
    for (;;) {
      std::string log = AccessLog();
      bool all = true;
      for (std::string_view w : wanted) all = all && log.find(w) != std::string::npos;
      if (all || Steady::now() > deadline) return log;
      std::this_thread::sleep_for(20ms);
    }
  }

  testing::TempDir dir_;
  std::filesystem::path estate_;
  std::unique_ptr<testing::Process> standin_, gw_;
  int standin_port_ = 0, port_ = 0, admin_ = 0;
  std::string upstream_, extra_, limits_, upstream_extra_, protection_extra_;
  std::string key_;
};

TEST_F(Gateway, AuthenticatesAuthorizesAndRoutesBeforeTheUpstreamSeesAnything) {
  StartAll();
  // 401 without a key, with a wrong key; 404 for an unknown route; 403 for a
  // model the identity may not use; 405 for a wrong method: the upstream sees none.
  Reply no_key = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), ""));
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(JsonOf(no_key.body)["error"].as_object()["code"].as_string(), "unauthenticated");
  EXPECT_NE(no_key.Header("www-authenticate"), "");
  EXPECT_EQ(no_key.Header("x-request-id").size(), 16u);
  EXPECT_EQ(
      RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), "rk_gw_nope"))
          .status,
      401);
  Reply unknown = RawExchange(port_, Request("GET", "/admin/secrets", "", key_));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(JsonOf(unknown.body)["error"].as_object()["code"].as_string(), "route_not_found");
  Reply forbidden =
      RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("secret-model"), key_));
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  EXPECT_EQ(RawExchange(port_, Request("GET", "/v1/chat/completions", "", key_)).status, 405);
  EXPECT_EQ(RawExchange(port_, Request("POST", "/v1/chat/completions", "{not json", key_)).status,
            400);
  EXPECT_EQ(UpstreamRequests(), 0);

  // With a key: 200, and the upstream sees the request without the key.
  Reply ok = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  ASSERT_EQ(ok.status, 200) << ok.body << gw_->Stderr() << gw_->running();
  auto body = JsonOf(ok.body);
  EXPECT_NE(ok.body.find("not a model"), std::string::npos);
  EXPECT_EQ(UpstreamRequests(), 1);
  Reply last = RawExchange(standin_port_, Request("GET", "/__standin/last", "", ""));
  auto headers = JsonOf(last.body)["headers"].as_object();
  EXPECT_FALSE(headers.contains("Authorization")) << last.body;
  EXPECT_EQ(headers["X-Request-Id"].as_string(), ok.Header("x-request-id"));
  EXPECT_EQ(headers["X-Rampart-Identity"].as_string(), "chat-frontend");

  // Access log: one JSON line per request, with identity, model and tokens.
  std::string log =
      AccessLogWith({"\"status\":401", "\"status\":403",
                     "\"identity\":\"chat-frontend\",\"model\":\"chat-7b\",\"status\":200"});
  EXPECT_NE(log.find("\"status\":401"), std::string::npos) << log;
  EXPECT_NE(log.find("\"status\":403"), std::string::npos);
  EXPECT_NE(log.find("\"identity\":\"chat-frontend\",\"model\":\"chat-7b\",\"status\":200"),
            std::string::npos)
      << log;

  // Metrics on the admin listener.
  Reply m = MetricsWith(admin_, {"rampart_gateway_requests_total{route=\"chat\",model=\"chat-7b\","
                                 "status=\"200\"} 1",
                                 "rampart_gateway_rejections_total{reason=\"unauthenticated\"} 2"});
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("rampart_gateway_requests_total{route=\"chat\",model=\"chat-7b\","
                        "status=\"200\"} 1"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("rampart_gateway_rejections_total{reason=\"unauthenticated\"} 2"),
            std::string::npos);
  EXPECT_EQ(RawExchange(admin_, Request("GET", "/healthz", "", "")).status, 200);
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

TEST_F(Gateway, KeepAliveServesManyRequestsOnOneConnection) {
  StartAll();
  int fd = Dial(port_);
  ASSERT_GE(fd, 0);
  std::string pending;
  for (int i = 0; i < 5; ++i) {
    SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_, "", false));
    Reply r = ReadReply(fd, pending);
    ASSERT_EQ(r.status, 200) << i;
    EXPECT_FALSE(r.closed);
  }
  // Two requests pipelined in one write are answered in order.
  SendAll(fd, Request("GET", "/v1/models", "", key_, "", false) +
                  Request("POST", "/v1/chat/completions", Chat("secret-model"), key_, "", false));
  EXPECT_EQ(ReadReply(fd, pending).status, 200);
  EXPECT_EQ(ReadReply(fd, pending).status, 403);
  close(fd);
}

TEST_F(Gateway, RefusesRequestSmugglingShapesWith400AndCloses) {
  StartAll();
  std::string body = Chat("chat-7b");
  std::string base =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + key_ + "\r\n";
  std::string cl = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  std::vector<testing::RawCase> cases =
      testing::SmugglingCases(base, body, "/v1/chat/completions", "/v1/models");
  for (const testing::RawCase& c : cases) {
    Reply r = RawExchange(port_, c.raw);
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_TRUE(r.closed) << c.name;
    EXPECT_EQ(r.Header("content-type"), "application/json") << c.name;
  }
  // A well-formed chunked body is accepted and forwarded with a Content-Length.
  std::string chunked = base + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                        "10\r\n" + body.substr(0, 16) + "\r\n" + fmt_hex(body.size() - 16) +
                        ";ext=1\r\n" + body.substr(16) + "\r\n0\r\n\r\n";
  Reply ok = RawExchange(port_, chunked);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(UpstreamRequests(), 1);  // only the well-formed one
}

TEST_F(Gateway, EnforcesHeaderAndBodyLimitsAndSlowClients) {
  StartAll();
  // Header over max_header_bytes (4096): 431.
  Reply big_header = RawExchange(
      port_, Request("GET", "/v1/models", "", key_, "X-Pad: " + std::string(5000, 'a') + "\r\n"));
  EXPECT_EQ(big_header.status, 431);
  EXPECT_TRUE(big_header.closed);
  // Body over max_body_bytes (65536), declared and chunked: 413.
  Reply big_body = RawExchange(port_, Request("POST", "/v1/chat/completions",
                                              std::string(70000, ' ') + Chat("chat-7b"), key_));
  EXPECT_EQ(big_body.status, 413);
  std::string chunked = "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " +
                        key_ + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  EXPECT_EQ(RawExchange(port_, chunked).status, 413);

  // Slowloris: a header that never completes is answered 408 and closed
  // within header_read_timeout (1 s), however slowly bytes keep coming.
  int fd = Dial(port_);
  ASSERT_GE(fd, 0);
  auto t0 = Steady::now();
  SendAll(fd, "GET /v1/models HTTP/1.1\r\n");
  std::string pending;
  std::thread dribble([fd] {
    for (int i = 0; i < 30; ++i) {
      std::this_thread::sleep_for(100ms);
      if (send(fd, "X", 1, MSG_NOSIGNAL) <= 0) return;
    }
  });
  Reply slow = ReadReply(fd, pending, 5s);
  auto elapsed = Steady::now() - t0;
  dribble.join();
  close(fd);
  EXPECT_EQ(slow.status, 408);
  EXPECT_TRUE(slow.closed);
  EXPECT_LT(elapsed, 2500ms);
  // A body that stops arriving: 408 after body_read_timeout (2 s).
  fd = Dial(port_);
  SendAll(fd, "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + key_ +
                  "\r\nContent-Length: 100\r\n\r\n{\"model\":");
  pending.clear();
  Reply stalled = ReadReply(fd, pending, 5s);
  close(fd);
  EXPECT_EQ(stalled.status, 408);
  EXPECT_EQ(UpstreamRequests(), 0);
}

TEST_F(Gateway, UpstreamThatResetsIs502) {
  BadUpstream up(BadUpstream::Mode::kReset);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_EQ(JsonOf(r.body)["error"].as_object()["code"].as_string(), "bad_upstream_response");
  EXPECT_GE(up.requests(), 1);
}

TEST_F(Gateway, UpstreamThatHangsIs504WithinTheResponseTimeout) {
  BadUpstream up(BadUpstream::Mode::kHang);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  auto t0 = Steady::now();
  Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_LT(Steady::now() - t0, 2500ms);
  EXPECT_EQ(JsonOf(r.body)["error"].as_object()["code"].as_string(), "upstream_timeout");
}

TEST_F(Gateway, UpstreamThatSendsGarbageIs502) {
  BadUpstream up(BadUpstream::Mode::kGarbage);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(r.status, 502) << r.body;
  // The gateway keeps serving.
  EXPECT_EQ(RawExchange(port_, Request("GET", "/v1/models", "", key_)).status, 200);
  Reply m = MetricsWith(
      admin_, {"rampart_gateway_upstream_errors_total{upstream=\"llm\",kind=\"bad_response\"}"});
  EXPECT_NE(
      m.body.find("rampart_gateway_upstream_errors_total{upstream=\"llm\",kind=\"bad_response\"}"),
      std::string::npos)
      << m.body;
}

TEST_F(Gateway, UpstreamDownIs502AndTruncatedBodyClosesTheClient) {
  int dead = testing::FreePort();
  StartAll("http://127.0.0.1:" + std::to_string(dead));
  Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_EQ(JsonOf(r.body)["error"].as_object()["code"].as_string(), "upstream_unavailable");
}

TEST_F(Gateway, UpstreamClosingMidBodyTruncatesTheClientResponse) {
  BadUpstream up(BadUpstream::Mode::kCloseEarly);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(r.status, 200);  // the status had gone out
  EXPECT_LT(r.body.size(), 100u);
  EXPECT_TRUE(r.closed);
}

// The upstream's response is read by the gateway's own parser: heads and
// bodies split across any number of reads, interim 1xx responses read past
// (their fields not forwarded), the body fed to the usage scanner.
TEST_F(Gateway, UpstreamInterimResponsesAreReadPastAndDrippedBytesJoin) {
  ScriptedUpstream up({{"HTTP/1.1 100 Continue\r\n\r\n"
                        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n" +
                        JsonResponse("X-Upstream: yes\r\nConnection: X-Hop\r\nX-Hop: 1\r\n")}},
                      7);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, kAnswer);
  EXPECT_EQ(r.Header("content-length"), std::to_string(std::strlen(kAnswer)));
  EXPECT_EQ(r.Header("x-upstream"), "yes");
  EXPECT_EQ(r.Header("link"), "");   // the 103's field
  EXPECT_EQ(r.Header("x-hop"), "");  // named by the upstream's Connection field
  EXPECT_EQ(r.Header("x-request-id").size(), 16u);
  std::string log = AccessLogWith({"\"prompt_tokens\":7,\"completion_tokens\":5"});
  EXPECT_NE(log.find("\"prompt_tokens\":7,\"completion_tokens\":5"), std::string::npos) << log;
}

// The value of the /metrics sample `name` (labels included), or -1.
double Sample(const std::string& metrics, const std::string& name) {
  std::size_t at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(metrics.c_str() + at + name.size() + 2, nullptr);
}

// The gateway's own time excludes the upstream's: an upstream that takes
// 40 ms before its head and 40 ms more before its body makes requests of
// 80 ms or more, of which the gateway's own share stays far below.
TEST_F(Gateway, OwnDurationExcludesTheTimeAwaitingTheUpstream) {
  std::string answer = JsonResponse();
  std::size_t head = answer.find("\r\n\r\n") + 4;
  ScriptedUpstream up({{answer, false, 40ms}}, head);  // the head, then the body, 40 ms apart
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  for (int i = 0; i < 3; ++i) {
    Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, kAnswer);
  }
  const std::string own = "rampart_gateway_own_duration_seconds";
  const std::string total = "rampart_gateway_request_duration_seconds";
  Reply m = MetricsWith(admin_, {own + "_count{route=\"chat\"} 3"});
  ASSERT_EQ(Sample(m.body, total + "_count{route=\"chat\"}"), 3) << m.body;
  ASSERT_EQ(Sample(m.body, own + "_count{route=\"chat\"}"), 3) << m.body;
  // Every request took 80 ms or more...
  EXPECT_EQ(Sample(m.body, total + "_bucket{route=\"chat\",le=\"0.05\"}"), 0) << m.body;
  EXPECT_GE(Sample(m.body, total + "_sum{route=\"chat\"}"), 3 * 0.08) << m.body;
  // ...and the gateway's own share of each stayed under 25 ms (20 ms on average).
  EXPECT_EQ(Sample(m.body, own + "_bucket{route=\"chat\",le=\"0.025\"}"), 3) << m.body;
  EXPECT_LT(Sample(m.body, own + "_sum{route=\"chat\"}"), 3 * 0.02) << m.body;
  EXPECT_GT(Sample(m.body, own + "_sum{route=\"chat\"}"), 0) << m.body;
}

// A chunked upstream body (extensions, trailers, split anywhere) reaches the
// client whole; the connection goes back to the pool and carries the next
// requests.
TEST_F(Gateway, ChunkedUpstreamBodyIsDechunkedAndItsConnectionReused) {
  std::string answer = kAnswer;
  std::string chunked =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < answer.size(); i += 10) {
    std::string part = answer.substr(i, 10);
    chunked += fmt_hex(part.size()) + (i == 0 ? ";ext=1" : "") + "\r\n" + part + "\r\n";
  }
  chunked += "0\r\nX-Trailer: t\r\n\r\n";
  ScriptedUpstream up({{chunked}}, 3);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  int fd = Dial(port_);
  ASSERT_GE(fd, 0);
  std::string pending;
  for (int i = 0; i < 3; ++i) {
    SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_, "", false));
    Reply r = ReadReply(fd, pending);
    ASSERT_EQ(r.status, 200) << i << r.body;
    EXPECT_EQ(r.body, answer) << i;
    EXPECT_EQ(r.Header("x-trailer"), "") << i;
    EXPECT_FALSE(r.closed) << i;
  }
  close(fd);
  EXPECT_EQ(up.requests(), 3);
  EXPECT_EQ(up.connections(), 1);  // one client connection: one I/O thread's pool
}

// Neither Content-Length nor chunked: the body ends when the upstream
// closes, reaches the client whole, and the connection is not reused.
TEST_F(Gateway, CloseDelimitedUpstreamBodyIsForwardedWhole) {
  ScriptedUpstream up(
      {{std::string("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n") + kAnswer, true}},
      16);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  int fd = Dial(port_);
  ASSERT_GE(fd, 0);
  std::string pending;
  for (int i = 0; i < 2; ++i) {
    SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_, "", false));
    Reply r = ReadReply(fd, pending);
    ASSERT_EQ(r.status, 200) << i << r.body;
    EXPECT_EQ(r.body, kAnswer) << i;
    EXPECT_EQ(r.Header("transfer-encoding"), "chunked") << i;  // no length was known
    EXPECT_FALSE(r.closed) << i;
  }
  close(fd);
  EXPECT_EQ(up.connections(), 2);
  std::string log = AccessLogWith({"\"prompt_tokens\":7"});
  EXPECT_EQ(log.find("upstream_reset_mid_body"), std::string::npos) << log;
}

// A pooled connection the upstream closed while idle is retried once on a
// new connection; one that failed after some of the response arrived is not.
TEST_F(Gateway, StalePooledConnectionIsRetriedOnlyWhenNothingArrived) {
  ScriptedUpstream up({{JsonResponse(), true},  // says keep-alive, then closes
                       {JsonResponse(), false},
                       {"HTTP/1.1 200 OK\r\nContent-Type: appl", true},
                       {JsonResponse(), false}});
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  int fd = Dial(port_);
  ASSERT_GE(fd, 0);
  std::string pending;
  SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_, "", false));
  EXPECT_EQ(ReadReply(fd, pending).status, 200);
  std::this_thread::sleep_for(50ms);  // the upstream's close arrives
  SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_, "", false));
  Reply retried = ReadReply(fd, pending);
  EXPECT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.body, kAnswer);
  EXPECT_EQ(up.requests(), 2);
  EXPECT_EQ(up.connections(), 2);
  // Now a head cut short on the pooled connection: 502, no second try.
  SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_, "", false));
  Reply cut = ReadReply(fd, pending);
  EXPECT_EQ(cut.status, 502) << cut.body;
  EXPECT_EQ(JsonOf(cut.body)["error"].as_object()["code"].as_string(), "bad_upstream_response");
  EXPECT_EQ(up.requests(), 3);
  SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_, "", false));
  EXPECT_EQ(ReadReply(fd, pending).status, 200);
  close(fd);
  EXPECT_EQ(up.requests(), 4);
  EXPECT_EQ(up.connections(), 3);
}

// Framing a proxy must not guess at, and malformed heads: 502 and counted
// as bad responses, never forwarded.
TEST_F(Gateway, AmbiguousOrMalformedUpstreamResponsesAre502) {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
  const std::vector<std::string> bad = {
      ok + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      ok + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} ",
      ok + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
      ok + "Transfer-Encoding: gzip\r\n\r\n{}",
      ok + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\nContent-Length: 2\n\n{}",
      ok + "X-A: a\r\n b\r\nContent-Length: 2\r\n\r\n{}",
      ok + "Content-Length : 2\r\n\r\n{}",
      "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\n{}",
      "HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\n{}",
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      ok + "X-Big: " + std::string(70 * 1024, 'a') + "\r\nContent-Length: 2\r\n\r\n{}",
  };
  std::vector<ScriptedUpstream::Step> steps;
  for (const std::string& b : bad) steps.push_back({b, true});
  steps.push_back({JsonResponse(), false});
  ScriptedUpstream up(steps);
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  for (std::size_t i = 0; i < bad.size(); ++i) {
    Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
    EXPECT_EQ(r.status, 502) << i << ": " << r.body;
    EXPECT_EQ(JsonOf(r.body)["error"].as_object()["code"].as_string(), "bad_upstream_response")
        << i;
  }
  EXPECT_EQ(up.requests(), static_cast<int>(bad.size()));  // none retried
  Reply good = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(good.status, 200) << good.body;
  std::string counted =
      "rampart_gateway_upstream_errors_total{upstream=\"llm\",kind=\"bad_response\"} " +
      std::to_string(bad.size()) + "\n";
  Reply m = MetricsWith(admin_, {counted});
  EXPECT_NE(m.body.find(counted), std::string::npos) << m.body;
}

// A chunk that breaks the framing mid-body: the status already went out, so
// the client's response is cut short and its connection closed.
TEST_F(Gateway, MalformedChunkMidBodyTruncatesTheClientResponse) {
  ScriptedUpstream up(
      {{"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n6\r\ndata: \r\nZZ\r\nmore\r\n",
        false}});
  StartAll("http://127.0.0.1:" + std::to_string(up.port()));
  Reply r =
      RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b", true), key_));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("more"), std::string::npos);
  EXPECT_TRUE(r.closed);
  std::string log = AccessLogWith({"upstream_reset_mid_body"});
  EXPECT_NE(log.find("upstream_reset_mid_body"), std::string::npos) << log;
}

TEST_F(Gateway, StreamsEventsAsTheyArrive) {
  StartAll();
  int fd = Dial(port_);
  auto t0 = Steady::now();
  SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b", true), key_));
  std::string pending;
  Steady::time_point first{};
  Reply r = ReadReply(fd, pending, 10s, &first);
  auto total = Steady::now() - t0;
  close(fd);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/event-stream");
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  // The stand-in sends ~16 events 100 ms apart: the first must arrive long
  // before the last.
  // (Measured from the first event, not from the request: a loaded machine
  // may take a while to start the stream, but a buffered one ends at once.)
  ASSERT_NE(first, Steady::time_point{});
  EXPECT_GT(total - (first - t0), 1000ms);
  EXPECT_GT(total, 1200ms);
  EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos);
  // The usage in the final event was read: the access log has its tokens.
  std::string log = AccessLogWith({"\"prompt_tokens\":3,\"completion_tokens\":15"});
  EXPECT_NE(log.find("\"prompt_tokens\":3,\"completion_tokens\":15"), std::string::npos) << log;
}

TEST_F(Gateway, RateLimitedRequestsGet429WithRetryAfterAndRateLimitHeaders) {
  StartAll();
  std::string key = CreateKey("limited");
  ASSERT_EQ(gw_->Stop(SIGTERM), 0);  // pick the new key up by restarting
  StartGateway();
  int ok = 0, limited = 0;
  Reply last;
  for (int i = 0; i < 5; ++i) {
    Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key));
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      last = r;
    }
  }
  EXPECT_EQ(ok, 2);  // burst 2, 1/s
  EXPECT_EQ(limited, 3);
  EXPECT_GE(std::atoi(last.Header("retry-after").c_str()), 1);
  EXPECT_NE(last.Header("ratelimit-limit"), "");
  EXPECT_NE(last.Header("ratelimit-policy"), "");
  EXPECT_EQ(JsonOf(last.body)["error"].as_object()["code"].as_string(), "rate_limited");
  EXPECT_EQ(UpstreamRequests(), 2);
}

// limits.requests_per_second_per_ip: a client address past its rate gets
// 429 before authentication, with or without a valid key, and the upstream
// sees none of it.
TEST_F(Gateway, PerAddressRequestRateRefusesBeforeAuthentication) {
  protection_extra_ = ", requests_per_second_per_ip: 1, burst_per_ip: 3";
  StartAll();
  int unauthenticated = 0, limited = 0;
  Reply last;
  for (int i = 0; i < 8; ++i) {
    Reply r = RawExchange(
        port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), i < 4 ? "" : key_));
    if (r.status == 401) ++unauthenticated;
    if (r.status == 429) {
      ++limited;
      last = r;
    }
  }
  // Burst 3 at 1/s: three (a fourth if a second passed) reach authentication.
  EXPECT_GE(unauthenticated, 3);
  EXPECT_LE(unauthenticated, 4);
  EXPECT_EQ(unauthenticated + limited, 8) << "a keyed request got through";
  EXPECT_GE(std::atoi(last.Header("retry-after").c_str()), 1);
  EXPECT_EQ(JsonOf(last.body)["error"].as_object()["code"].as_string(), "rate_limited");
  EXPECT_EQ(UpstreamRequests(), 0);
  Reply m = RawExchange(admin_, Request("GET", "/metrics", "", ""));
  EXPECT_NE(m.body.find("requests_per_second_per_ip"), std::string::npos) << m.body;
}

TEST_F(Gateway, RevokedKeyIsRefusedAfterSighupWithoutDroppingConnections) {
  StartAll();
  int fd = Dial(port_);
  std::string pending;
  SendAll(fd, Request("GET", "/v1/models", "", key_, "", false));
  ASSERT_EQ(ReadReply(fd, pending).status, 200);
  std::string other = CreateKey("chat-frontend");
  std::string id = key_.substr(6, 16);  // rk_gw_<id>_<secret>
  auto rev = testing::RunRampart({"gateway", "keys", "revoke", id, "--estate", estate_.string()});
  ASSERT_EQ(rev.exit_code, 0) << rev.err;
  // Before the reload the old key still works; after SIGHUP it does not,
  // and the new key does, on the same connection.
  kill(gw_->pid(), SIGHUP);
  ASSERT_TRUE(gw_->WaitForOutput("gateway: reloaded")) << gw_->Stderr();
  SendAll(fd, Request("GET", "/v1/models", "", key_, "", false));
  Reply revoked = ReadReply(fd, pending);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_NE(revoked.body.find("revoked"), std::string::npos) << revoked.body;
  close(fd);
  EXPECT_EQ(RawExchange(port_, Request("GET", "/v1/models", "", other)).status, 200);
}

TEST_F(Gateway, SigtermDrainsAStreamInFlight) {
  StartAll();
  int fd = Dial(port_);
  SendAll(fd, Request("POST", "/v1/chat/completions", Chat("chat-7b", true), key_));
  // SIGTERM once the stream has begun (its ~1.6 s of events still to come),
  // not after a fixed time the gateway may not have had to read the request.
  pollfd begun{fd, POLLIN, 0};
  ASSERT_EQ(poll(&begun, 1, 20000), 1);
  kill(gw_->pid(), SIGTERM);
  std::string pending;
  Reply r = ReadReply(fd, pending, 10s);
  close(fd);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos) << r.body;
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

// ---- TLS and mTLS --------------------------------------------------------------------------

// ---- the same cases over HTTP/1.1 and HTTP/2 ------------------------------------------------

// Every route, authentication, authorization, limit, streaming and error
// answer behaves the same whichever protocol the client speaks (HTTP/2 in
// cleartext with prior knowledge here; over TLS with ALPN in GatewayTls,
// whose curl negotiates h2).
class GatewayProtocols : public Gateway, public ::testing::WithParamInterface<std::string> {
 protected:
  bool h2() const { return GetParam() == "h2"; }
  Reply Send(const std::string& method, const std::string& path, const std::string& body,
             const std::string& key, Steady::time_point* first_body = nullptr) {
    if (!h2()) {
      int fd = Dial(port_);
      SendAll(fd, Request(method, path, body, key));
      std::string pending;
      Reply r = ReadReply(fd, pending, 10s, first_body);
      close(fd);
      return r;
    }
    testing::H2Client c(port_);
    testing::Headers h;
    if (!key.empty()) h.emplace_back("authorization", "Bearer " + key);
    if (!body.empty() || method == "POST") h.emplace_back("content-type", "application/json");
    testing::H2Response r = c.Exchange(method, path, h, body);
    Reply out;
    out.status = r.status;
    out.body = r.body;
    for (const auto& [n, v] : r.headers) out.headers[n] = v;
    if (first_body) *first_body = r.first_data;
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Both, GatewayProtocols, ::testing::Values("http1", "h2"),
                         [](const auto& i) { return i.param; });

TEST_P(GatewayProtocols, AuthenticatesAuthorizesAndRoutesBeforeTheUpstream) {
  StartAll();
  Reply no_key = Send("POST", "/v1/chat/completions", Chat("chat-7b"), "");
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(JsonOf(no_key.body)["error"].as_object()["code"].as_string(), "unauthenticated");
  EXPECT_NE(no_key.Header("www-authenticate"), "");
  EXPECT_EQ(no_key.Header("x-request-id").size(), 16u);
  EXPECT_EQ(Send("POST", "/v1/chat/completions", Chat("chat-7b"), "rk_gw_nope").status, 401);
  Reply unknown = Send("GET", "/admin/secrets", "", key_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(JsonOf(unknown.body)["error"].as_object()["code"].as_string(), "route_not_found");
  EXPECT_EQ(Send("POST", "/v1/chat/completions", Chat("secret-model"), key_).status, 403);
  EXPECT_EQ(Send("GET", "/v1/chat/completions", "", key_).status, 405);
  EXPECT_EQ(Send("POST", "/v1/chat/completions", "{not json", key_).status, 400);
  EXPECT_EQ(Send("POST", "/v1/../v1/chat/completions", Chat("chat-7b"), key_).status, 400);
  EXPECT_EQ(UpstreamRequests(), 0);

  Reply ok = Send("POST", "/v1/chat/completions", Chat("chat-7b"), key_);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("not a model"), std::string::npos);
  Reply last = RawExchange(standin_port_, Request("GET", "/__standin/last", "", ""));
  auto headers = JsonOf(last.body)["headers"].as_object();
  EXPECT_FALSE(headers.contains("Authorization")) << last.body;
  EXPECT_EQ(headers["X-Request-Id"].as_string(), ok.Header("x-request-id"));
  EXPECT_EQ(headers["X-Rampart-Identity"].as_string(), "chat-frontend");
  Reply models = Send("GET", "/v1/models", "", key_);
  EXPECT_EQ(models.status, 200);
  EXPECT_NE(models.body.find("chat-7b"), std::string::npos);
  EXPECT_EQ(models.body.find("secret-model"), std::string::npos);
  std::string log =
      AccessLogWith({"\"identity\":\"chat-frontend\",\"model\":\"chat-7b\",\"status\":200"});
  EXPECT_NE(log.find("\"identity\":\"chat-frontend\",\"model\":\"chat-7b\",\"status\":200"),
            std::string::npos)
      << log;
  Reply m = MetricsWith(admin_, {"rampart_gateway_rejections_total{reason=\"unauthenticated\"} 2"});
  EXPECT_NE(m.body.find("rampart_gateway_rejections_total{reason=\"unauthenticated\"} 2"),
            std::string::npos)
      << m.body;
}

TEST_P(GatewayProtocols, RateLimitsAnswer429WithTheirHeaders) {
  StartAll();
  std::string key = CreateKey("limited");
  ASSERT_EQ(gw_->Stop(SIGTERM), 0);  // pick the new key up by restarting
  StartGateway();
  int ok = 0, limited = 0;
  Reply last;
  for (int i = 0; i < 5; ++i) {
    Reply r = Send("POST", "/v1/chat/completions", Chat("chat-7b"), key);
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      last = r;
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(limited, 3);
  EXPECT_GE(std::atoi(last.Header("retry-after").c_str()), 1);
  EXPECT_NE(last.Header("ratelimit-limit"), "");
  EXPECT_EQ(JsonOf(last.body)["error"].as_object()["code"].as_string(), "rate_limited");
  EXPECT_EQ(UpstreamRequests(), 2);
}

TEST_P(GatewayProtocols, StreamsEventsAsTheyArriveAndCountsTheirTokens) {
  StartAll();
  auto t0 = Steady::now();
  Steady::time_point first{};
  Reply r = Send("POST", "/v1/chat/completions", Chat("chat-7b", true), key_, &first);
  auto total = Steady::now() - t0;
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/event-stream");
  // (Measured from the first event, not from the request: a loaded machine
  // may take a while to start the stream, but a buffered one ends at once.)
  ASSERT_NE(first, Steady::time_point{});
  EXPECT_GT(total - (first - t0), 1000ms);
  EXPECT_GT(total, 1200ms);
  EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos);
  std::string log = AccessLogWith({"\"prompt_tokens\":3,\"completion_tokens\":15"});
  EXPECT_NE(log.find("\"prompt_tokens\":3,\"completion_tokens\":15"), std::string::npos) << log;
}

TEST_P(GatewayProtocols, UpstreamFailuresAndBodyLimitsAnswerTheSame) {
  int dead = testing::FreePort();
  StartAll("http://127.0.0.1:" + std::to_string(dead));
  Reply down = Send("POST", "/v1/chat/completions", Chat("chat-7b"), key_);
  EXPECT_EQ(down.status, 502) << down.body;
  EXPECT_EQ(JsonOf(down.body)["error"].as_object()["code"].as_string(), "upstream_unavailable");
  Reply big = Send("POST", "/v1/chat/completions", std::string(70000, ' ') + Chat("chat-7b"), key_);
  EXPECT_EQ(big.status, 413);
}

// Certificates made by the openssl CLI in a test directory: a CA; a server
// certificate for 127.0.0.1; clients whose SAN URI is mesh-client's
// spiffe_id ("client"), a SPIFFE ID no identity has ("stranger"), and
// mesh-client's ID signed by another CA ("untrusted").
class Certs {
 public:
  explicit Certs(const std::filesystem::path& dir) : dir_(dir) {}
  bool Make() {
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    if (!Sh("openssl req -x509 " + ec + " -keyout ca.key -out ca.pem -days 1 -subj /CN=test-ca")) {
      return false;
    }
    if (!Sh("openssl req -x509 " + ec +
            " -keyout other-ca.key -out other-ca.pem -days 1 -subj /CN=other-ca")) {
      return false;
    }
    struct Leaf {
      std::string name, san, ca;
    };
    for (const Leaf& l : std::vector<Leaf>{
             {"server", "IP:127.0.0.1,DNS:localhost", "ca"},
             {"upstream", "IP:127.0.0.1", "ca"},
             {"client", "URI:spiffe://t.ai/ns/a/sa/client", "ca"},
             {"stranger", "URI:spiffe://t.ai/ns/x/sa/stranger", "ca"},
             {"untrusted", "URI:spiffe://t.ai/ns/a/sa/client", "other-ca"},
         }) {
      std::ofstream(dir_ / (l.name + ".ext")) << "subjectAltName=" << l.san << "\n";
      if (!Sh("openssl req " + ec + " -keyout " + l.name + ".key -out " + l.name +
              ".csr -subj /CN=" + l.name + " && openssl x509 -req -in " + l.name + ".csr -CA " +
              l.ca + ".pem -CAkey " + l.ca + ".key -CAcreateserial -out " + l.name +
              ".pem -days 1 -extfile " + l.name + ".ext")) {
        return false;
      }
    }
    return true;
  }
  std::string Path(const std::string& file) const { return (dir_ / file).string(); }
  std::string error;

 private:
  bool Sh(const std::string& cmd) {
    auto r = testing::Run({"/bin/sh", "-c", "cd '" + dir_.string() + "' && " + cmd + " 2>&1"});
    if (r.exit_code != 0) error += cmd + ": " + r.out + r.err + "\n";
    return r.exit_code == 0;
  }
  std::filesystem::path dir_;
};

bool HaveOpensslAndCurl() {
  return testing::Run({"/bin/sh", "-c", "command -v openssl && command -v curl"}).exit_code == 0;
}

struct CurlResult {
  int exit_code = -1;  // curl's: 0, or e.g. 35/56 for a refused handshake
  int status = 0;      // HTTP status, 0 when none arrived
  std::string body, err;
};

// One HTTPS request by curl, verifying the gateway against `ca`.
CurlResult Curl(const Certs& c, int port, const std::string& method, const std::string& path,
                const std::string& body, const std::string& client = "",
                const std::string& key = "") {
  std::string dir = c.Path("");
  std::string cmd = "cd '" + dir + "' && curl -sS --max-time 10 -o resp.out -w '%{http_code}' " +
                    "--cacert ca.pem -X " + method;
  if (!client.empty()) cmd += " --cert " + client + ".pem --key " + client + ".key";
  if (!key.empty()) cmd += " -H 'Authorization: Bearer " + key + "'";
  if (!body.empty()) {
    std::ofstream(c.Path("req.json")) << body;
    cmd += " -H 'Content-Type: application/json' --data-binary @req.json";
  }
  cmd += " https://127.0.0.1:" + std::to_string(port) + path;
  std::filesystem::remove(c.Path("resp.out"));
  auto r = testing::Run({"/bin/sh", "-c", cmd});
  CurlResult out;
  out.exit_code = r.exit_code;
  out.status = std::atoi(r.out.c_str());
  out.err = r.err;
  std::ifstream in(c.Path("resp.out"));
  std::stringstream ss;
  ss << in.rdbuf();
  out.body = ss.str();
  return out;
}

class GatewayTls : public Gateway {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(HaveOpensslAndCurl(), "openssl and curl (scripts/install-deps.sh installs them)");
    ASSERT_TRUE(certs_.Make()) << certs_.error;
  }
  std::string TlsSection(bool require_client_cert) const {
    return "  tls: {cert: " + certs_.Path("server.pem") + ", key: " + certs_.Path("server.key") +
           ", client_ca: " + certs_.Path("ca.pem") +
           (require_client_cert ? ", require_client_cert: true}" : "}");
  }
  // The identity the stand-in saw on the last request it served.
  std::string LastUpstreamIdentity() {
    Reply last = RawExchange(standin_port_, Request("GET", "/__standin/last", "", ""));
    auto headers = JsonOf(last.body)["headers"].as_object();
    auto it = headers.find("X-Rampart-Identity");
    return it == headers.end() ? "" : std::string(it->value().as_string());
  }
  Certs certs_{dir_.path()};
};

TEST_F(GatewayTls, TerminatesTlsAndAuthenticatesClientCertificatesBySpiffeId) {
  StartAll("", TlsSection(false));
  EXPECT_NE(gw_->Stderr().find("https://"), std::string::npos) << gw_->Stderr();

  // TLS with an API key and no client certificate.
  CurlResult keyed = Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"), "", key_);
  ASSERT_EQ(keyed.exit_code, 0) << keyed.err << gw_->Stderr();
  EXPECT_EQ(keyed.status, 200) << keyed.body;
  EXPECT_EQ(LastUpstreamIdentity(), "chat-frontend");

  // A client certificate whose SAN URI is mesh-client's spiffe_id
  // authenticates without a key, and the access rules apply to it.
  CurlResult mtls = Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"), "client");
  ASSERT_EQ(mtls.exit_code, 0) << mtls.err;
  EXPECT_EQ(mtls.status, 200) << mtls.body;
  EXPECT_EQ(LastUpstreamIdentity(), "mesh-client");
  CurlResult models = Curl(certs_, port_, "GET", "/v1/models", "", "client");
  EXPECT_EQ(models.status, 200) << models.body;
  EXPECT_NE(models.body.find("chat-7b"), std::string::npos) << models.body;
  EXPECT_EQ(models.body.find("secret-model"), std::string::npos) << models.body;
  int seen = UpstreamRequests();
  CurlResult forbidden =
      Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("secret-model"), "client");
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  EXPECT_EQ(JsonOf(forbidden.body)["error"].as_object()["code"].as_string(), "forbidden");

  // A certificate from the trusted CA naming no estate identity: 401.
  CurlResult stranger =
      Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"), "stranger");
  EXPECT_EQ(stranger.status, 401) << stranger.body;
  // A bad key is 401 even with a good certificate (a present credential decides).
  CurlResult bad_key =
      Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"), "client", "rk_gw_nope");
  EXPECT_EQ(bad_key.status, 401) << bad_key.body;
  // No certificate and no key: 401.
  CurlResult anonymous = Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"));
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  // A certificate from an untrusted CA, even with a known SPIFFE ID: the
  // handshake fails and no HTTP status is ever sent.
  CurlResult untrusted =
      Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"), "untrusted", key_);
  EXPECT_NE(untrusted.exit_code, 0);
  EXPECT_EQ(untrusted.status, 0) << untrusted.body;
  EXPECT_EQ(UpstreamRequests(), seen);  // none of the refused ones reached it

  // Plain HTTP on the TLS port is not served.
  Reply plain = RawExchange(port_, Request("GET", "/v1/models", "", key_), 3s);
  EXPECT_NE(plain.status, 200);
  // The gateway still serves after all of that, and counted the handshakes it refused.
  EXPECT_EQ(Curl(certs_, port_, "GET", "/v1/models", "", "", key_).status, 200);
  Reply m = MetricsWith(admin_, {"rampart_gateway_rejections_total{reason=\"tls_handshake\"}"});
  EXPECT_NE(m.body.find("rampart_gateway_rejections_total{reason=\"tls_handshake\"}"),
            std::string::npos)
      << m.body;
  std::string log = AccessLogWith({"\"identity\":\"mesh-client\""});
  EXPECT_NE(log.find("\"identity\":\"mesh-client\""), std::string::npos) << log;
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

// A client that reconnects resumes its TLS session (curl does, within one
// invocation, once the gateway closes the first connection). With client
// certificates verified, OpenSSL refuses a resumption unless the server set
// a session id context, which would fail every reconnecting client.
TEST_F(GatewayTls, ReconnectingClientsResumeTheirSession) {
  StartAll("", TlsSection(false));
  std::string url = "https://127.0.0.1:" + std::to_string(port_) + "/v1/models";
  for (const std::string& who : {std::string("--cert client.pem --key client.key"),
                                 "-H 'Authorization: Bearer " + key_ + "'"}) {
    auto r =
        testing::Run({"/bin/sh", "-c",
                      "cd '" + certs_.Path("") +
                          "' && curl -sS -v --max-time 10 -o /dev/null -o /dev/null -o /dev/null " +
                          "-w '%{http_code} ' --cacert ca.pem -H 'Connection: close' " + who + " " +
                          url + " " + url + " " + url});
    EXPECT_EQ(r.out, "200 200 200 ") << who << "\n" << r.err << gw_->Stderr();
  }
}

TEST_F(GatewayTls, RequireClientCertRefusesClientsWithoutOne) {
  StartAll("", TlsSection(true));
  // An API key is not enough: no certificate, no connection.
  CurlResult no_cert = Curl(certs_, port_, "GET", "/v1/models", "", "", key_);
  EXPECT_NE(no_cert.exit_code, 0);
  EXPECT_EQ(no_cert.status, 0) << no_cert.body;
  CurlResult untrusted = Curl(certs_, port_, "GET", "/v1/models", "", "untrusted", key_);
  EXPECT_NE(untrusted.exit_code, 0);
  EXPECT_EQ(untrusted.status, 0);
  // With a trusted certificate: served, by certificate alone or with a key.
  CurlResult mtls = Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"), "client");
  ASSERT_EQ(mtls.exit_code, 0) << mtls.err << gw_->Stderr();
  EXPECT_EQ(mtls.status, 200) << mtls.body;
  EXPECT_EQ(LastUpstreamIdentity(), "mesh-client");
  CurlResult both =
      Curl(certs_, port_, "POST", "/v1/chat/completions", Chat("chat-7b"), "stranger", key_);
  EXPECT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(LastUpstreamIdentity(), "chat-frontend");
  EXPECT_EQ(UpstreamRequests(), 2);
}

TEST_F(GatewayTls, RefusesToStartWithAMissingCertificate) {
  std::string extra =
      "  tls: {cert: " + certs_.Path("nope.pem") + ", key: " + certs_.Path("server.key") + "}";
  standin_port_ = testing::FreePort();
  port_ = testing::FreePort();
  admin_ = testing::FreePort();
  upstream_ = "http://127.0.0.1:" + std::to_string(standin_port_);
  extra_ = extra;
  limits_ = kLimits;
  estate_ = dir_.Write("estate.yaml", EstateText(port_, admin_));
  auto r = testing::RunRampart(
      {"gateway", "serve", "--estate", estate_.string(), "--var-dir", (dir_ / "var").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nope.pem"), std::string::npos) << r.err;
}

// A small HTTPS upstream (OpenSSL, one connection at a time): answers every
// request 200 with a fixed chat completion and remembers the last head.
// With `client_ca`, it requires a client certificate verified against it.
class TlsUpstream {
 public:
  TlsUpstream(const std::string& cert, const std::string& key, const std::string& client_ca = "") {
    ctx_ = SSL_CTX_new(TLS_server_method());
    ok_ = SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str()) == 1 &&
          SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) == 1;
    if (!client_ca.empty()) {
      ok_ = ok_ && SSL_CTX_load_verify_locations(ctx_, client_ca.c_str(), nullptr) == 1;
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    fd_ = ListenLoopback(&port_);
    thread_ = std::thread([this] { Run(); });
  }
  ~TlsUpstream() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  bool ok() const { return ok_; }
  int port() const { return port_; }
  int requests() const { return requests_; }
  int handshake_failures() const { return handshake_failures_; }
  int connections() const { return connections_; }
  std::string last_head() {
    std::lock_guard lock(mu_);
    return last_head_;
  }

 private:
  void Run() {
    while (!stop_) {
      int c = AcceptWithin100ms(fd_);
      if (c < 0) continue;
      ++connections_;
      std::lock_guard lock(conn_mu_);
      conn_fds_.push_back(c);
      // One thread per connection: the gateway keeps idle ones in its pool.
      conn_threads_.emplace_back([this, c] {
        SSL* ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) != 1) {
          ++handshake_failures_;
        } else {
          Serve(ssl);
        }
        SSL_free(ssl);
      });
    }
    std::lock_guard lock(conn_mu_);
    for (int c : conn_fds_) shutdown(c, SHUT_RDWR);
    for (auto& t : conn_threads_) t.join();
    for (int c : conn_fds_) close(c);
  }
  void Serve(SSL* ssl) {
    // Keep-alive: answer requests until the peer closes.
    std::string got;
    char buf[4096];
    for (;;) {
      std::size_t he;
      while ((he = got.find("\r\n\r\n")) == std::string::npos) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) return;
        got.append(buf, static_cast<std::size_t>(n));
      }
      std::string head = got.substr(0, he + 4);
      std::size_t cl = 0;
      std::string lower = head;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto p = lower.find("\r\ncontent-length:"); p != std::string::npos) {
        cl = std::strtoul(lower.c_str() + p + 17, nullptr, 10);
      }
      while (got.size() < he + 4 + cl) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) return;
        got.append(buf, static_cast<std::size_t>(n));
      }
      got.erase(0, he + 4 + cl);
      {
        std::lock_guard lock(mu_);
        last_head_ = head;
      }
      ++requests_;
      std::string body =
          R"({"id":"tls-1","object":"chat.completion","model":"chat-7b","choices":[{"index":0,)"
          R"("message":{"role":"assistant","content":"over tls"},"finish_reason":"stop"}],)"
          R"("usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4}})";
      std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
      if (SSL_write(ssl, resp.data(), static_cast<int>(resp.size())) <= 0) return;
    }
  }
  SSL_CTX* ctx_ = nullptr;
  bool ok_ = false;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0}, handshake_failures_{0}, connections_{0};
  std::mutex mu_;
  std::string last_head_;
  std::mutex conn_mu_;
  std::vector<int> conn_fds_;
  std::vector<std::thread> conn_threads_;
  std::thread thread_;
};

TEST_F(GatewayTls, SpeaksTlsToTheUpstreamWithAClientCertificate) {
  // The upstream requires a client certificate from the test CA: the
  // gateway presents "client" and verifies the upstream against ca.pem.
  TlsUpstream up(certs_.Path("upstream.pem"), certs_.Path("upstream.key"), certs_.Path("ca.pem"));
  ASSERT_TRUE(up.ok());
  upstream_extra_ = ", ca_file: " + certs_.Path("ca.pem") +
                    ", client_cert: " + certs_.Path("client.pem") +
                    ", client_key: " + certs_.Path("client.key");
  StartAll("https://127.0.0.1:" + std::to_string(up.port()));
  for (int i = 0; i < 3; ++i) {
    Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
    ASSERT_EQ(r.status, 200) << i << ": " << r.body << gw_->Stderr();
    EXPECT_NE(r.body.find("over tls"), std::string::npos);
  }
  EXPECT_EQ(up.requests(), 3);
  EXPECT_EQ(up.handshake_failures(), 0);
  // Kept alive and reused: each I/O thread (2) has its own pool.
  EXPECT_LE(up.connections(), 2);
  std::string head = up.last_head();
  EXPECT_NE(head.find("POST /v1/chat/completions HTTP/1.1\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Authorization"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Rampart-Identity: chat-frontend"), std::string::npos) << head;
}

TEST_F(GatewayTls, RefusesAnUpstreamItCannotVerify) {
  // The upstream's certificate is from other-ca; the gateway trusts only ca.pem.
  TlsUpstream up(certs_.Path("untrusted.pem"), certs_.Path("untrusted.key"));
  ASSERT_TRUE(up.ok());
  upstream_extra_ = ", ca_file: " + certs_.Path("ca.pem");
  StartAll("https://127.0.0.1:" + std::to_string(up.port()));
  Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_EQ(JsonOf(r.body)["error"].as_object()["code"].as_string(), "upstream_unavailable");
  EXPECT_EQ(up.requests(), 0);
  // A certificate from the right CA for the wrong name is refused too.
  TlsUpstream wrong_name(certs_.Path("client.pem"), certs_.Path("client.key"));
  ASSERT_TRUE(wrong_name.ok());
  ASSERT_EQ(gw_->Stop(SIGTERM), 0);
  upstream_ = "https://127.0.0.1:" + std::to_string(wrong_name.port());
  estate_ = dir_.Write("estate.yaml", EstateText(port_, admin_));
  StartGateway();
  Reply r2 = RawExchange(port_, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key_));
  EXPECT_EQ(r2.status, 502) << r2.body;
  EXPECT_EQ(wrong_name.requests(), 0);
}

// ---- replicas sharing one Redis --------------------------------------------------------------

// Sends `n` chat requests per gateway from `threads_per` threads each, all at
// once, and returns the replies.
std::vector<Reply> Burst(const std::vector<int>& ports, int n, int threads_per,
                         const std::string& key) {
  std::vector<Reply> all;
  std::mutex mu;
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  int total_threads = static_cast<int>(ports.size()) * threads_per;
  for (int port : ports) {
    for (int t = 0; t < threads_per; ++t) {
      int mine = n / threads_per + (t < n % threads_per ? 1 : 0);
      threads.emplace_back([&, port, mine] {
        ++ready;
        while (ready < total_threads) std::this_thread::yield();
        for (int i = 0; i < mine; ++i) {
          Reply r =
              RawExchange(port, Request("POST", "/v1/chat/completions", Chat("chat-7b"), key));
          std::lock_guard lock(mu);
          all.push_back(std::move(r));
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  return all;
}

class GatewayReplicas : public Gateway {
 protected:
  // A second gateway process on the same estate (other ports, same key store).
  void StartSecond() {
    port2_ = testing::FreePort();
    admin2_ = testing::FreePort();
    auto file = dir_.Write("estate2.yaml", EstateText(port2_, admin2_));
    gw2_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "serve", "--estate",
                                 file.string(), "--var-dir", (dir_ / "var2").string()},
        dir_.path());
    ASSERT_TRUE(gw2_->WaitForOutput("gateway: listening on")) << gw2_->Stderr();
  }
  std::unique_ptr<testing::Process> gw2_;
  int port2_ = 0, admin2_ = 0;
};

constexpr int kPerMinute = 10;

std::string PerMinuteLimits(const std::string& backend) {
  return backend + "    identities:\n      chat-frontend: {requests_per_minute: " +
         std::to_string(kPerMinute) + "}";
}

TEST_F(GatewayReplicas, TwoGatewaysSharingRedisAdmitOneLimit) {
  const char* url = std::getenv("RAMPART_TEST_REDIS_URL");
  RAMPART_NEEDS(url != nullptr && *url != '\0',
                "Redis: RAMPART_TEST_REDIS_URL is unset; run eval \"$(bash "
                "scripts/test-services.sh start)\" first");
  // A fresh key prefix: limits left in Redis by an earlier run never apply.
  std::string prefix = "rampart:test:" + std::to_string(getpid()) + ":" +
                       std::to_string(Steady::now().time_since_epoch().count()) + ":";
  StartAll("", "",
           PerMinuteLimits("    backend: redis\n    redis: {url: \"" + std::string(url) +
                           "\", key_prefix: \"" + prefix + "\", timeout_ms: 1000}\n"));
  StartSecond();
  auto t0 = Steady::now();
  std::vector<Reply> replies = Burst({port_, port2_}, 20, 4, key_);
  auto elapsed = Steady::now() - t0;
  int ok = 0, limited = 0, other = 0;
  for (const Reply& r : replies) {
    if (r.status == 200) {
      ++ok;
    } else if (r.status == 429) {
      ++limited;
      EXPECT_GE(std::atoi(r.Header("retry-after").c_str()), 1);
      EXPECT_NE(r.Header("ratelimit-policy"), "");
      EXPECT_EQ(JsonOf(r.body)["error"].as_object()["code"].as_string(), "rate_limited");
    } else {
      ++other;
      ADD_FAILURE() << "status " << r.status << ": " << r.body;
    }
  }
  // The documented bound (docs/design/gateway-limits.md, "Replica bound"):
  // limit + rate x elapsed, one request every 60 s / kPerMinute.
  int refill = static_cast<int>(elapsed / (60000ms / kPerMinute));
  EXPECT_LE(ok, kPerMinute + refill) << "elapsed " << elapsed.count();
  EXPECT_GE(ok, kPerMinute);
  EXPECT_EQ(ok + limited, 40);
  EXPECT_EQ(UpstreamRequests(), ok);
  // Both replicas answered, and both denied.
  Reply m1 = MetricsWith(admin_, {"status=\"429\""});
  Reply m2 = MetricsWith(admin2_, {"status=\"429\""});
  EXPECT_NE(m1.body.find("status=\"429\""), std::string::npos);
  EXPECT_NE(m2.body.find("status=\"429\""), std::string::npos);
  EXPECT_EQ(gw2_->Stop(SIGTERM), 0) << gw2_->Stderr();
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

// Why Redis matters: with the in-process limiter each replica admits the
// whole limit, so two admit twice as much.
TEST_F(GatewayReplicas, TwoGatewaysWithLocalLimitsAdmitTwice) {
  StartAll("", "", PerMinuteLimits(""));
  StartSecond();
  std::vector<Reply> replies = Burst({port_, port2_}, 20, 4, key_);
  int ok = 0, limited = 0;
  for (const Reply& r : replies) {
    ok += r.status == 200;
    limited += r.status == 429;
  }
  EXPECT_GE(ok, 2 * kPerMinute);
  EXPECT_LE(ok, 2 * kPerMinute + 2);
  EXPECT_EQ(ok + limited, 40);
}

}  // namespace
}  // namespace rampart
