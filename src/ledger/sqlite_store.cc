// The SQLite backend: WAL, one writer connection, a pool of readers.
#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "ledger/store.h"

namespace rampart::ledger {
namespace {

constexpr std::int64_t kWriterCacheKib = 4096;

// WAL checkpoints (copying committed pages from the WAL into the database
// file) are not part of a commit: SQLite's automatic checkpoint, run inside
// the COMMIT that takes the WAL past 1000 pages, made one commit in ~70
// (50 KB access summaries) take 3-4 ms of CPU instead of ~0.25 ms. The
// writer turns it off and wakes a checkpointer thread instead, which runs
// at SCHED_IDLE: it copies pages only when a CPU has nothing else to run;
// the writer copies the last few frames (AfterCommit). When the thread
// cannot keep up (CPUs busy), the writer copies everything once the WAL
// reaches kInlineCheckpointFactor times wal_checkpoint_pages, so the WAL
// stays bounded; a checkpoint the thread is inside at that point (holding
// the lock the writer's attempt needs) runs at normal priority until it
// ends. Durability is unchanged: a commit is durable once its WAL
// frames are fsynced; a checkpoint only copies them.
constexpr int kInlineCheckpointFactor = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries(
  idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, nodes BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS subjects(
  digest TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY(digest, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints(
  size INTEGER PRIMARY KEY, note TEXT NOT NULL, created TEXT NOT NULL);
)sql";

Status SqliteError(sqlite3* db, std::string_view what) {
  std::string msg = std::string("sqlite: ") + std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
  int code = db != nullptr ? sqlite3_errcode(db) & 0xFF : SQLITE_NOMEM;
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return CorruptionError(msg);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR || code == SQLITE_FULL ||
      code == SQLITE_CANTOPEN) {
    return UnavailableError(msg);
  }
  return InternalError(msg);
}

// A prepared statement, reset on scope exit.
class Stmt {
 public:
  Stmt() = default;
  ~Stmt() {
    if (s_ != nullptr) sqlite3_finalize(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Status Prepare(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK) {
      return SqliteError(db, std::string("preparing ") + sql);
    }
    return OkStatus();
  }
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

struct ResetOnExit {
  sqlite3_stmt* s;
  ~ResetOnExit() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return UnavailableError(std::string("sqlite: ") + msg);
  }
  return OkStatus();
}

std::string_view ColumnBlob(sqlite3_stmt* s, int col) {
  const void* p = sqlite3_column_blob(s, col);
  int n = sqlite3_column_bytes(s, col);
  return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
}

Status ReadRow(sqlite3_stmt* s, EntryRecord* r, bool with_data) {
  r->index = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
  std::string_view leaf = ColumnBlob(s, 1);
  if (leaf.size() != kHashSize) {
    return CorruptionError("entry " + std::to_string(r->index) + ": stored leaf hash is " +
                           std::to_string(leaf.size()) + " bytes");
  }
  std::memcpy(r->leaf.data(), leaf.data(), kHashSize);
  r->nodes = std::string(ColumnBlob(s, 2));
  if (with_data) r->data = std::string(ColumnBlob(s, 3));
  return OkStatus();
}

// One connection with the statements it runs.
struct Conn {
  sqlite3* db = nullptr;
  Stmt get_node_row, get_entry, scan, find, meta_get, latest_cp, cp_covering, scan_cp, size;
  ~Conn() {
    // Statements first (their destructors run after this body), so close_v2.
    if (db != nullptr) sqlite3_close_v2(db);
  }
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, StoreOptions opts) : path_(std::move(path)), opts_(opts) {}
  ~SqliteStore() override {
    {
      std::lock_guard lock(ckpt_mu_);
      ckpt_stop_ = true;
    }
    ckpt_cv_.notify_one();
    if (ckpt_thread_.joinable()) ckpt_thread_.join();
  }

  Status Init() {
    RAMPART_ASSIGN_OR_RETURN(writer_, OpenConn(/*writer=*/true));
    sqlite3_wal_hook(writer_->db, &SqliteStore::OnWalCommit, this);
    next_wake_ = std::max(opts_.wal_checkpoint_pages, 1);
    // Its own connection (opened as the writer's is: not query_only).
    RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<Conn> ckpt, OpenConn(/*writer=*/true));
    ckpt_thread_ = std::thread([this, c = std::move(ckpt)]() mutable { CheckpointLoop(*c); });
    RAMPART_RETURN_IF_ERROR(Exec(writer_->db, kSchema));
    RAMPART_RETURN_IF_ERROR(ins_entry_.Prepare(
        writer_->db, "INSERT INTO entries(idx, leaf, nodes, data) VALUES(?1, ?2, ?3, ?4)"));
    RAMPART_RETURN_IF_ERROR(ins_subject_.Prepare(
        writer_->db, "INSERT OR IGNORE INTO subjects(digest, idx) VALUES(?1, ?2)"));
    RAMPART_RETURN_IF_ERROR(ins_cp_.Prepare(
        writer_->db, "INSERT INTO checkpoints(size, note, created) VALUES(?1, ?2, ?3)"));
    RAMPART_RETURN_IF_ERROR(
        put_meta_.Prepare(writer_->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"));
    RAMPART_RETURN_IF_ERROR(PrepareReads(*writer_));
    return OkStatus();
  }

  std::string_view kind() const override { return "sqlite"; }

  Result<std::optional<std::string>> GetMeta(std::string_view key) override {
    auto c = Acquire();
    if (!c) return c.error();
    sqlite3_stmt* s = (*c)->meta_get.get();
    ResetOnExit r{s};
    sqlite3_bind_text(s, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    int rc = sqlite3_step(s);
    std::optional<std::string> out;
    if (rc == SQLITE_ROW) {
      out = std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                        sqlite3_column_bytes(s, 0));
    } else if (rc != SQLITE_DONE) {
      Status st = SqliteError((*c)->db, "reading meta");
      Release(std::move(*c));
      return st;
    }
    Release(std::move(*c));
    return out;
  }

  Status PutMeta(std::string_view key, std::string_view value) override {
    std::lock_guard lock(write_mu_);
    sqlite3_stmt* s = put_meta_.get();
    ResetOnExit r{s};
    sqlite3_bind_text(s, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(writer_->db, "writing meta");
    return OkStatus();
  }

  Result<std::uint64_t> Size() override {
    auto c = Acquire();
    if (!c) return c.error();
    sqlite3_stmt* s = (*c)->size.get();
    std::uint64_t n = 0;
    {
      ResetOnExit r{s};
      int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        n = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0)) + 1;
      } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        Status st = SqliteError((*c)->db, "reading the size");
        Release(std::move(*c));
        return st;
      }
    }
    Release(std::move(*c));
    return n;
  }

  Status CheckContiguous() override {
    auto c = Acquire();
    if (!c) return c.error();
    auto one_row = [&](const char* sql, int columns) -> Result<std::vector<std::uint64_t>> {
      Stmt s;
      RAMPART_RETURN_IF_ERROR(s.Prepare((*c)->db, sql));
      if (sqlite3_step(s.get()) != SQLITE_ROW) return SqliteError((*c)->db, "checking indexes");
      std::vector<std::uint64_t> v;
      for (int i = 0; i < columns; ++i) {
        v.push_back(static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), i)));
      }
      return v;
    };
    Status st = [&]() -> Status {
      RAMPART_ASSIGN_OR_RETURN(auto counts, one_row(kCountAndSizeSql, 2));
      if (counts[0] == counts[1]) return OkStatus();
      RAMPART_ASSIGN_OR_RETURN(auto missing, one_row(kFirstMissingIndexSql, 1));
      return EntryGapError(missing[0], counts[0], counts[1]);
    }();
    Release(std::move(*c));
    return st;
  }

  Status Commit(const CommitBatch& batch) override {
    std::lock_guard lock(write_mu_);
    sqlite3* db = writer_->db;
    RAMPART_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
    Status st = WriteBatch(batch);
    if (!st.ok()) {
      Exec(db, "ROLLBACK").ok();
      return st;
    }
    // With synchronous=FULL in WAL mode, COMMIT returns after the WAL is fsynced.
    if (Status c = Exec(db, "COMMIT"); !c.ok()) {
      Exec(db, "ROLLBACK").ok();
      return c;
    }
    AfterCommit();
    return OkStatus();
  }

  // What the WAL needs after a commit. REQUIRES: write_mu_ held.
  //
  // The WAL starts again from its beginning only when a write transaction
  // begins with every frame copied: a checkpoint running beside a steady
  // stream of commits copies pages but never gets there (each commit adds
  // frames before it ends). So the background thread does the bulk of the
  // copying (woken every wal_checkpoint_pages / 8 new frames once the WAL
  // holds wal_checkpoint_pages), and the writer finishes inline, between two
  // commits, once the background thread is idle with all but the last few
  // frames copied: a small copy, after which the next commit restarts the
  // WAL. At kInlineCheckpointFactor times wal_checkpoint_pages (the
  // background thread starved: busy CPUs) the writer copies whatever is
  // left, and the background thread is not woken meanwhile: starved at idle
  // priority inside a checkpoint, it would make the writer's attempts busy.
  void AfterCommit() {
    const int every = std::max(opts_.wal_checkpoint_pages, 1);
    const int step = std::max(every / 8, 1);
    if (wal_frames_ < next_wake_ - step) next_wake_ = every;  // the WAL restarted
    bool inline_now = false, wake = false;
    {
      std::lock_guard ck(ckpt_mu_);
      if (wal_frames_ < ckpt_copied_) ckpt_copied_ = 0;
      ckpt_inline_ = wal_frames_ >= kInlineCheckpointFactor * every;
      if (ckpt_inline_) {
        ckpt_due_ = false;
        inline_now = true;
        // The background thread inside a checkpoint holds SQLite's
        // checkpoint lock, so every inline attempt is busy until it ends:
        // at idle priority on busy CPUs that may be never, and the WAL
        // would grow without bound. It runs at normal priority until that
        // checkpoint ends (a priority inversion undone by hand).
        if (ckpt_running_ && !ckpt_boosted_) {
          sched_param normal{};
          ckpt_boosted_ =
              pthread_setschedparam(ckpt_thread_.native_handle(), SCHED_OTHER, &normal) == 0;
        }
      } else if (wal_frames_ >= every && !ckpt_running_ && wal_frames_ - ckpt_copied_ <= step) {
        inline_now = true;
      } else if (wal_frames_ >= next_wake_) {
        ckpt_due_ = wake = true;
        next_wake_ = wal_frames_ + step;
      }
    }
    if (wake) ckpt_cv_.notify_one();
    // Busy while a background checkpoint runs: tried again after the next
    // commit. A failure leaves the WAL longer; the commit stands.
    if (inline_now) {
      int log = 0, copied = 0;
      if (sqlite3_wal_checkpoint_v2(writer_->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                    &copied) == SQLITE_OK) {
        std::lock_guard ck(ckpt_mu_);
        ckpt_copied_ = copied;
      }
    }
  }

  // Pages in the WAL after a commit (sqlite3_wal_hook; writer thread).
  static int OnWalCommit(void* self, sqlite3*, const char*, int frames) {
    static_cast<SqliteStore*>(self)->wal_frames_ = frames;
    return SQLITE_OK;
  }

  void CheckpointLoop(Conn& c) {
    pthread_setname_np(pthread_self(), "ledger-ckpt");
    sched_param p{};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &p);  // a hint: failure is harmless
    std::unique_lock lock(ckpt_mu_);
    for (;;) {
      ckpt_cv_.wait(lock, [&] { return ckpt_due_ || ckpt_stop_; });
      if (ckpt_stop_) return;
      ckpt_due_ = false;
      if (ckpt_inline_) continue;  // the writer does it now (AfterCommit)
      ckpt_running_ = true;
      lock.unlock();
      // PASSIVE: copies what no reader still needs, never waits for the
      // writer (AfterCommit finishes the last frames).
      int log = 0, copied = 0;
      int rc = sqlite3_wal_checkpoint_v2(c.db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
      lock.lock();
      ckpt_running_ = false;
      if (rc == SQLITE_OK) ckpt_copied_ = copied;
      if (ckpt_boosted_) {  // back to idle priority (AfterCommit raised it)
        pthread_setschedparam(pthread_self(), SCHED_IDLE, &p);
        ckpt_boosted_ = false;
      }
    }
  }

  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> ids) override {
    auto c = Acquire();
    if (!c) return c.error();
    std::vector<Hash> out;
    out.reserve(ids.size());
    sqlite3_stmt* s = (*c)->get_node_row.get();
    for (const NodeId& id : ids) {
      ResetOnExit r{s};
      sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(RowOfNode(id)));
      int rc = sqlite3_step(s);
      if (rc != SQLITE_ROW) {
        Status st =
            rc == SQLITE_DONE
                ? CorruptionError("tree node row " + std::to_string(RowOfNode(id)) + " is missing")
                : SqliteError((*c)->db, "reading a tree node");
        Release(std::move(*c));
        return st;
      }
      std::string_view leaf = ColumnBlob(s, 0);
      if (id.level == 0) {
        if (leaf.size() != kHashSize) {
          Release(std::move(*c));
          return CorruptionError("row " + std::to_string(RowOfNode(id)) + ": bad leaf hash");
        }
        Hash h;
        std::memcpy(h.data(), leaf.data(), kHashSize);
        out.push_back(h);
        continue;
      }
      std::string_view nodes = ColumnBlob(s, 1);
      std::size_t off = (id.level - 1) * kHashSize;
      if (nodes.size() < off + kHashSize) {
        Release(std::move(*c));
        return CorruptionError("row " + std::to_string(RowOfNode(id)) +
                               " lacks the node at level " + std::to_string(id.level));
      }
      Hash h;
      std::memcpy(h.data(), nodes.data() + off, kHashSize);
      out.push_back(h);
    }
    Release(std::move(*c));
    return out;
  }

  Result<EntryRecord> ReadEntry(std::uint64_t index) override {
    auto c = Acquire();
    if (!c) return c.error();
    sqlite3_stmt* s = (*c)->get_entry.get();
    EntryRecord rec;
    Status st;
    {
      ResetOnExit r{s};
      sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(index));
      int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) {
        st = ReadRow(s, &rec, true);
      } else if (rc == SQLITE_DONE) {
        st = NotFoundError("no entry " + std::to_string(index));
      } else {
        st = SqliteError((*c)->db, "reading an entry");
      }
    }
    Release(std::move(*c));
    if (!st.ok()) return st;
    return rec;
  }

  Status Scan(std::uint64_t from, std::uint64_t to,
              const std::function<Status(const EntryRecord&)>& fn) override {
    auto c = Acquire();
    if (!c) return c.error();
    sqlite3_stmt* s = (*c)->scan.get();
    Status st;
    {
      ResetOnExit r{s};
      sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(from));
      sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(to));
      EntryRecord rec;
      for (;;) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
          st = SqliteError((*c)->db, "scanning entries");
          break;
        }
        st = ReadRow(s, &rec, true);
        if (st.ok()) st = fn(rec);
        if (!st.ok()) break;
      }
    }
    Release(std::move(*c));
    return st;
  }

  Result<std::vector<std::uint64_t>> Find(std::string_view digest, std::uint64_t after_plus_one,
                                          std::size_t limit) override {
    auto c = Acquire();
    if (!c) return c.error();
    sqlite3_stmt* s = (*c)->find.get();
    std::vector<std::uint64_t> out;
    Status st;
    {
      ResetOnExit r{s};
      sqlite3_bind_text(s, 1, digest.data(), static_cast<int>(digest.size()), SQLITE_STATIC);
      sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(after_plus_one));
      sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(limit));
      for (;;) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
          st = SqliteError((*c)->db, "searching the index");
          break;
        }
        out.push_back(static_cast<std::uint64_t>(sqlite3_column_int64(s, 0)));
      }
    }
    Release(std::move(*c));
    if (!st.ok()) return st;
    return out;
  }

  Result<std::optional<CheckpointRecord>> LatestCheckpoint() override {
    return OneCheckpoint(&Conn::latest_cp, std::nullopt);
  }
  Result<std::optional<CheckpointRecord>> CheckpointCovering(std::uint64_t size) override {
    return OneCheckpoint(&Conn::cp_covering, size);
  }

  Status ScanCheckpoints(const std::function<Status(const CheckpointRecord&)>& fn) override {
    auto c = Acquire();
    if (!c) return c.error();
    sqlite3_stmt* s = (*c)->scan_cp.get();
    Status st;
    {
      ResetOnExit r{s};
      for (;;) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
          st = SqliteError((*c)->db, "scanning checkpoints");
          break;
        }
        st = fn(ReadCheckpoint(s));
        if (!st.ok()) break;
      }
    }
    Release(std::move(*c));
    return st;
  }

 private:
  static CheckpointRecord ReadCheckpoint(sqlite3_stmt* s) {
    CheckpointRecord cp;
    cp.size = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    cp.note = std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)),
                          sqlite3_column_bytes(s, 1));
    cp.created = std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 2)),
                             sqlite3_column_bytes(s, 2));
    return cp;
  }

  Result<std::optional<CheckpointRecord>> OneCheckpoint(Stmt Conn::*which,
                                                        std::optional<std::uint64_t> size) {
    auto c = Acquire();
    if (!c) return c.error();
    sqlite3_stmt* s = ((**c).*which).get();
    std::optional<CheckpointRecord> out;
    Status st;
    {
      ResetOnExit r{s};
      if (size) sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(*size));
      int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) {
        out = ReadCheckpoint(s);
      } else if (rc != SQLITE_DONE) {
        st = SqliteError((*c)->db, "reading a checkpoint");
      }
    }
    Release(std::move(*c));
    if (!st.ok()) return st;
    return out;
  }

  Status WriteBatch(const CommitBatch& batch) {
    sqlite3* db = writer_->db;
    for (const EntryRecord& e : batch.entries) {
      sqlite3_stmt* s = ins_entry_.get();
      ResetOnExit r{s};
      sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(e.index));
      sqlite3_bind_blob(s, 2, e.leaf.data(), kHashSize, SQLITE_STATIC);
      sqlite3_bind_blob(s, 3, e.nodes.data(), static_cast<int>(e.nodes.size()), SQLITE_STATIC);
      sqlite3_bind_blob(s, 4, e.data.data(), static_cast<int>(e.data.size()), SQLITE_STATIC);
      int rc = sqlite3_step(s);
      if (rc == SQLITE_CONSTRAINT) {
        return CorruptionError("entry " + std::to_string(e.index) + " already exists");
      }
      if (rc != SQLITE_DONE) return SqliteError(db, "inserting an entry");
    }
    for (const auto& [digest, idx] : batch.index) {
      sqlite3_stmt* s = ins_subject_.get();
      ResetOnExit r{s};
      sqlite3_bind_text(s, 1, digest.data(), static_cast<int>(digest.size()), SQLITE_STATIC);
      sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(idx));
      if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(db, "inserting an index row");
    }
    if (batch.checkpoint) {
      sqlite3_stmt* s = ins_cp_.get();
      ResetOnExit r{s};
      const CheckpointRecord& cp = *batch.checkpoint;
      sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(cp.size));
      sqlite3_bind_text(s, 2, cp.note.data(), static_cast<int>(cp.note.size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 3, cp.created.data(), static_cast<int>(cp.created.size()),
                        SQLITE_STATIC);
      if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(db, "inserting a checkpoint");
    }
    return OkStatus();
  }

  Result<std::unique_ptr<Conn>> OpenConn(bool writer) {
    auto c = std::make_unique<Conn>();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (writer) flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path_.c_str(), &c->db, flags, nullptr) != SQLITE_OK) {
      Status st = UnavailableError("sqlite: cannot open " + path_ + ": " +
                                   (c->db != nullptr ? sqlite3_errmsg(c->db) : "out of memory"));
      return st;
    }
    sqlite3_busy_timeout(c->db, 10000);
    // The writer only touches the right edge of the tables (appends) and the
    // pages of the transaction in hand: a few MiB hold them. A cache of
    // cache_mib for it only grew, page by page (a malloc and page faults
    // per new page, on the commit path), until it was full of pages it
    // never reads again. Readers keep cache_mib.
    std::int64_t cache_kib = opts_.cache_mib * 1024;
    if (writer) cache_kib = std::min<std::int64_t>(cache_kib, kWriterCacheKib);
    std::string pragmas = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-" +
                          std::to_string(cache_kib) + ";";
    pragmas += opts_.durability == Durability::kFull ? "PRAGMA synchronous=FULL;"
                                                     : "PRAGMA synchronous=OFF;";
    if (writer) pragmas += "PRAGMA wal_autocheckpoint=0;";  // see kInlineCheckpointFactor
    if (!writer) pragmas += "PRAGMA query_only=ON; PRAGMA mmap_size=1073741824;";
    RAMPART_RETURN_IF_ERROR(Exec(c->db, pragmas.c_str()));
    if (!writer) RAMPART_RETURN_IF_ERROR(PrepareReads(*c));
    return c;
  }

  static Status PrepareReads(Conn& c) {
    RAMPART_RETURN_IF_ERROR(
        c.get_node_row.Prepare(c.db, "SELECT leaf, nodes FROM entries WHERE idx = ?1"));
    RAMPART_RETURN_IF_ERROR(
        c.get_entry.Prepare(c.db, "SELECT idx, leaf, nodes, data FROM entries WHERE idx = ?1"));
    RAMPART_RETURN_IF_ERROR(c.scan.Prepare(
        c.db,
        "SELECT idx, leaf, nodes, data FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx"));
    RAMPART_RETURN_IF_ERROR(c.find.Prepare(
        c.db, "SELECT idx FROM subjects WHERE digest = ?1 AND idx >= ?2 ORDER BY idx LIMIT ?3"));
    RAMPART_RETURN_IF_ERROR(c.meta_get.Prepare(c.db, "SELECT value FROM meta WHERE key = ?1"));
    RAMPART_RETURN_IF_ERROR(c.latest_cp.Prepare(
        c.db, "SELECT size, note, created FROM checkpoints ORDER BY size DESC LIMIT 1"));
    RAMPART_RETURN_IF_ERROR(c.cp_covering.Prepare(
        c.db,
        "SELECT size, note, created FROM checkpoints WHERE size >= ?1 ORDER BY size LIMIT 1"));
    RAMPART_RETURN_IF_ERROR(
        c.scan_cp.Prepare(c.db, "SELECT size, note, created FROM checkpoints ORDER BY size"));
    RAMPART_RETURN_IF_ERROR(c.size.Prepare(c.db, "SELECT MAX(idx) FROM entries"));
    return OkStatus();
  }

  Result<std::unique_ptr<Conn>> Acquire() {
    {
      std::lock_guard lock(pool_mu_);
      if (!pool_.empty()) {
        auto c = std::move(pool_.back());
        pool_.pop_back();
        return c;
      }
    }
    return OpenConn(/*writer=*/false);
  }

  void Release(std::unique_ptr<Conn> c) {
    std::lock_guard lock(pool_mu_);
    if (static_cast<int>(pool_.size()) < opts_.read_connections) pool_.push_back(std::move(c));
  }

  std::string path_;
  StoreOptions opts_;
  std::mutex write_mu_;
  std::unique_ptr<Conn> writer_;
  Stmt ins_entry_, ins_subject_, ins_cp_, put_meta_;
  int wal_frames_ = 0;  // under write_mu_
  int next_wake_ = 0;   // under write_mu_: the WAL size at which to wake the checkpointer
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_due_ = false;
  bool ckpt_inline_ = false;   // the writer checkpoints (the WAL reached its bound)
  bool ckpt_running_ = false;  // a background checkpoint is in progress
  int ckpt_copied_ = 0;        // WAL frames the last background checkpoint had copied
  bool ckpt_boosted_ = false;  // the checkpointer runs at normal priority (see AfterCommit)
  bool ckpt_stop_ = false;
  std::thread ckpt_thread_;  // last: stopped (destructor) before the connections close
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Conn>> pool_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& opts) {
  std::error_code ec;
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  auto store = std::make_unique<SqliteStore>(path, opts);
  RAMPART_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace rampart::ledger
