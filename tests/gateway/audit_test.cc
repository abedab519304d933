// The gateway's audit batcher (gateway/audit.h): batching into
// access.summary entries, retry in order after the ledger refuses, bounded
// memory with every dropped record counted by reason, and reject mode: the
// gateway answers 503 rather than serve a request it cannot audit. Real
// components on loopback: the HTTP audit sink against a core HTTP server
// that answers 503 before 201, and the gateway server itself.
#include "gateway/audit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/http/server.h"
#include "core/http_audit_sink.h"
#include "core/json.h"
#include "gateway/config.h"
#include "gateway/metrics.h"
#include "gateway/policy.h"
#include "gateway/rate_limit.h"
#include "gateway/server.h"
#include "policy_fixture.h"
#include "testing/http_client.h"

namespace rampart::gateway {
namespace {

using namespace std::chrono_literals;

// An in-memory sink that refuses on demand: the first `refuse_next` appends
// answer Unavailable (or every one while `refuse_all`).
class FakeSink final : public AuditSink {
 public:
  Status Append(AuditEvent event) override {
    std::unique_lock lock(mu_);
    gate_.wait(lock, [&] { return !held_; });
    ++attempts_;
    if (refuse_all_ || refuse_next_ > 0) {
      if (refuse_next_ > 0) --refuse_next_;
      return UnavailableError("ledger down (test)");
    }
    events_.push_back(std::move(event));
    return OkStatus();
  }
  Status Flush(std::chrono::milliseconds) override { return OkStatus(); }

  void RefuseNext(int n) {
    std::lock_guard lock(mu_);
    refuse_next_ = n;
  }
  void RefuseAll(bool on) {
    std::lock_guard lock(mu_);
    refuse_all_ = on;
  }
  // While held, Append waits (the batcher's delivery stalls) until Release.
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    gate_.notify_all();
  }
  std::vector<AuditEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  int attempts() {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  // Every record's request_id, in the order the sink accepted them.
  std::vector<std::string> RequestIds() {
    std::vector<std::string> ids;
    for (const AuditEvent& e : events()) {
      for (const auto& r : e.fields.at("records").as_array())
        ids.emplace_back(r.as_object().at("request_id").as_string());
    }
    return ids;
  }

 private:
  std::mutex mu_;
  std::condition_variable gate_;
  bool held_ = false;
  std::vector<AuditEvent> events_;
  int refuse_next_ = 0;
  bool refuse_all_ = false;
  int attempts_ = 0;
};

AccessRecord Rec(int i) {
  AccessRecord r;
  r.time = std::chrono::system_clock::now();
  r.request_id = "req-" + std::to_string(i);
  r.identity = i % 2 ? "frontend" : "admin";
  r.model = "chat-7b";
  r.route = "chat";
  r.status = 200;
  return r;
}

template <class F>
bool Eventually(F f, std::chrono::milliseconds timeout = 5s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

AuditBatcherOptions Fast() {
  AuditBatcherOptions o;
  o.batch_size = 3;
  o.window = 20ms;
  o.retry_initial_delay = 5ms;
  o.retry_max_delay = 20ms;
  o.retry_max_attempts = 3;
  o.actor = "gw-test";
  return o;
}

std::vector<std::string> Ids(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back("req-" + std::to_string(i));
  return v;
}

// A sink that keeps the entry texts the batcher writes (AppendJson).
class TextSink final : public AuditSink {
 public:
  Status Append(AuditEvent) override { return InternalError("the batcher writes entry texts"); }
  Status AppendJson(const std::string& entry) override {
    std::lock_guard lock(mu_);
    texts_.push_back(entry);
    return OkStatus();
  }
  Status Flush(std::chrono::milliseconds) override { return OkStatus(); }
  std::vector<std::string> texts() {
    std::lock_guard lock(mu_);
    return texts_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> texts_;
};

// The batcher writes each entry's JSON directly, without a json tree: the
// text is already the entry's canonical form (RFC 8785: members sorted,
// minimal escapes), carries every record field, escapes what must be
// escaped, and the default AppendJson turns it back into the same event.
TEST(AuditBatcher, WritesEntriesInCanonicalForm) {
  auto sink = std::make_shared<TextSink>();
  AuditBatcherOptions o = Fast();
  o.endpoint = "http://127.0.0.1:8080";
  // One entry of both records: it is due when full, never because the
  // window passed between the two Record calls (a preempted test thread).
  o.batch_size = 2;
  o.window = 1h;
  AuditBatcher b(sink, o, nullptr);
  AccessRecord r = Rec(1);
  r.identity = "jwt:we\"ird\\name\n";
  r.prompt_digest = "sha256:00ff";
  r.prompt_tokens = 12;
  r.completion_tokens = 34;
  r.duration_us = 5678;
  r.status = 429;
  r.denied = true;
  b.Record(r);
  AccessRecord anon = Rec(2);
  anon.identity.clear();
  anon.model.clear();
  b.Record(anon);
  ASSERT_TRUE(Eventually([&] { return !sink->texts().empty(); }));
  b.Stop();
  std::string text = sink->texts().front();
  auto v = ParseJson(text);
  ASSERT_TRUE(v.has_value()) << text;
  EXPECT_EQ(CanonicalJson(*v), text);
  const json::object& e = v->as_object();
  EXPECT_EQ(e.at("type").as_string(), "access.summary");
  EXPECT_EQ(e.at("actor").as_string(), "gw-test");
  EXPECT_EQ(e.at("endpoint").as_string(), "http://127.0.0.1:8080");
  EXPECT_EQ(e.at("requests").to_number<int>(), 2);
  EXPECT_EQ(e.at("denied").to_number<int>(), 1);
  EXPECT_EQ(ToJson(e.at("principals")), R"(["jwt:we\"ird\\name\n"])");
  EXPECT_EQ(ToJson(e.at("models")), R"(["chat-7b"])");
  const json::object& rec = e.at("records").as_array().at(0).as_object();
  EXPECT_EQ(rec.at("identity").as_string(), r.identity);
  EXPECT_EQ(rec.at("request_id").as_string(), "req-1");
  EXPECT_EQ(rec.at("prompt_digest").as_string(), "sha256:00ff");
  EXPECT_EQ(rec.at("prompt_tokens").to_number<int>(), 12);
  EXPECT_EQ(rec.at("completion_tokens").to_number<int>(), 34);
  EXPECT_EQ(rec.at("duration_us").to_number<int>(), 5678);
  EXPECT_EQ(rec.at("status").to_number<int>(), 429);
  EXPECT_EQ(rec.at("time").as_string(), FormatRfc3339(r.time, 3));
  const json::object& rec2 = e.at("records").as_array().at(1).as_object();
  EXPECT_FALSE(rec2.contains("identity"));
  EXPECT_FALSE(rec2.contains("model"));
  EXPECT_FALSE(rec2.contains("prompt_digest"));
  EXPECT_EQ(e.at("window_start").as_string(), FormatRfc3339(std::min(r.time, anon.time), 3));

  // The default AppendJson (for sinks that only take events) gives Append
  // the same event.
  auto events = std::make_shared<FakeSink>();
  ASSERT_TRUE(events->AppendJson(text).ok());
  std::vector<AuditEvent> got = events->events();
  ASSERT_EQ(got.size(), 1u);
  const AuditEvent& ev = got[0];
  EXPECT_EQ(ev.type, "access.summary");
  EXPECT_EQ(ev.actor, "gw-test");
  EXPECT_EQ(FormatRfc3339(ev.time, 3), e.at("time").as_string());
  EXPECT_FALSE(ev.fields.contains("type"));
  EXPECT_EQ(ev.fields.at("records").as_array().size(), 2u);
  EXPECT_EQ(events->AppendJson("[1]").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(events->AppendJson(R"({"type":"x-a","time":"yesterday"})").code(),
            StatusCode::kInvalidArgument);
}

TEST(AuditBatcher, BatchesRecordsIntoAccessSummaryEntries) {
  auto sink = std::make_shared<FakeSink>();
  Metrics m(1);
  // Entries are cut by size only: with a short window, a test thread
  // preempted between two Record calls would see a smaller first entry.
  AuditBatcherOptions o = Fast();
  o.window = 1h;
  AuditBatcher b(sink, o, &m);
  for (int i = 0; i < 7; ++i) b.Record(Rec(i));
  ASSERT_TRUE(Eventually([&] { return sink->RequestIds().size() >= 6; }));  // two full ones
  b.Stop();  // delivers the last, partial batch
  auto events = sink->events();
  ASSERT_GE(events.size(), 3u);  // at most batch_size records per entry
  for (const AuditEvent& e : events) {
    EXPECT_EQ(e.type, "access.summary");
    EXPECT_EQ(e.actor, "gw-test");
    std::size_t n = e.fields.at("records").as_array().size();
    EXPECT_LE(n, 3u);
    EXPECT_EQ(e.fields.at("requests").to_number<std::size_t>(), n);
  }
  EXPECT_EQ(ToJson(events[0].fields.at("principals")), R"(["admin","frontend"])");
  EXPECT_EQ(sink->RequestIds(), Ids(0, 7));
  EXPECT_EQ(m.audit_records.load(), 7u);
  EXPECT_EQ(m.audit_batches.load(), events.size());
  EXPECT_EQ(b.dropped(), 0u);
}

TEST(AuditBatcher, RetriesARefusedEntryInOrderAndDropsNothing) {
  auto sink = std::make_shared<FakeSink>();
  sink->RefuseNext(2);
  Metrics m(1);
  AuditBatcher b(sink, Fast(), &m);
  for (int i = 0; i < 3; ++i) b.Record(Rec(i));  // one full entry, refused twice
  ASSERT_TRUE(Eventually([&] { return sink->attempts() >= 1; }));
  for (int i = 3; i < 8; ++i) b.Record(Rec(i));  // wait behind it
  ASSERT_TRUE(Eventually([&] { return sink->RequestIds().size() == 8; }));
  b.Stop();
  EXPECT_EQ(sink->RequestIds(), Ids(0, 8));
  EXPECT_EQ(m.audit_retries.load(), 2u);
  EXPECT_EQ(m.audit_errors.load(), 2u);
  EXPECT_EQ(b.dropped(), 0u);
  EXPECT_EQ(b.held(), 0u);
}

TEST(AuditBatcher, DropModeBoundsMemoryAndCountsEveryDropByReason) {
  auto sink = std::make_shared<FakeSink>();
  sink->RefuseAll(true);
  Metrics m(1);
  AuditBatcherOptions o = Fast();
  o.max_pending = 4;
  o.batch_size = 2;
  AuditBatcher b(sink, o, &m);
  // No delivery ends (and frees room) while the records arrive: otherwise a
  // test thread preempted for the length of three quick attempts lets more in.
  sink->Hold();
  for (int i = 0; i < 10; ++i) b.Record(Rec(i));
  EXPECT_EQ(b.held(), 4u);
  EXPECT_EQ(m.audit_dropped[0].load(), 6u);  // queue_full
  sink->Release();
  // 4 held, 6 found the queue full; the held ones fail their 3 attempts.
  ASSERT_TRUE(Eventually([&] { return b.dropped() == 10; })) << b.dropped();
  EXPECT_EQ(m.audit_dropped[0].load(), 6u);  // queue_full
  EXPECT_EQ(m.audit_dropped[1].load(), 4u);  // ledger_unavailable
  EXPECT_EQ(sink->attempts(), 2 * 3);        // two entries, three attempts each
  EXPECT_FALSE(b.failing());                 // drop mode keeps serving

  // The ledger is back: later records go through.
  sink->RefuseAll(false);
  b.Record(Rec(10));
  ASSERT_TRUE(Eventually([&] { return sink->RequestIds().size() == 1; }));
  b.Stop();
  std::string text = m.Render();
  EXPECT_NE(text.find("rampart_gateway_audit_dropped_total{reason=\"queue_full\"} 6\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rampart_gateway_audit_dropped_total{reason=\"ledger_unavailable\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("rampart_gateway_audit_dropped_total{reason=\"shutdown\"} 0\n"),
            std::string::npos);
}

TEST(AuditBatcher, RejectModeHoldsRecordsAndRefusesUntilTheLedgerAccepts) {
  auto sink = std::make_shared<FakeSink>();
  sink->RefuseAll(true);
  Metrics m(1);
  AuditBatcherOptions o = Fast();
  o.reject_on_failure = true;
  o.max_pending = 5;
  AuditBatcher b(sink, o, &m);
  // Every admitted request holds room for its record.
  std::vector<AuditBatcher::Slot> slots;
  for (int i = 0; i < 5; ++i) {
    slots.push_back(b.Reserve());
    ASSERT_TRUE(slots.back()) << i;
  }
  EXPECT_FALSE(b.Reserve());  // full: the sixth request would be refused
  { AuditBatcher::Slot unused = std::move(slots.back()); }
  slots.pop_back();
  AuditBatcher::Slot again = b.Reserve();  // an unused slot gave its room back
  ASSERT_TRUE(again);
  slots.push_back(std::move(again));
  for (int i = 0; i < 5; ++i) b.Record(Rec(i), &slots[static_cast<std::size_t>(i)]);
  EXPECT_EQ(b.held(), 5u);
  // Three refusals in a row: failing, new requests refused, nothing dropped.
  ASSERT_TRUE(Eventually([&] { return b.failing(); }));
  EXPECT_EQ(m.audit_failing.load(), 1u);
  EXPECT_FALSE(b.Reserve());
  EXPECT_EQ(b.dropped(), 0u);

  sink->RefuseAll(false);
  ASSERT_TRUE(Eventually([&] { return sink->RequestIds().size() == 5; }));
  ASSERT_TRUE(Eventually([&] { return !b.failing(); }));
  EXPECT_EQ(m.audit_failing.load(), 0u);
  EXPECT_TRUE(b.Reserve());
  EXPECT_EQ(sink->RequestIds(), Ids(0, 5));
  EXPECT_EQ(b.dropped(), 0u);
  b.Stop();
}

TEST(AuditBatcher, StopDuringAnOutageCountsWhatIsLeftAsShutdown) {
  auto sink = std::make_shared<FakeSink>();
  sink->RefuseAll(true);
  Metrics m(1);
  AuditBatcherOptions o = Fast();
  o.retry_max_attempts = 1000;
  o.retry_max_delay = 10s;
  AuditBatcher b(sink, o, &m);
  for (int i = 0; i < 3; ++i) b.Record(Rec(i));
  ASSERT_TRUE(Eventually([&] { return sink->attempts() >= 2; }));
  auto t0 = std::chrono::steady_clock::now();
  b.Stop();  // does not wait out the backoff
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(m.audit_dropped[3].load(), 3u);  // shutdown
  b.Record(Rec(9));
  EXPECT_EQ(m.audit_dropped[3].load(), 4u);
}

// ---- the HTTP audit sink against a ledger stand-in that refuses first ----------------------

// Answers POST /v1/entries with 503 `refusals` times, then 201, and keeps
// every accepted body.
class RefusingLedger final : public http::Handler {
 public:
  explicit RefusingLedger(int refusals) : refusals_(refusals) {}

  boost::asio::awaitable<void> Handle(http::Exchange& ex) override {
    std::string body;
    if (auto err = co_await ex.ReadBody(&body)) {
      co_await ex.RespondError(*err);
      co_return;
    }
    std::array<http::Field, 1> f = {http::Field{"Content-Type", "application/json"}};
    if (refusals_.fetch_sub(1) > 0) {
      co_await ex.RespondError(MakeHttpError(503, "unavailable", "the store is down (test)"));
      co_return;
    }
    std::size_t n = 0;
    {
      std::lock_guard lock(mu_);
      auto v = ParseJson(body);
      if (v && v->is_array()) {
        for (auto& e : v->as_array()) accepted_.push_back(e.as_object());
        n = v->as_array().size();
      }
    }
    co_await ex.Respond(201, f, R"({"tree_size":)" + std::to_string(n) + "}");
  }

  std::vector<json::object> accepted() {
    std::lock_guard lock(mu_);
    return accepted_;
  }

 private:
  std::atomic<int> refusals_;
  std::mutex mu_;
  std::vector<json::object> accepted_;
};

TEST(AuditBatcher, ReachesALedgerThatAnswers503FirstThroughTheHttpSink) {
  RefusingLedger ledger(2);
  http::ServerOptions so;
  so.name = "ledger stand-in";
  so.port = 0;
  auto server = http::Server::Start(so, ledger);
  ASSERT_TRUE(server.has_value()) << server.error().message();
  HttpAuditSinkOptions ho;
  ho.url = "http://127.0.0.1:" + std::to_string((*server)->port());
  ho.api_key = "rk_test";
  ho.batch_delay = 5ms;
  ho.max_backoff = 50ms;
  auto sink = MakeHttpAuditSink(ho);
  ASSERT_TRUE(sink.has_value()) << sink.error().message();
  Metrics m(1);
  AuditBatcher b(*sink, Fast(), &m);
  for (int i = 0; i < 7; ++i) b.Record(Rec(i));
  ASSERT_TRUE(Eventually([&] {
    std::size_t n = 0;
    for (const auto& e : ledger.accepted()) n += e.at("records").as_array().size();
    return n == 7;
  }));
  b.Stop();
  EXPECT_TRUE((*sink)->Flush(2s).ok());
  std::vector<std::string> ids;
  for (const auto& e : ledger.accepted()) {
    EXPECT_EQ(e.at("type").as_string(), "access.summary");
    for (const auto& r : e.at("records").as_array())
      ids.emplace_back(r.as_object().at("request_id").as_string());
  }
  EXPECT_EQ(ids, Ids(0, 7));
  EXPECT_GE((*sink)->last_failure_status(), 503);  // it was refused before
  EXPECT_EQ(b.dropped(), 0u);
  (*server)->Stop(0ms);
}

// ---- reject mode in the gateway ------------------------------------------------------------

constexpr char kRejectSection[] = R"(gateway:
  access:
    - {identities: [frontend], models: [chat-7b]}
  audit: {on_failure: reject, max_pending: 2, retry_max_attempts: 2, retry_max_delay_ms: 20,
          window_ms: 10, batch_size: 1}
)";

class GatewayAudit : public ::testing::Test {
 protected:
  void Start(const std::string& section, std::shared_ptr<AuditSink> sink) {
    estate_ = testing::LoadTestEstate(section);
    Diagnostics d;
    auto c = LoadGatewayConfig(estate_, "var", "127.0.0.1", &d);
    ASSERT_TRUE(c.has_value()) << d.ToString();
    c->listener.port = 0;
    c->admin.enabled = false;
    c->access_log.mode = AccessLogMode::kOff;
    c->threads = 1;
    auto policy = Policy::Create(estate_, *c, nullptr, nullptr);
    ASSERT_TRUE(policy.has_value()) << policy.error().message();
    ServerDeps deps;
    deps.limiter = MakeLocalRateLimiter(std::make_shared<SystemClock>());
    deps.audit = std::move(sink);
    auto s = GatewayServer::Start(*policy, std::move(deps));
    ASSERT_TRUE(s.has_value()) << s.error().message();
    server_ = std::move(*s);
  }

  ::rampart::testing::Reply Get() {
    return ::rampart::testing::RawExchange(
        server_->port(), "GET /v1/models HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
  }

  estate::Estate estate_;
  std::unique_ptr<GatewayServer> server_;
};

TEST_F(GatewayAudit, RejectModeAnswers503WhileTheLedgerRefusesAndServesAgainAfter) {
  auto sink = std::make_shared<FakeSink>();
  ASSERT_NO_FATAL_FAILURE(Start(kRejectSection, sink));
  EXPECT_EQ(Get().status, 401);  // served (refused by auth), its record kept
  ASSERT_TRUE(Eventually([&] { return sink->RequestIds().size() == 1; }));

  sink->RefuseAll(true);
  EXPECT_EQ(Get().status, 401);  // its record is refused twice: failing
  ASSERT_TRUE(Eventually([&] { return server_->metrics().audit_failing.load() == 1; }));
  ::rampart::testing::Reply r = Get();
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.Header("retry-after"), "1");
  auto v = ParseJson(r.body);
  ASSERT_TRUE(v && v->is_object()) << r.body;
  EXPECT_EQ(v->as_object().at("error").as_object().at("code").as_string(), "audit_unavailable");
  EXPECT_TRUE(v->as_object().at("error").as_object().at("message").is_string());

  sink->RefuseAll(false);
  ASSERT_TRUE(Eventually([&] { return server_->metrics().audit_failing.load() == 0; }));
  EXPECT_EQ(Get().status, 401);
  server_->Stop(1s);
  // Every request that was served has its record in the ledger, in order.
  std::size_t served = 0;
  for (const AuditEvent& e : sink->events()) {
    for (const auto& rec : e.fields.at("records").as_array()) {
      if (rec.as_object().at("status").to_number<int>() == 401) ++served;
    }
  }
  EXPECT_EQ(served, 3u);
  EXPECT_EQ(server_->metrics().audit_dropped[1].load(), 0u);  // nothing lost to the outage
}

TEST_F(GatewayAudit, DropModeKeepsServingAndCountsTheDrops) {
  auto sink = std::make_shared<FakeSink>();
  sink->RefuseAll(true);
  std::string section = kRejectSection;
  section.replace(section.find("reject"), 6, "drop");
  ASSERT_NO_FATAL_FAILURE(Start(section, sink));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Get().status, 401);
  const Metrics& m = server_->metrics();
  ASSERT_TRUE(Eventually([&] { return m.audit_dropped[0] + m.audit_dropped[1] == 4; }));
  EXPECT_EQ(m.audit_failing.load(), 0u);
  server_->Stop(1s);
}

TEST(GatewayAuditConfig, OnFailureDefaultsToRejectForRegulatedEstatesAndParses) {
  auto plain = testing::LoadTestEstate();
  Diagnostics d;
  auto c = LoadGatewayConfig(plain, "var", "127.0.0.1", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_EQ(c->audit.on_failure, AuditFailureMode::kDrop);

  auto regulated = estate::LoadString(
      std::string(testing::kBaseEstate) +
          "assets:\n  - {name: records, kind: dataset, zone: dmz, classification: regulated, "
          "regulated: [phi]}\n",
      "estate.yaml");
  ASSERT_TRUE(regulated.has_value()) << regulated.error().message();
  ASSERT_FALSE(regulated->diagnostics.has_errors()) << regulated->diagnostics.ToString();
  auto r = LoadGatewayConfig(regulated->estate, "var", "127.0.0.1", &d);
  ASSERT_TRUE(r.has_value()) << d.ToString();
  EXPECT_EQ(r->audit.on_failure, AuditFailureMode::kReject);

  auto explicit_drop = testing::LoadTestEstate(
      "gateway:\n  audit: {on_failure: drop, max_pending: 10, retry_max_attempts: 7, "
      "retry_max_delay_ms: 250}\n");
  auto e = LoadGatewayConfig(explicit_drop, "var", "127.0.0.1", &d);
  ASSERT_TRUE(e.has_value()) << d.ToString();
  EXPECT_EQ(e->audit.on_failure, AuditFailureMode::kDrop);
  EXPECT_EQ(e->audit.max_pending, 10u);
  EXPECT_EQ(e->audit.retry_max_attempts, 7);
  EXPECT_EQ(e->audit.retry_max_delay, 250ms);

  Diagnostics bad;
  auto b = LoadGatewayConfig(testing::LoadTestEstate("gateway:\n  audit: {on_failure: ignore}\n"),
                             "var", "127.0.0.1", &bad);
  EXPECT_FALSE(b.has_value());
  EXPECT_NE(bad.ToString().find("on_failure"), std::string::npos) << bad.ToString();
}

}  // namespace
}  // namespace rampart::gateway
