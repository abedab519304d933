// The storage and ledger suite, run against both backends: SQLite in a temp
// directory and a real PostgreSQL ($RAMPART_TEST_PG_URL, a fresh schema per
// test, dropped afterwards).
#include "ledger/ledger.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "core/clock.h"
#include "core/encoding.h"
#include "estate/loader.h"
#include "ledger/checkpoint.h"
#include "ledger/config.h"
#include "ledger/query.h"
#include "ledger/server.h"
#include "ledger/verify.h"
#include "testing/testing.h"

namespace rampart::ledger {
namespace {

std::string Digest(int n) {
  auto d = crypto::Sha256(std::to_string(n));
  return "sha256:" + HexEncode(d);
}

ParsedEntry Entry(const std::string& json) {
  EntryOptions opts;
  opts.submitter = "test";
  auto e = ParseEntry(json, opts);
  EXPECT_TRUE(e.has_value()) << e.error().ToString() << "\n" << json;
  return e ? *e : ParsedEntry{};
}

ParsedEntry Ingest(int n) {
  return Entry(R"({"type":"dataset.ingested","actor":"etl-sa","time":"2026-11-26T15:00:00Z",)"
               R"("subjects":[{"digest":")" +
               Digest(n) + R"(","name":"ds-)" + std::to_string(n) + R"("}],"records":)" +
               std::to_string(n) + "}");
}

class Backend : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      url_ = "sqlite:" + (dir_ / "ledger.db").string();
      return;
    }
    const char* pg = std::getenv("RAMPART_TEST_PG_URL");
    RAMPART_NEEDS(pg != nullptr && *pg != '\0',
                  "PostgreSQL: RAMPART_TEST_PG_URL is not set; run eval \"$(bash "
                  "scripts/test-services.sh start)\"");
    pg_url_ = pg;
    std::random_device rd;
    schema_ = "ledger_test_" + std::to_string(getpid()) + "_" + std::to_string(rd() % 1000000);
    url_ = pg_url_ + (pg_url_.find('?') == std::string::npos ? "?" : "&") + "schema=" + schema_;
  }
  void TearDown() override {
    if (!schema_.empty()) Sql("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE", false);
  }

  std::unique_ptr<Store> OpenS() {
    auto s = OpenStore(url_);
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return s ? std::move(*s) : nullptr;
  }

  std::unique_ptr<Ledger> OpenL(const NoteSigner& key, LedgerOptions opts = {}) {
    auto l = Ledger::Open(OpenS(), key, opts);
    EXPECT_TRUE(l.has_value()) << l.error().ToString();
    return l ? std::move(*l) : nullptr;
  }

  // Runs SQL directly against the backing database, as an attacker with
  // database access would.
  void Sql(const std::string& sql, bool in_schema = true) {
    if (GetParam() == "sqlite") {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((dir_ / "ledger.db").c_str(), &db), SQLITE_OK);
      char* err = nullptr;
      int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
      EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
      sqlite3_free(err);
      sqlite3_close(db);
      return;
    }
    PGconn* c = PQconnectdb(pg_url_.c_str());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    std::string full = in_schema ? "SET search_path TO \"" + schema_ + "\"; " + sql : sql;
    PGresult* r = PQexec(c, full.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
  }

  testing::TempDir dir_;
  std::string url_, pg_url_, schema_;
};

TEST_P(Backend, StoreCommitsAndReadsBack) {
  auto s = OpenS();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind(), GetParam() == "sqlite" ? "sqlite" : "postgres");
  EXPECT_EQ(*s->Size(), 0u);
  CommitBatch b;
  CompactRange range;
  for (int i = 0; i < 5; ++i) {
    EntryRecord r;
    r.index = i;
    r.data = "entry " + std::to_string(i);
    r.leaf = LeafHash(r.data);
    std::vector<Hash> completed;
    range.Append(r.leaf, &completed);
    for (const Hash& h : completed) r.nodes.append(reinterpret_cast<const char*>(h.data()), 32);
    b.entries.push_back(r);
    b.index.emplace_back(Digest(i % 2), i);
  }
  b.checkpoint = CheckpointRecord{5, "note\n", "2026-11-26T15:00:00Z"};
  ASSERT_TRUE(s->Commit(b).ok());
  EXPECT_EQ(*s->Size(), 5u);
  auto e = s->ReadEntry(3);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->data, "entry 3");
  EXPECT_EQ(e->leaf, LeafHash(std::string_view("entry 3")));
  EXPECT_EQ(s->ReadEntry(9).error().code(), StatusCode::kNotFound);
  auto root = RootAt(5, StoreNodeReader(*s));
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(*root, range.Root());
  auto found = s->Find(Digest(1), 0, 10);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(*s->Find(Digest(1), 2, 10), (std::vector<std::uint64_t>{3}));
  auto cp = s->LatestCheckpoint();
  ASSERT_TRUE(cp.has_value() && cp->has_value());
  EXPECT_EQ((*cp)->size, 5u);
  ASSERT_TRUE(s->PutMeta("k", "v1").ok());
  ASSERT_TRUE(s->PutMeta("k", "v2").ok());
  EXPECT_EQ(**s->GetMeta("k"), "v2");
  EXPECT_FALSE(s->GetMeta("missing")->has_value());
  // The same index twice is refused and nothing of the batch is kept.
  CommitBatch dup;
  EntryRecord r2 = b.entries[4];
  r2.index = 5;
  dup.entries.push_back(r2);
  dup.entries.push_back(b.entries[4]);
  EXPECT_FALSE(s->Commit(dup).ok());
  EXPECT_EQ(*s->Size(), 5u);
  int scanned = 0;
  ASSERT_TRUE(s->Scan(1, 4, [&](const EntryRecord& rec) {
                 EXPECT_EQ(rec.index, static_cast<std::uint64_t>(1 + scanned));
                 ++scanned;
                 return OkStatus();
               }).ok());
  EXPECT_EQ(scanned, 3);
}

TEST_P(Backend, ConcurrentAppendsAreGroupCommittedAndProvable) {
  auto key = NoteSigner::Generate("test.rampart/ledger");
  ASSERT_TRUE(key.has_value());
  auto l = OpenL(*key);
  ASSERT_TRUE(l);
  constexpr int kThreads = 8, kPer = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        auto r = l->Append({Ingest(t * 1000 + i)});
        if (!r || r->entries.size() != 1) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(l->size(), static_cast<std::uint64_t>(kThreads * kPer));
  EXPECT_LT(l->commits(), static_cast<std::uint64_t>(kThreads * kPer));  // some sharing

  auto cp_rec = l->WaitForCheckpoint(kThreads * kPer, std::chrono::seconds(5));
  ASSERT_TRUE(cp_rec.has_value()) << cp_rec.error().ToString();
  auto cp = OpenCheckpoint(cp_rec->note, l->verifier());
  ASSERT_TRUE(cp.has_value());
  for (std::uint64_t i = 0; i < cp->size; i += 37) {
    auto bundle = MakeProofBundle(l->store(), i);
    ASSERT_TRUE(bundle.has_value()) << bundle.error().ToString();
    auto parsed = ParseProofBundle(ProofBundleToJson(*bundle));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
    auto size = VerifyProofBundle(*parsed, l->verifier());
    EXPECT_TRUE(size.has_value()) << size.error().ToString();
    // A changed entry does not verify.
    parsed->entry->as_object()["records"] = 999999;
    parsed->leaf_hash.reset();
    EXPECT_FALSE(VerifyProofBundle(*parsed, l->verifier()).has_value());
  }
  // Consistency between the empty tree's successor and now.
  auto p = ConsistencyProof(10, cp->size, StoreNodeReader(l->store()));
  ASSERT_TRUE(p.has_value());
  auto old_root = RootAt(10, StoreNodeReader(l->store()));
  EXPECT_TRUE(VerifyConsistency(10, cp->size, Views(*p), *old_root, cp->root).ok());
  auto report = VerifyLog(l->store(), l->verifier());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok()) << report->problems[0];
  EXPECT_GE(report->checkpoints, 2u);
}

// Deferred appends (the in-process audit sink's) wait for company: they go
// in one transaction with whatever comes next, at the latest when the
// interval since the previous build ends; an urgent append, Expedite() or
// shutdown takes them along at once.
TEST_P(Backend, DeferredAppendsWaitForCompanyAndGoWithTheNextTransaction) {
  using namespace std::chrono_literals;
  auto key = NoteSigner::Generate("test.rampart/ledger");
  ASSERT_TRUE(key.has_value());
  LedgerOptions o;
  o.deferred_commit_interval = 60s;
  o.checkpoint_interval = 60s;  // no checkpoint build takes them along meanwhile
  auto l = OpenL(*key, o);
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Append({Ingest(0)}).has_value());  // a build, just now
  const std::uint64_t commits0 = l->commits();
  std::atomic<int> done{0}, failed{0};
  auto count = [&](Result<AppendBatchResult> r) { r.has_value() ? ++done : ++failed; };
  for (int i = 1; i <= 20; ++i) l->AppendAsync({Ingest(i)}, count, Urgency::kDeferred);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(done.load(), 0) << "deferred appends wait for the interval";
  EXPECT_EQ(l->commits(), commits0);

  // An urgent append builds at once and takes the deferred ones along.
  auto r = l->Append({Ingest(21)});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->entries[0].index, 21u) << "after the 20 deferred, in order";
  EXPECT_EQ(done.load(), 20) << "acknowledged with the same transaction";
  EXPECT_EQ(l->commits(), commits0 + 1);

  // Expedite builds what is deferred without waiting.
  for (int i = 22; i < 27; ++i) l->AppendAsync({Ingest(i)}, count, Urgency::kDeferred);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(done.load(), 20);
  l->Expedite();
  for (int i = 0; i < 500 && done.load() < 25; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(done.load(), 25);
  EXPECT_EQ(l->commits(), commits0 + 2);

  // Shutdown commits what is still deferred before the ledger goes.
  for (int i = 27; i < 30; ++i) l->AppendAsync({Ingest(i)}, count, Urgency::kDeferred);
  l.reset();
  EXPECT_EQ(done.load(), 28);
  EXPECT_EQ(failed.load(), 0);
  auto again = OpenL(*key, o);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 30u);
}

TEST_P(Backend, ReopenContinuesTheTreeAndRefusesAnotherKey) {
  auto key = NoteSigner::Generate("test.rampart/ledger");
  Hash root_before;
  {
    auto l = OpenL(*key);
    ASSERT_TRUE(l);
    ASSERT_TRUE(l->Append({Ingest(1), Ingest(2), Ingest(3)}).has_value());
    root_before = *RootAt(3, StoreNodeReader(l->store()));
  }
  {
    auto l = OpenL(*key);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->size(), 3u);
    auto r = l->Append({Ingest(4)});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->entries[0].index, 3u);
    auto p = ConsistencyProof(3, 4, StoreNodeReader(l->store()));
    auto root = RootAt(4, StoreNodeReader(l->store()));
    EXPECT_TRUE(VerifyConsistency(3, 4, Views(*p), root_before, *root).ok());
  }
  auto other = NoteSigner::Generate("test.rampart/ledger");
  auto l = Ledger::Open(OpenS(), *other);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code(), StatusCode::kPermissionDenied);
}

TEST_P(Backend, VerifyNamesTheFirstTamperedEntry) {
  auto key = NoteSigner::Generate("test.rampart/ledger");
  {
    LedgerOptions opts;
    opts.checkpoint_interval = std::chrono::milliseconds(0);  // a checkpoint per batch
    auto l = OpenL(*key, opts);
    ASSERT_TRUE(l);
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(l->Append({Ingest(i)}).has_value());
    auto report = VerifyLog(l->store(), l->verifier());
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(report->ok());
  }
  // 1. Edit one entry's content in place.
  std::string blob =
      GetParam() == "sqlite" ? "CAST('{\"forged\":1}' AS BLOB)" : "'{\"forged\":1}'::bytea";
  Sql("UPDATE entries SET data = " + blob + " WHERE idx = 17");
  {
    auto s = OpenS();
    auto report = VerifyLog(*s, key->verifier());
    ASSERT_TRUE(report.has_value());
    EXPECT_FALSE(report->ok());
    ASSERT_TRUE(report->first_bad_index.has_value());
    EXPECT_EQ(*report->first_bad_index, 17u);
  }
  // 2. Rewrite content and leaf hash together (an attacker who knows the
  //    hashing): only the signed checkpoints can tell.
  Sql("UPDATE entries SET data = (SELECT data FROM entries WHERE idx = 3), "
      "leaf = (SELECT leaf FROM entries WHERE idx = 3) WHERE idx = 12");
  {
    auto s = OpenS();
    auto report = VerifyLog(*s, key->verifier());
    ASSERT_TRUE(report.has_value());
    ASSERT_TRUE(report->first_bad_index.has_value());
    EXPECT_EQ(*report->first_bad_index, 12u);
  }
  // A rewritten tree node on the path to the root: the ledger refuses to start
  // (fail closed) instead of extending a tree that contradicts its signature.
  Sql("UPDATE entries SET nodes = (SELECT nodes FROM entries WHERE idx = 13) WHERE idx = 29");
  {
    auto l = Ledger::Open(OpenS(), *key);
    ASSERT_FALSE(l.has_value());
    EXPECT_EQ(l.error().code(), StatusCode::kCorruption);
  }
  // 3. Delete an entry.
  Sql("DELETE FROM entries WHERE idx = 5");
  {
    auto s = OpenS();
    auto report = VerifyLog(*s, key->verifier());
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(*report->first_bad_index, 5u);
  }
}

// Fail closed: entries with no checkpoint at all only arise when the
// checkpoints were deleted; the ledger must not sign a fresh checkpoint over
// whatever the store holds.
TEST_P(Backend, RefusesToStartOnEntriesWithoutACheckpoint) {
  auto key = NoteSigner::Generate("test.rampart/ledger");
  {
    auto l = OpenL(*key);
    ASSERT_TRUE(l);
    ASSERT_TRUE(l->Append({Ingest(1), Ingest(2), Ingest(3)}).has_value());
  }
  Sql("DELETE FROM checkpoints");
  auto l = Ledger::Open(OpenS(), *key);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code(), StatusCode::kCorruption);
  EXPECT_NE(l.error().message().find("3 entries but no signed checkpoint"), std::string::npos)
      << l.error().message();
  EXPECT_NE(l.error().message().find("restore the store"), std::string::npos)
      << l.error().message();
  // Nothing was signed on the way out.
  auto cp = OpenS()->LatestCheckpoint();
  ASSERT_TRUE(cp.has_value()) << cp.error().ToString();
  EXPECT_FALSE(cp->has_value());
  // An empty store still starts, with its signed empty tree.
  Sql("DELETE FROM entries");
  auto fresh = OpenL(*key);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->size(), 0u);
}

// Fail closed: a deleted entry inside the tree leaves every node on the
// right-hand path intact, so the root still matches the signed checkpoint;
// only counting the indexes shows the gap.
TEST_P(Backend, RefusesToStartOnAGapInEntryIndexes) {
  auto key = NoteSigner::Generate("test.rampart/ledger");
  {
    auto l = OpenL(*key);
    ASSERT_TRUE(l);
    std::vector<ParsedEntry> batch;
    for (int i = 0; i < 10; ++i) batch.push_back(Ingest(i));
    ASSERT_TRUE(l->Append(std::move(batch)).has_value());
    EXPECT_TRUE(l->store().CheckContiguous().ok());
  }
  Sql("DELETE FROM entries WHERE idx = 4");
  {
    auto s = OpenS();
    Status st = s->CheckContiguous();
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_NE(st.message().find("entry 4 is missing"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("9 entries with indexes up to 9"), std::string::npos)
        << st.message();
  }
  auto l = Ledger::Open(OpenS(), *key);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code(), StatusCode::kCorruption);
  EXPECT_NE(l.error().message().find("entry 4 is missing"), std::string::npos)
      << l.error().message();

  // The first entry gone is a gap too.
  Sql("DELETE FROM entries WHERE idx = 0");
  Status st = OpenS()->CheckContiguous();
  EXPECT_NE(st.message().find("entry 0 is missing"), std::string::npos) << st.message();
}

TEST_P(Backend, FindAndLineageWalkBackToTheDatasets) {
  auto key = NoteSigner::Generate("test.rampart/ledger");
  auto l = OpenL(*key);
  ASSERT_TRUE(l);
  std::string raw = Digest(100), labeled = Digest(101), model = Digest(200), other = Digest(300);
  auto e = [&](const std::string& s) { return Entry(s); };
  std::vector<ParsedEntry> batch;
  batch.push_back(e(R"({"type":"dataset.ingested","actor":"etl-sa","subjects":[{"digest":")" + raw +
                    R"(","name":"raw"}]})"));
  batch.push_back(e(R"({"type":"dataset.changed","actor":"labeling-sa","previous":")" + raw +
                    R"(","subjects":[{"digest":")" + labeled + R"(","name":"labeled"}]})"));
  batch.push_back(e(R"({"type":"dataset.ingested","actor":"etl-sa","subjects":[{"digest":")" +
                    other + R"(","name":"unrelated"}]})"));
  batch.push_back(e(R"({"type":"training.finished","actor":"orchestrator-sa","inputs":[")" +
                    labeled + R"("],"outputs":[")" + model + R"("],"code_commit":"abc123"})"));
  batch.push_back(e(R"({"type":"model.signed","actor":"registry-sa","subjects":[{"digest":")" +
                    model + R"(","name":"acme-chat-7b"}]})"));
  ASSERT_TRUE(l->Append(std::move(batch)).has_value());

  auto found = FindEntries(l->store(), model);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].index, 3u);
  EXPECT_EQ((*found)[1].index, 4u);

  auto lin = WalkLineage(l->store(), model);
  ASSERT_TRUE(lin.has_value());
  ASSERT_EQ(lin->edges.size(), 2u);
  EXPECT_EQ(lin->edges[0].child, model);
  EXPECT_EQ(lin->edges[0].parent, labeled);
  EXPECT_EQ(lin->edges[0].type, "training.finished");
  EXPECT_EQ(lin->edges[1].child, labeled);
  EXPECT_EQ(lin->edges[1].parent, raw);
  EXPECT_EQ(lin->events.count(other), 0u);
  EXPECT_EQ(lin->events[raw].size(), 2u);  // ingested, and named as 'previous'
}

INSTANTIATE_TEST_SUITE_P(Ledger, Backend, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(EntryTest, ValidatesTypesFieldsAndSize) {
  EntryOptions opts;
  opts.submitter = "gateway-sa";
  EXPECT_TRUE(
      ParseEntry(R"({"type":"x-custom.event","actor":"a","anything":[1,2]})", opts).has_value());
  // What the guards write (docs/design/guards.md); stage and reason are required.
  EXPECT_TRUE(ParseEntry(R"({"type":"guard.blocked","actor":"app","stage":"response",)"
                         R"("reason":"canary","request_id":"r1","model":"m","score":0.75})",
                         opts)
                  .has_value());
  EXPECT_FALSE(
      ParseEntry(R"({"type":"guard.blocked","actor":"app","stage":"request"})", opts).has_value());
  // What the node verifier writes (docs/formats/ledger-entry.md); changed is a boolean.
  EXPECT_TRUE(ParseEntry(R"({"type":"node.drifted","actor":"v","node":"gpu-1","class":"train",)"
                         R"("health":"drifted","previous":"attested","changed":true,)"
                         R"("reasons":["kernel: digest not in golden values"]})",
                         opts)
                  .has_value());
  auto not_bool = ParseEntry(
      R"({"type":"node.attested","actor":"v","node":"gpu-1","health":"attested","changed":"yes"})",
      opts);
  ASSERT_FALSE(not_bool.has_value());
  EXPECT_NE(not_bool.error().message().find("true or false"), std::string::npos)
      << not_bool.error().message();
  EXPECT_FALSE(
      ParseEntry(R"({"type":"node.attested","actor":"v","health":"attested"})", opts).has_value());
  // Both node types share one field list: node.drifted refuses what node.attested refuses.
  EXPECT_FALSE(ParseEntry(R"({"type":"node.drifted","actor":"v","node":"gpu-1","health":"drifted",)"
                          R"("reasons":"kernel"})",
                          opts)
                   .has_value());
  // What `rampart assess --ledger` writes: digests and counts; the digests are indexed.
  const std::string d64(64, 'a'), c64(64, 'b'), r64(64, 'c');
  std::string assessed = R"({"type":"posture.assessed","actor":"ci","estate":"sha256:)" + d64 +
                         R"(","controls":"sha256:)" + c64 + R"(","report":"sha256:)" + r64 +
                         R"(","assessed_at":"2026-12-07T00:00:00Z","cells":24,"pass":9,)"
                         R"("fail":2,"invalid":0,"stale":0,"missing":13,"not_applicable":0,)"
                         R"("failing_essential":["inference x zero-trust: fail"],)"
                         R"("estate_name":"acme-ai","verdict":"fail"})";
  auto pa = ParseEntry(assessed, opts);
  ASSERT_TRUE(pa.has_value()) << pa.error().message();
  EXPECT_EQ(pa->digests,
            (std::vector<std::string>{"sha256:" + d64, "sha256:" + c64, "sha256:" + r64}));
  std::string no_report = assessed;
  no_report.replace(no_report.find(R"("report")"), 9 + 8 + 64 + 2, "");  // "report":"sha256:<64>",
  auto nr = ParseEntry(no_report, opts);
  ASSERT_FALSE(nr.has_value()) << no_report;
  EXPECT_NE(nr.error().message().find("'report'"), std::string::npos) << nr.error().message();
  std::string bad_count = assessed;
  bad_count.replace(bad_count.find(R"("fail":2)"), 8, R"("fail":-1)");
  EXPECT_FALSE(ParseEntry(bad_count, opts).has_value());
  auto unknown = ParseEntry(R"({"type":"model.sigend","actor":"a","subjects":[]})", opts);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("did you mean 'model.signed'"), std::string::npos)
      << unknown.error().message();
  EXPECT_FALSE(
      ParseEntry(R"({"type":"access.summary","actor":"a","window_start":"2026-11-26T15:00:00Z",)"
                 R"("window_end":"2026-11-26T15:01:00Z","requests":"many"})",
                 opts)
          .has_value());
  EXPECT_TRUE(
      ParseEntry(R"({"type":"access.summary","actor":"a","window_start":"2026-11-26T15:00:00Z",)"
                 R"("window_end":"2026-11-26T15:01:00Z","requests":12})",
                 opts)
          .has_value());
  EXPECT_FALSE(
      ParseEntry(R"({"type":"model.signed","actor":"a","subjects":[{"digest":"sha256:abc"}]})",
                 opts)
          .has_value());
  EXPECT_FALSE(ParseEntry(R"({"type":"alert","actor":"a","severity":"bad","message":"m"})", opts)
                   .has_value());
  EXPECT_FALSE(
      ParseEntry(R"({"type":"alert","actor":"a","severity":"high","message":"m","submitter":"me"})",
                 opts)
          .has_value());
  EXPECT_FALSE(ParseEntry(R"({"type":"alert","actor":"a","severity":"high","message":"m"} x)", opts)
                   .has_value());
  EXPECT_FALSE(ParseEntry("[]", opts).has_value());
  // The event the artifacts pillar records for a dataset manifest.
  EXPECT_TRUE(ParseEntry(R"({"type":"dataset.manifest","actor":"etl-sa","subjects":[{"digest":")" +
                             Digest(3) +
                             R"(","name":"corpus"}],"files":3,"bytes":10,"hash_type":"sha256"})",
                         opts)
                  .has_value());
  // Years outside 1900-2200 are refused (found by the fuzzer: year 4052
  // overflowed the nanosecond clock).
  EXPECT_FALSE(
      ParseEntry(R"({"type":"x-t","actor":"a","time":"4052-11-26T15:00:00Z"})", opts).has_value());
  EXPECT_TRUE(
      ParseEntry(R"({"type":"x-t","actor":"a","time":"2200-01-01T00:00:00Z"})", opts).has_value());
  std::string big = R"({"type":"x-big","actor":"a","pad":")" + std::string(70000, 'a') + "\"}";
  auto too_big = ParseEntry(big, opts);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code(), StatusCode::kResourceExhausted);
  // Canonical: key order and whitespace do not change the leaf.
  auto a = ParseEntry(
      R"({"type":"alert","actor":"a","time":"2026-11-26T15:00:00Z","severity":"low","message":"m"})",
      opts);
  auto b = ParseEntry(
      R"({ "message":"m", "severity":"low","time":"2026-11-26T15:00:00Z", "actor":"a","type":"alert"})",
      opts);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->canonical, b->canonical);
  EXPECT_NE(a->canonical.find("\"submitter\":\"gateway-sa\""), std::string::npos);
}

}  // namespace
}  // namespace rampart::ledger

#include "core/http_audit_sink.h"
#include "ledger/local_audit_sink.h"

namespace rampart::ledger {
namespace {

// A gateway's access summary about the model with digest Digest(n).
AuditEvent AccessSummary(int n, int requests) {
  AuditEvent e;
  e.type = "access.summary";
  e.actor = "gateway-sa";
  e.time = std::chrono::system_clock::now();
  e.subjects.push_back({Digest(n), "acme-chat-7b"});
  e.fields["window_start"] = "2026-11-26T15:00:00Z";
  e.fields["window_end"] = "2026-11-26T15:01:00Z";
  e.fields["requests"] = requests;
  return e;
}

TEST(LocalAuditSinkTest, AppendsValidatesAndPushesBack) {
  testing::TempDir dir;
  auto key = NoteSigner::Generate("sink.example/ledger");
  auto store = OpenStore("sqlite:" + (dir / "l.db").string());
  ASSERT_TRUE(store.has_value());
  auto l = Ledger::Open(std::move(*store), *key);
  ASSERT_TRUE(l.has_value());
  std::shared_ptr<Ledger> ledger = std::move(*l);
  auto sink = std::make_shared<LocalAuditSink>(ledger, "gateway", /*max_pending=*/100000);
  AuditEvent e = AccessSummary(7, 42);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(sink->Append(e).ok());
  AuditEvent bad = e;
  bad.fields["requests"] = "many";
  EXPECT_EQ(sink->Append(bad).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(sink->Flush(std::chrono::seconds(10)).ok());
  EXPECT_EQ(sink->appended(), 50u);
  auto found = FindEntries(ledger->store(), Digest(7));
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 50u);
  EXPECT_EQ((*found)[0].entry["submitter"].as_string(), "gateway");

  // Bounded: with room for one pending event, a burst is pushed back.
  auto tight = std::make_shared<LocalAuditSink>(ledger, "gateway", /*max_pending=*/1);
  int refused = 0;
  for (int i = 0; i < 200; ++i)
    refused += tight->Append(e).code() == StatusCode::kResourceExhausted;
  EXPECT_GT(refused, 0);
  ASSERT_TRUE(tight->Flush(std::chrono::seconds(10)).ok());
  EXPECT_EQ(tight->appended() + refused, 200u);
  tight->Close();
  EXPECT_EQ(tight->Append(e).code(), StatusCode::kUnavailable);
}

// The gateway's audit events reach the ledger through this sink without
// anyone waiting for them: a steady stream of them shares a transaction (and
// its fsync) per deferred interval instead of one each, and each is still
// committed within about that interval, without a Flush.
TEST(LocalAuditSinkTest, AStreamOfEventsSharesTransactionsAndCommitsWithinTheInterval) {
  using namespace std::chrono_literals;
  testing::TempDir dir;
  auto key = NoteSigner::Generate("sink.example/ledger");
  auto store = OpenStore("sqlite:" + (dir / "l.db").string());
  ASSERT_TRUE(store.has_value());
  LedgerOptions o;
  o.deferred_commit_interval = 100ms;
  auto l = Ledger::Open(std::move(*store), *key, o);
  ASSERT_TRUE(l.has_value());
  std::shared_ptr<Ledger> ledger = std::move(*l);
  auto sink = std::make_shared<LocalAuditSink>(ledger, "gateway", /*max_pending=*/100000);
  AuditEvent e = AccessSummary(8, 1);
  const std::uint64_t commits0 = ledger->commits();
  // 100 events, one every 3 ms (about 300 ms): a commit each without deferral.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(sink->Append(e).ok());
    std::this_thread::sleep_for(3ms);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  for (int i = 0; i < 500 && sink->appended() < 100; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(sink->appended(), 100u) << "committed within the interval, no Flush needed";
  const std::uint64_t commits = ledger->commits() - commits0;
  EXPECT_GE(commits, 2u);
  // About one transaction per 100 ms of the stream (plus the first event's,
  // a due checkpoint's and the last one's), however slowly the loop ran.
  const auto intervals = static_cast<std::uint64_t>(took / 100ms);
  EXPECT_LE(commits, intervals + 4) << "over " << intervals << " intervals";
  EXPECT_LT(commits, 50u);
}

// WAL checkpoints are not part of a commit: a background thread copies the
// WAL into the database file, and when it cannot keep up the writer does it
// inline past 2 x wal_checkpoint_pages, so the WAL stays bounded. Entries
// read back whole either way.
TEST(SqliteStoreTest, CheckpointsTheWalInTheBackgroundAndBoundsIt) {
  testing::TempDir dir;
  const std::string path = (dir / "l.db").string();
  auto file_size = [](const std::string& p) -> std::uintmax_t {
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0 : n;
  };
  StoreOptions so;
  so.wal_checkpoint_pages = 60;        // all of it inline at 120 pages
  const std::string data(50000, 'x');  // 13 overflow pages of 4 KiB
  auto commit = [&](Store& s, std::uint64_t i) {
    CommitBatch b;
    EntryRecord r;
    r.index = i;
    r.nodes = "";
    r.data = data + std::to_string(i);
    b.entries.push_back(std::move(r));
    return s.Commit(b);
  };
  {
    auto store = OpenSqliteStore(path, so);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    // 5 entries: ~75 WAL pages, under the inline bound. The background
    // checkpointer moves them into the database file (the writer only
    // copies the last frames after it).
    for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(commit(**store, i).ok());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (file_size(path) < 5 * data.size() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE(file_size(path), 5 * data.size());
    // 200 more (~2,600 pages, 10 MB): the WAL stays near the inline bound
    // whether or not the background thread gets a CPU.
    for (std::uint64_t i = 5; i < 205; ++i) ASSERT_TRUE(commit(**store, i).ok());
    EXPECT_LT(file_size(path + "-wal"), 2u << 20);
    for (std::uint64_t i : {0u, 4u, 100u, 204u}) {
      auto e = (*store)->ReadEntry(i);
      ASSERT_TRUE(e.has_value()) << e.error().ToString();
      EXPECT_EQ(e->data, data + std::to_string(i));
    }
  }
  auto reopened = OpenSqliteStore(path, so);
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(*(*reopened)->Size(), 205u);
}

// The trusted in-process path: for canonical valid text it stores exactly
// what the full parse would, and anything it cannot check at the top level
// (digests, escapes, disorder, a wrong field) goes through the full parse,
// errors included.
TEST(EntryTest, AdoptCanonicalEntryMatchesTheFullParse) {
  FakeClock clock;  // an entry without "time" gets the same one on both paths
  EntryOptions opts;
  opts.submitter = "gate\"way";
  opts.clock = &clock;
  auto same = [&](const std::string& text) {
    auto full = ParseEntry(text, opts);
    auto adopted = AdoptCanonicalEntry(text, opts);
    ASSERT_EQ(full.has_value(), adopted.has_value()) << text;
    if (!full) {
      EXPECT_EQ(full.error().code(), adopted.error().code()) << text;
      EXPECT_EQ(full.error().message(), adopted.error().message()) << text;
      return;
    }
    EXPECT_EQ(adopted->canonical, full->canonical) << text;
    EXPECT_EQ(adopted->type, full->type);
    EXPECT_EQ(adopted->digests, full->digests);
  };
  // The gateway's shape: records, lists, members on both sides of "submitter".
  const std::string summary =
      R"({"actor":"rampart-gateway","denied":1,"endpoint":"http://127.0.0.1:8080",)"
      R"("models":["a","b\"c"],"principals":[],"records":[{"completion_tokens":1,)"
      R"("duration_us":20,"identity":"x","model":"a","prompt_tokens":5,"request_id":"r-1",)"
      R"("route":"chat","status":200,"time":"2026-12-07T04:00:00.123Z"},{"route":"}{,[\"",)"
      R"("status":-1}],"requests":2,"time":"2026-12-07T04:00:01.000Z","type":"access.summary",)"
      R"("window_end":"2026-12-07T04:00:00.200Z","window_start":"2026-12-07T04:00:00.123Z"})";
  same(summary);
  {
    auto full = ParseEntry(summary, opts);
    ASSERT_TRUE(full.has_value());
    EXPECT_EQ(full->canonical, CanonicalJson(*ParseJson(full->canonical, {}, "t")));
  }
  // "submitter" last, and no submitter at all.
  same(R"({"actor":"a","requests":1,"time":"2026-12-07T04:00:00Z","type":"access.summary",)"
       R"("window_end":"2026-12-07T04:00:00Z","window_start":"2026-12-07T04:00:00Z"})");
  same(R"({"actor":"a","time":"2026-12-07T04:00:00Z","type":"x-custom","zz":1})");
  same(R"({"actor":"a","time":"2026-12-07T04:00:00Z","type":"x-custom"})");
  {
    // What makes it cheaper, shown by text that is not canonical inside: the
    // top level is checked, the nested values are taken as written.
    const std::string inner =
        R"({"actor":"a","requests":1,"time":"2026-12-07T04:00:00Z","type":"access.summary",)"
        R"("window_end":"2026-12-07T04:00:00Z","window_start":"2026-12-07T04:00:00Z",)"
        R"("zz":{"b":1.0,"a":[ 2 ]}})";
    auto adopted = AdoptCanonicalEntry(inner, opts);
    ASSERT_TRUE(adopted.has_value());
    EXPECT_NE(adopted->canonical.find(R"("zz":{"b":1.0,"a":[ 2 ]})"), std::string::npos);
    auto full = ParseEntry(inner, opts);
    ASSERT_TRUE(full.has_value());
    EXPECT_NE(full->canonical.find(R"("zz":{"a":[2],"b":1})"), std::string::npos);
  }
  {
    EntryOptions none;
    for (const char* text :
         {R"({"actor":"a","submitter":7,"time":"2026-12-07T04:00:00Z","type":"x-c"})",
          R"({"actor":"a","submitter":"s","time":"2026-12-07T04:00:00Z","type":"x-c"})"}) {
      auto full = ParseEntry(text, none);
      auto adopted = AdoptCanonicalEntry(text, none);
      ASSERT_EQ(full.has_value(), adopted.has_value()) << text;
      if (full) EXPECT_EQ(full->canonical, adopted->canonical);
    }
    auto adopted = AdoptCanonicalEntry(summary, none);
    ASSERT_TRUE(adopted.has_value());
    EXPECT_EQ(adopted->canonical, summary);
  }
  // Taken by the full parse: digests, non-canonical order or spacing, escaped
  // names, bad fields, a client's own submitter, no time, too big.
  same(R"({"actor":"a","subjects":[{"digest":")" + Digest(1) +
       R"(","name":"m"}],"time":"2026-12-07T04:00:00Z","type":"model.signed"})");
  same(R"({"actor":"a","previous":")" + Digest(2) + R"(","subjects":[{"digest":")" + Digest(3) +
       R"("}],"time":"2026-12-07T04:00:00Z","type":"dataset.changed"})");
  same(R"({"actor":"a","registry":"r","time":"2026-12-07T04:00:00Z","type":"model.registered"})");
  same(R"({"type":"x-custom","actor":"a","time":"2026-12-07T04:00:00Z"})");
  same(R"({"actor":"a", "time":"2026-12-07T04:00:00Z","type":"x-custom"})");
  same(R"({"actor":"a","t\u0069me":"2026-12-07T04:00:00Z","type":"x-custom"})");
  same(R"({"actor":"a","requests":-1,"time":"2026-12-07T04:00:00Z","type":"access.summary",)"
       R"("window_end":"2026-12-07T04:00:00Z","window_start":"2026-12-07T04:00:00Z"})");
  same(R"({"actor":"a","requests":1,"time":"2026-12-07T04:00:00Z","type":"access.summary",)"
       R"("window_end":"yesterday","window_start":"2026-12-07T04:00:00Z"})");
  same(R"({"actor":"a","models":[1],"requests":1,"time":"2026-12-07T04:00:00Z",)"
       R"("type":"access.summary","window_end":"2026-12-07T04:00:00Z",)"
       R"("window_start":"2026-12-07T04:00:00Z"})");
  same(R"({"actor":"a","requests":1,"time":"2026-12-07T04:00:00Z","type":"access.summary",)"
       R"("window_start":"2026-12-07T04:00:00Z"})");
  same(R"({"actor":"a","submitter":"me","time":"2026-12-07T04:00:00Z","type":"x-custom"})");
  same(R"({"actor":"a","type":"x-custom"})");
  same(R"({"actor":"a","time":"2026-12-07T04:00:00Z","type":"nope"})");
  same(R"({"actor":"","time":"2026-12-07T04:00:00Z","type":"x-custom"})");
  same(R"([1])");
  opts.max_bytes = 80;
  same(R"({"actor":"a","time":"2026-12-07T04:00:00Z","type":"x-custom","zz":"0123456789"})");
}

TEST(LedgerConfigTest, ReadsTheDeferredCommitIntervalAndRefusesOneOutOfRange) {
  auto read = [](const std::string& value, Diagnostics* d) {
    auto r = estate::LoadString(
        "version: 1\nname: t\nledger:\n  deferred_commit_interval_ms: " + value + "\n",
        "estate.yaml");
    EXPECT_TRUE(r.has_value());
    return ReadLedgerConfig(r->estate, "var", "127.0.0.1", d);
  };
  Diagnostics ok;
  EXPECT_EQ(read("250", &ok).deferred_commit_interval, std::chrono::milliseconds(250));
  EXPECT_FALSE(ok.has_errors()) << ok.ToString();
  EXPECT_EQ(DefaultLedgerConfig(nullptr, "var", "127.0.0.1").deferred_commit_interval,
            std::chrono::milliseconds(10));
  Diagnostics bad;
  read("20000", &bad);
  EXPECT_TRUE(bad.has_errors());
  EXPECT_NE(bad.ToString().find("deferred_commit_interval_ms"), std::string::npos)
      << bad.ToString();
}

TEST(HttpAuditSinkTest, RefusesBadConfiguration) {
  HttpAuditSinkOptions o;
  o.api_key = "rk_x";
  o.url = "https://127.0.0.1:7000";
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(MakeHttpAuditSink(o).has_value());
  o.ca_file.clear();
  o.url = "ftp://127.0.0.1:7000";
  EXPECT_FALSE(MakeHttpAuditSink(o).has_value());
  o.url = "127.0.0.1:7000";
  EXPECT_FALSE(MakeHttpAuditSink(o).has_value());
  o.url = "http://127.0.0.1";
  EXPECT_FALSE(MakeHttpAuditSink(o).has_value());
  o.url = "http://127.0.0.1:7000";
  o.api_key.clear();
  EXPECT_FALSE(MakeHttpAuditSink(o).has_value());
}

// Taking a busy port is an error when the port was asked for (`listen:`);
// only the embedded default may move to a free one.
TEST(LedgerServerPortTest, ABusyExplicitPortIsAnError) {
  testing::TempDir dir;
  auto store = OpenStore("sqlite:" + (dir / "ledger.db").string());
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  auto key = NoteSigner::Generate("test.rampart/ledger");
  auto l = Ledger::Open(std::move(*store), *key);
  ASSERT_TRUE(l.has_value()) << l.error().ToString();

  // Another process's socket: bound without SO_REUSEPORT (which would let
  // sockets of one user share the port).
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::uint16_t busy = ntohs(addr.sin_port);

  ServerOptions explicit_port;
  explicit_port.port = busy;
  auto refused = LedgerServer::Start(**l, explicit_port);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.error().message().find(std::to_string(busy)), std::string::npos)
      << refused.error().message();

  ServerOptions embedded = explicit_port;
  embedded.fallback_to_any_port = true;
  auto moved = LedgerServer::Start(**l, embedded);
  ASSERT_TRUE(moved.has_value()) << moved.error().ToString();
  EXPECT_NE((*moved)->port(), busy);
  (*moved)->Stop();
  close(fd);
}

}  // namespace
}  // namespace rampart::ledger
