// The ledger's commit-failure path through its HTTP API: a store that fails
// Commit() on demand (wrapping the real SQLite store) makes the API answer
// an error for the entries of that transaction; no entry is acknowledged
// that the store does not hold; the ledger recovers without a restart, its
// signed checkpoints stay consistent with the stored tree, and the log
// reopens and verifies afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "core/json.h"
#include "http_client.h"
#include "ledger/api_key.h"
#include "ledger/ledger.h"
#include "ledger/local_audit_sink.h"
#include "ledger/note.h"
#include "ledger/server.h"
#include "ledger/store.h"
#include "ledger/verify.h"
#include "testing/testing.h"

namespace rampart::ledger {
namespace {

using namespace std::chrono_literals;
using testing_http::Request;

// A Store that forwards to a real one and fails the next Commit() of entries
// when told to:
// kBefore fails without writing (a rolled-back transaction), kAfter writes
// and then reports failure (the connection broke during COMMIT: outcome
// unknown to the ledger).
class FaultyStore final : public Store {
 public:
  enum class Fault { kNone, kBefore, kAfter };
  explicit FaultyStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  void FailNextCommit(Fault f) { fault_ = f; }
  int failed_commits() const { return failed_; }

  std::string_view kind() const override { return inner_->kind(); }
  Result<std::optional<std::string>> GetMeta(std::string_view key) override {
    return inner_->GetMeta(key);
  }
  Status PutMeta(std::string_view key, std::string_view value) override {
    return inner_->PutMeta(key, value);
  }
  Result<std::uint64_t> Size() override { return inner_->Size(); }
  Status CheckContiguous() override { return inner_->CheckContiguous(); }
  Status Commit(const CommitBatch& batch) override {
    // Only a transaction with entries takes the fault (not a checkpoint alone).
    Fault f = batch.entries.empty() ? Fault::kNone : fault_.exchange(Fault::kNone);
    if (f == Fault::kBefore) {
      ++failed_;
      return UnavailableError("injected: disk I/O error before commit");
    }
    Status s = inner_->Commit(batch);
    if (f == Fault::kAfter && s.ok()) {
      ++failed_;
      return UnavailableError("injected: connection lost during COMMIT");
    }
    return s;
  }
  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> ids) override {
    return inner_->ReadNodes(ids);
  }
  Result<EntryRecord> ReadEntry(std::uint64_t index) override { return inner_->ReadEntry(index); }
  Status Scan(std::uint64_t from, std::uint64_t to,
              const std::function<Status(const EntryRecord&)>& fn) override {
    return inner_->Scan(from, to, fn);
  }
  Result<std::vector<std::uint64_t>> Find(std::string_view digest, std::uint64_t after_plus_one,
                                          std::size_t limit) override {
    return inner_->Find(digest, after_plus_one, limit);
  }
  Result<std::optional<CheckpointRecord>> LatestCheckpoint() override {
    return inner_->LatestCheckpoint();
  }
  Result<std::optional<CheckpointRecord>> CheckpointCovering(std::uint64_t size) override {
    return inner_->CheckpointCovering(size);
  }
  Status ScanCheckpoints(const std::function<Status(const CheckpointRecord&)>& fn) override {
    return inner_->ScanCheckpoints(fn);
  }

 private:
  std::unique_ptr<Store> inner_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> failed_{0};
};

std::string Entry(const std::string& message) {
  return R"({"type":"alert","actor":"ops","severity":"high","message":")" + message + R"("})";
}

class LedgerFault : public ::testing::Test {
 protected:
  void SetUp() override {
    auto signer = NoteSigner::Generate("test.rampart/ledger");
    ASSERT_TRUE(signer.has_value());
    signer_ = std::make_unique<NoteSigner>(std::move(*signer));
    auto key = GenerateApiKey("ops");
    ASSERT_TRUE(key.has_value());
    token_ = key->token;
    record_ = key->record;
    url_ = "sqlite:" + (dir_ / "ledger.db").string();
    auto inner = OpenStore(url_);
    ASSERT_TRUE(inner.has_value()) << inner.error().ToString();
    auto store = std::make_unique<FaultyStore>(std::move(*inner));
    store_ = store.get();
    LedgerOptions lo;
    lo.checkpoint_interval = 10ms;
    auto l = Ledger::Open(std::move(store), *signer_, lo);
    ASSERT_TRUE(l.has_value()) << l.error().ToString();
    ledger_ = std::move(*l);
    ServerOptions so;
    so.port = 0;
    so.threads = 1;
    so.api_keys = {record_};
    auto s = LedgerServer::Start(*ledger_, so);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    server_ = std::move(*s);
    port_ = server_->port();
  }

  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    ledger_.reset();
  }

  testing_http::HttpReply Append(const std::string& message) {
    return Request(port_, "POST", "/v1/entries", Entry(message), token_);
  }

  // The acknowledged index of a 201 answer.
  static std::int64_t IndexOf(const testing_http::HttpReply& r) {
    auto v = ParseJson(r.body);
    if (!v || !v->is_object()) return -1;
    const auto& e = v->as_object().at("entries").as_array();
    return e.empty() ? -1 : e[0].as_object().at("index").to_number<std::int64_t>();
  }

  // The message of the entry at `index`, or "" (with the HTTP status) when absent.
  std::string MessageAt(std::uint64_t index) {
    auto r = Request(port_, "GET", "/v1/entries/" + std::to_string(index));
    if (r.status != 200) return "<" + std::to_string(r.status) + ">";
    auto v = ParseJson(r.body);
    if (!v || !v->is_object()) return "<bad json>";
    return std::string(v->as_object().at("entry").as_object().at("message").as_string());
  }

  testing::TempDir dir_;
  std::unique_ptr<NoteSigner> signer_;
  std::string token_, url_;
  ApiKeyRecord record_;
  FaultyStore* store_ = nullptr;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<LedgerServer> server_;
  int port_ = 0;
};

TEST_F(LedgerFault, AFailedCommitIsAnErrorAndTheLedgerRecovers) {
  auto a = Append("a");
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(IndexOf(a), 0);

  store_->FailNextCommit(FaultyStore::Fault::kBefore);
  auto b = Append("b");
  EXPECT_EQ(b.status, 503) << b.body;  // retryable, never 201
  auto v = ParseJson(b.body);
  ASSERT_TRUE(v && v->is_object()) << b.body;
  EXPECT_EQ(v->as_object().at("error").as_object().at("code").as_string(), "unavailable");
  EXPECT_EQ(store_->failed_commits(), 1);

  // No restart: the next append takes the index the failed one did not keep.
  auto c = Append("c");
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(IndexOf(c), 1);
  EXPECT_EQ(MessageAt(0), "a");
  EXPECT_EQ(MessageAt(1), "c");
  EXPECT_EQ(MessageAt(2), "<404>");
  EXPECT_EQ(ledger_->size(), 2u);

  // The signed tree head covers exactly what the store holds.
  auto cp = ledger_->WaitForCheckpoint(2, 5s);
  ASSERT_TRUE(cp.has_value()) << cp.error().ToString();
  auto report = VerifyLog(ledger_->store(), ledger_->verifier());
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
  EXPECT_EQ(report->entries, 2u);
}

TEST_F(LedgerFault, ACommitWhoseOutcomeIsUnknownIsNotAcknowledgedAndNothingIsOverwritten) {
  ASSERT_EQ(Append("a").status, 201);
  // Past the checkpoint interval, so the transaction of "b" carries a signed
  // tree head too: the store keeps it though the ledger hears a failure, and
  // the ledger must not sign (and insert) that size a second time.
  std::this_thread::sleep_for(30ms);
  store_->FailNextCommit(FaultyStore::Fault::kAfter);
  auto b = Append("b");
  EXPECT_EQ(b.status, 503) << b.body;  // the ledger cannot know: it does not acknowledge
  std::this_thread::sleep_for(30ms);   // a checkpoint falls due again before "c"
  // The ledger reloads what the store holds: "b" is there (a client retry
  // records it twice, never loses it), and "c" goes after it.
  auto c = Append("c");
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(IndexOf(c), 2);
  EXPECT_EQ(MessageAt(1), "b");
  EXPECT_EQ(MessageAt(2), "c");
  ASSERT_TRUE(ledger_->WaitForCheckpoint(3, 5s).has_value());
}

TEST_F(LedgerFault, SeveralFailuresInARowThenTheLogReopensAndVerifies) {
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 12; ++i) {
    if (i % 3 == 1) store_->FailNextCommit(FaultyStore::Fault::kBefore);
    std::string m = "m" + std::to_string(i);
    auto r = Append(m);
    if (r.status == 201) {
      EXPECT_EQ(IndexOf(r), static_cast<std::int64_t>(acknowledged.size()));
      acknowledged.push_back(m);
    } else {
      EXPECT_EQ(r.status, 503) << r.body;
    }
  }
  EXPECT_EQ(store_->failed_commits(), 4);
  EXPECT_EQ(acknowledged.size(), 8u);
  // Every acknowledged entry is stored, in order.
  for (std::size_t i = 0; i < acknowledged.size(); ++i) EXPECT_EQ(MessageAt(i), acknowledged[i]);
  ASSERT_TRUE(ledger_->WaitForCheckpoint(acknowledged.size(), 5s).has_value());
  server_->Stop();
  server_.reset();
  ledger_.reset();

  // Reopening checks the latest checkpoint against the stored tree.
  auto store = OpenStore(url_);
  ASSERT_TRUE(store.has_value());
  auto l = Ledger::Open(std::move(*store), *signer_);
  ASSERT_TRUE(l.has_value()) << l.error().ToString();
  EXPECT_EQ((*l)->size(), acknowledged.size());
  auto report = VerifyLog((*l)->store(), (*l)->verifier());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
}

// The in-process audit sink (`rampart serve` hands it to the gateway): an
// access.summary whose commit failed is submitted again, not lost.
TEST(LedgerFaultSink, TheLocalAuditSinkSubmitsAnEventAgainAfterAFailedCommit) {
  testing::TempDir dir;
  auto signer = NoteSigner::Generate("sink.example/ledger");
  ASSERT_TRUE(signer.has_value());
  auto inner = OpenStore("sqlite:" + (dir / "l.db").string());
  ASSERT_TRUE(inner.has_value());
  auto store = std::make_unique<FaultyStore>(std::move(*inner));
  FaultyStore* faulty = store.get();
  auto l = Ledger::Open(std::move(store), *signer);
  ASSERT_TRUE(l.has_value());
  std::shared_ptr<Ledger> ledger = std::move(*l);
  LocalAuditSink sink(ledger, "gateway");
  AuditEvent e;
  e.type = "access.summary";
  e.actor = "gateway-sa";
  e.time = std::chrono::system_clock::now();
  e.fields["window_start"] = "2026-11-26T15:00:00Z";
  e.fields["window_end"] = "2026-11-26T15:01:00Z";
  e.fields["requests"] = 1;
  for (auto fault : {FaultyStore::Fault::kBefore, FaultyStore::Fault::kAfter}) {
    faulty->FailNextCommit(fault);
    ASSERT_TRUE(sink.Append(e).ok());
    ASSERT_TRUE(sink.Flush(10s).ok());
  }
  EXPECT_EQ(faulty->failed_commits(), 2);
  EXPECT_EQ(sink.appended(), 2u);
  EXPECT_EQ(sink.failed(), 0u);
  // kBefore: stored once after the retry; kAfter: stored, and once more by
  // the retry (the ledger could not know): at least once, never lost.
  EXPECT_EQ(ledger->size(), 3u);
  auto report = VerifyLog(ledger->store(), ledger->verifier());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace rampart::ledger
