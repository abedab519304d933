// Ledger benchmarks, each printed next to a baseline measured in the same run:
//   1. durable appends of 256-byte entries from 64 concurrent clients, vs raw
//      SQLite inserting the same bytes with the same batch sizes and durability;
//   2. inclusion proofs from the store at 10M entries (p50), vs one raw SQLite
//      point read; proof verification, vs the SHA-256 calls it needs;
//   3. time from append to inclusion in a signed checkpoint (p50), vs the
//      durable-append latency alone.
// Usage: ledger_bench WORK_DIR [--proof-entries N] [--seconds S] [--clients C] [--client-batch B]
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/node_cache.h"

using namespace rampart;
using namespace rampart::ledger;
namespace fs = std::filesystem;
using Clock_ = std::chrono::steady_clock;

namespace {

double Seconds(Clock_::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * (v.size() - 1))];
}

std::string EntryJson(int client, long seq, std::size_t pad) {
  return R"({"type":"x-bench.event","actor":"client-)" + std::to_string(client) + R"(","seq":)" +
         std::to_string(seq) + R"(,"pad":")" + std::string(pad, 'p') + "\"}";
}

// Pads so that the canonical entry (with time and submitter added) is 256 bytes.
std::size_t PadFor256() {
  EntryOptions o;
  o.submitter = "bench";
  auto e = ParseEntry(EntryJson(10, 100000, 0), o);
  return e->canonical.size() < 256 ? 256 - e->canonical.size() : 0;
}

std::unique_ptr<Ledger> OpenLedger(const fs::path& db, Durability d, NoteSigner& key,
                                   std::chrono::milliseconds cp_interval) {
  StoreOptions so;
  so.durability = d;
  auto store = OpenSqliteStore(db.string(), so);
  if (!store) {
    std::fprintf(stderr, "bench: %s\n", store.error().ToString().c_str());
    std::exit(2);
  }
  LedgerOptions lo;
  lo.checkpoint_interval = cp_interval;
  auto l = Ledger::Open(std::move(*store), key, lo);
  if (!l) {
    std::fprintf(stderr, "bench: %s\n", l.error().ToString().c_str());
    std::exit(2);
  }
  return std::move(*l);
}

void RemoveDb(const fs::path& db) {
  std::error_code ec;
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(db.string() + s, ec);
}

// ---- 1. durable appends ----------------------------------------------------------------

struct AppendFigures {
  double rate = 0;
  double avg_batch = 0;
  std::uint64_t entries = 0;
};

// With `parse`, each client builds and validates its JSON entries in the loop
// (what the HTTP front end does per request); without, clients append copies
// of entries they validated before the clock started, which measures the
// ledger's append path alone: queue, hashing, tree, SQLite, fsync, acks.
AppendFigures LedgerAppends(const fs::path& dir, int clients, int client_batch, double seconds,
                            std::size_t pad, NoteSigner& key, bool parse) {
  fs::path db = dir / "append.db";
  RemoveDb(db);
  auto l = OpenLedger(db, Durability::kFull, key, std::chrono::milliseconds(200));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> failures{0};
  std::vector<std::thread> threads;
  auto start = Clock_::now();
  std::uint64_t commits0 = l->commits(), entries0 = l->committed_entries();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      EntryOptions o;
      o.submitter = "bench";
      std::vector<ParsedEntry> pool;
      if (!parse) {
        for (int i = 0; i < client_batch; ++i) pool.push_back(*ParseEntry(EntryJson(c, i, pad), o));
      }
      for (long seq = 0; !stop; seq += client_batch) {
        std::vector<ParsedEntry> batch;
        if (parse) {
          for (int i = 0; i < client_batch; ++i) {
            batch.push_back(*ParseEntry(EntryJson(c, seq + i, pad), o));
          }
        } else {
          batch = pool;
        }
        if (!l->Append(std::move(batch))) ++failures;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double elapsed = Seconds(Clock_::now() - start);
  AppendFigures f;
  f.entries = l->committed_entries() - entries0;
  f.rate = f.entries / elapsed;
  std::uint64_t commits = l->commits() - commits0;
  f.avg_batch = commits ? static_cast<double>(f.entries) / commits : 0;
  if (failures)
    std::fprintf(stderr, "bench: %llu append failures\n", (unsigned long long)failures.load());
  l.reset();
  RemoveDb(db);
  return f;
}

double RawSqliteAppends(const fs::path& dir, std::size_t batch, std::uint64_t total,
                        std::size_t pad) {
  fs::path db = dir / "raw.db";
  RemoveDb(db);
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_exec(h,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
               "CREATE TABLE entries(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(h, "INSERT INTO entries(idx, data) VALUES(?1, ?2)", -1, &ins, nullptr);
  // The same 256-byte canonical entries, prepared outside the timing.
  EntryOptions o;
  o.submitter = "bench";
  std::vector<std::string> payloads;
  for (int i = 0; i < 1024; ++i)
    payloads.push_back(ParseEntry(EntryJson(i % 64, i, pad), o)->canonical);
  auto start = Clock_::now();
  std::uint64_t n = 0;
  while (n < total) {
    sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (std::size_t i = 0; i < batch && n < total; ++i, ++n) {
      const std::string& p = payloads[n % payloads.size()];
      sqlite3_bind_int64(ins, 1, static_cast<sqlite3_int64>(n));
      sqlite3_bind_blob(ins, 2, p.data(), static_cast<int>(p.size()), SQLITE_STATIC);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr);
  }
  double rate = n / Seconds(Clock_::now() - start);
  sqlite3_finalize(ins);
  sqlite3_close(h);
  RemoveDb(db);
  return rate;
}

// ---- 2. proofs at 10M ----------------------------------------------------------------

void BuildFixture(const fs::path& db, std::uint64_t n, NoteSigner& key) {
  auto l = OpenLedger(db, Durability::kOff, key, std::chrono::hours(1));
  std::uint64_t have = l->size();
  if (have >= n) return;
  std::fprintf(stderr, "bench: building a %llu-entry fixture (once; kept in %s)\n",
               (unsigned long long)n, db.c_str());
  auto start = Clock_::now();
  constexpr std::uint64_t kBatch = 8192;
  for (std::uint64_t i = have; i < n; i += kBatch) {
    std::vector<ParsedEntry> batch;
    for (std::uint64_t j = i; j < std::min(n, i + kBatch); ++j) {
      ParsedEntry e;
      e.canonical = "{\"i\":" + std::to_string(j) + "}";
      batch.push_back(std::move(e));
    }
    if (!l->Append(std::move(batch))) std::exit(2);
    if (isatty(2) && (i / kBatch) % 64 == 0) {
      std::fprintf(stderr, "\r  %llu / %llu", (unsigned long long)i, (unsigned long long)n);
    }
  }
  if (isatty(2)) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "bench: fixture built in %.1f s\n", Seconds(Clock_::now() - start));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: ledger_bench WORK_DIR [--proof-entries N] [--seconds S] [--clients C] "
                 "[--client-batch B]\n");
    return 2;
  }
  fs::path dir = argv[1];
  std::uint64_t proof_entries = 10'000'000;
  double seconds = 9;
  int clients = 64, client_batch = 16;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--proof-entries") proof_entries = std::stoull(argv[i + 1]);
    if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    if (a == "--clients") clients = std::stoi(argv[i + 1]);
    if (a == "--client-batch") client_batch = std::stoi(argv[i + 1]);
  }
  fs::create_directories(dir);
  // A fixed key, so the proof fixture can be reused across runs.
  std::vector<std::uint8_t> seed(32, 7);
  NoteSigner key = *NoteSigner::FromSeed("bench.rampart/ledger", seed);
  std::size_t pad = PadFor256();

  // 1. Durable appends. The machine is shared, so ledger and baseline run
  // alternately, three rounds each, and the medians are compared.
  constexpr int kRounds = 5;
  std::vector<double> ledger_rates, raw_rates, batches, parse_rates;
  for (int round = 0; round < kRounds; ++round) {
    AppendFigures f = LedgerAppends(dir, clients, client_batch, seconds / kRounds, pad, key, false);
    double raw = RawSqliteAppends(dir, static_cast<std::size_t>(std::max(1.0, f.avg_batch)),
                                  std::max<std::uint64_t>(f.entries, 50'000), pad);
    AppendFigures p = LedgerAppends(dir, clients, client_batch, seconds / kRounds, pad, key, true);
    ledger_rates.push_back(f.rate);
    raw_rates.push_back(raw);
    batches.push_back(f.avg_batch);
    parse_rates.push_back(p.rate);
  }
  double ledger_rate = Percentile(ledger_rates, 0.5), raw_rate = Percentile(raw_rates, 0.5);
  std::printf(
      "durable appends, 256-byte entries, %d clients x batches of %d (SQLite WAL, "
      "synchronous=FULL; median of %d interleaved rounds)\n",
      clients, client_batch, kRounds);
  std::printf(
      "  ledger:       %10.0f entries/s   (validated entries; avg %.0f per commit; target >= "
      "50000)\n",
      ledger_rate, Percentile(batches, 0.5));
  std::printf("  raw SQLite:   %10.0f entries/s   (same bytes, same batch size, same durability)\n",
              raw_rate);
  std::printf("  ratio:        %10.2f             (target >= 0.80; per round:",
              raw_rate > 0 ? ledger_rate / raw_rate : 0);
  for (int r = 0; r < kRounds; ++r) {
    std::printf(" %.2f", raw_rates[r] > 0 ? ledger_rates[r] / raw_rates[r] : 0);
  }
  std::printf(")\n");
  std::printf(
      "  with parsing: %10.0f entries/s   (clients also build and validate the JSON; ratio %.2f)\n",
      Percentile(parse_rates, 0.5), raw_rate > 0 ? Percentile(parse_rates, 0.5) / raw_rate : 0);
  std::fflush(stdout);

  // 2. Proofs at 10M.
  fs::path fixture = dir / ("proof-" + std::to_string(proof_entries) + ".db");
  BuildFixture(fixture, proof_entries, key);
  {
    auto store = *OpenSqliteStore(fixture.string(), StoreOptions{});
    NodeCache cache;
    NodeReader reader = CachedNodeReader(*store, cache);
    NodeReader uncached = StoreNodeReader(*store);
    std::mt19937_64 rng(42);
    auto root = *RootAt(proof_entries, reader);
    std::vector<double> gen_us, ver_us, raw_us, sha_us, uncached_us;
    std::vector<Hash> leaves;
    // Warm the page cache a little, as a serving ledger would be.
    for (int i = 0; i < 2000; ++i)
      (void)InclusionProof(rng() % proof_entries, proof_entries, reader);
    sqlite3* h = nullptr;
    sqlite3_open_v2(fixture.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_exec(h, "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;", nullptr, nullptr,
                 nullptr);
    sqlite3_stmt* get = nullptr;
    sqlite3_prepare_v2(h, "SELECT leaf, nodes FROM entries WHERE idx = ?1", -1, &get, nullptr);
    std::size_t proof_len = 0;
    for (int i = 0; i < 20000; ++i) {
      std::uint64_t idx = rng() % proof_entries;
      auto t0 = Clock_::now();
      auto proof = InclusionProof(idx, proof_entries, reader);
      auto t1 = Clock_::now();
      if (!proof) {
        std::fprintf(stderr, "bench: %s\n", proof.error().ToString().c_str());
        return 2;
      }
      proof_len = proof->size();
      Hash leaf = LeafHash("{\"i\":" + std::to_string(idx) + "}");
      auto t2 = Clock_::now();
      Status st = VerifyInclusion(idx, proof_entries, leaf, Views(*proof), root);
      auto t3 = Clock_::now();
      if (!st.ok()) {
        std::fprintf(stderr, "bench: proof does not verify: %s\n", st.ToString().c_str());
        return 2;
      }
      auto u0 = Clock_::now();
      (void)InclusionProof(rng() % proof_entries, proof_entries, uncached);
      uncached_us.push_back(std::chrono::duration<double, std::micro>(Clock_::now() - u0).count());
      // Baselines: one raw point read; the node hashes a verification needs.
      std::uint64_t other = rng() % proof_entries;
      auto t4 = Clock_::now();
      sqlite3_bind_int64(get, 1, static_cast<sqlite3_int64>(other));
      sqlite3_step(get);
      sqlite3_reset(get);
      auto t5 = Clock_::now();
      Hash h2 = leaf;
      for (std::size_t k = 0; k < proof->size(); ++k) h2 = NodeHash((*proof)[k], h2);
      auto t6 = Clock_::now();
      if (h2[0] == 0xFF && h2[1] == 0xFF && h2[2] == 0xFF) std::fprintf(stderr, " ");
      gen_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      ver_us.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
      raw_us.push_back(std::chrono::duration<double, std::micro>(t5 - t4).count());
      sha_us.push_back(std::chrono::duration<double, std::micro>(t6 - t5).count());
    }
    sqlite3_finalize(get);
    sqlite3_close(h);
    std::printf("inclusion proofs at %llu entries (%zu hashes each), from the SQLite store\n",
                (unsigned long long)proof_entries, proof_len);
    std::printf(
        "  generate:     p50 %7.1f us  p99 %7.1f us   (levels >= 8 cached after first read; target "
        "p50 < 50 us)\n",
        Percentile(gen_us, 0.5), Percentile(gen_us, 0.99));
    std::printf("  no cache:     p50 %7.1f us  p99 %7.1f us   (every node read from SQLite)\n",
                Percentile(uncached_us, 0.5), Percentile(uncached_us, 0.99));
    std::printf("  raw SQLite:   p50 %7.1f us  p99 %7.1f us   (one point read of a row)\n",
                Percentile(raw_us, 0.5), Percentile(raw_us, 0.99));
    std::printf("  verify:       p50 %7.1f us  p99 %7.1f us   (target < 10 us)\n",
                Percentile(ver_us, 0.5), Percentile(ver_us, 0.99));
    std::printf("  SHA-256 only: p50 %7.1f us  p99 %7.1f us   (the %zu node hashes alone)\n",
                Percentile(sha_us, 0.5), Percentile(sha_us, 0.99), proof_len);
  }

  // 3. Append to inclusion in a signed checkpoint, under load.
  {
    fs::path db = dir / "latency.db";
    RemoveDb(db);
    auto l = OpenLedger(db, Durability::kFull, key, std::chrono::milliseconds(200));
    std::atomic<bool> stop{false};
    std::vector<std::thread> load;
    for (int c = 0; c < 8; ++c) {
      load.emplace_back([&, c] {
        EntryOptions o;
        o.submitter = "bench";
        for (long seq = 0; !stop; ++seq) (void)l->Append({*ParseEntry(EntryJson(c, seq, pad), o)});
      });
    }
    std::vector<double> to_cp_ms, durable_ms;
    EntryOptions o;
    o.submitter = "bench";
    for (int i = 0; i < 60; ++i) {
      auto t0 = Clock_::now();
      auto r = l->Append({*ParseEntry(EntryJson(99, i, pad), o)});
      auto t1 = Clock_::now();
      if (!r) return 2;
      auto cp = l->WaitForCheckpoint(r->entries[0].index + 1, std::chrono::seconds(10));
      auto t2 = Clock_::now();
      if (!cp) return 2;
      durable_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      to_cp_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(37));
    }
    stop = true;
    for (auto& t : load) t.join();
    l.reset();
    RemoveDb(db);
    std::printf(
        "append to inclusion in a signed checkpoint (checkpoint every 200 ms, 8 clients of "
        "load)\n");
    std::printf("  to checkpoint: p50 %7.1f ms  p99 %7.1f ms   (target p50 < 1000 ms)\n",
                Percentile(to_cp_ms, 0.5), Percentile(to_cp_ms, 0.99));
    std::printf("  durable only:  p50 %7.1f ms  p99 %7.1f ms   (baseline: the commit itself)\n",
                Percentile(durable_ms, 0.5), Percentile(durable_ms, 0.99));
  }
  return 0;
}
