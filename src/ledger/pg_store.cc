// The PostgreSQL backend (libpq): a pool of connections, one transaction per
// commit batch, rows written with COPY.
#include <endian.h>
#include <libpq-fe.h>

#include <cstring>
#include <map>
#include <mutex>

#include "core/encoding.h"
#include "core/url.h"
#include "ledger/store.h"

namespace rampart::ledger {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries(
  idx BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, nodes BYTEA NOT NULL, data BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS subjects(
  digest TEXT NOT NULL, idx BIGINT NOT NULL, PRIMARY KEY(digest, idx));
CREATE TABLE IF NOT EXISTS checkpoints(
  size BIGINT PRIMARY KEY, note TEXT NOT NULL, created TEXT NOT NULL);
)sql";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConn = std::unique_ptr<PGconn, ConnDeleter>;

Status PgError(PGconn* c, std::string_view what) {
  std::string msg = "postgres: " + std::string(what) + ": " + PQerrorMessage(c);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return UnavailableError(msg);
}

Status CheckResult(PGconn* c, const PgResult& r, std::string_view what) {
  ExecStatusType st = PQresultStatus(r.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return OkStatus();
  const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
  std::string msg = "postgres: " + std::string(what) + ": " + PQresultErrorMessage(r.get());
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  if (state != nullptr && std::string_view(state) == "23505") return CorruptionError(msg);
  return UnavailableError(msg);
}

std::uint64_t GetU64(const PGresult* r, int row, int col) {
  std::uint64_t v;
  std::memcpy(&v, PQgetvalue(r, row, col), 8);
  return be64toh(v);
}

std::string_view GetBytes(const PGresult* r, int row, int col) {
  return {PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col))};
}

void AppendCopyBytea(std::string& out, std::string_view bytes) {
  out += "\\\\x";
  out += HexEncode(bytes);
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, std::string schema, StoreOptions opts)
      : conninfo_(std::move(conninfo)), schema_(std::move(schema)), opts_(opts) {}

  Status Init() {
    RAMPART_ASSIGN_OR_RETURN(PgConn c, Connect(/*create_schema=*/true, /*writer=*/true));
    RAMPART_RETURN_IF_ERROR(Exec(c.get(), kSchema));
    writer_ = std::move(c);
    return OkStatus();
  }

  std::string_view kind() const override { return "postgres"; }

  Result<std::optional<std::string>> GetMeta(std::string_view key) override {
    std::string k(key);
    RAMPART_ASSIGN_OR_RETURN(PgResult r, Query("SELECT value FROM meta WHERE key = $1", {k}, 0));
    if (PQntuples(r.get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(GetBytes(r.get(), 0, 0)));
  }

  Status PutMeta(std::string_view key, std::string_view value) override {
    std::lock_guard lock(write_mu_);
    std::string k(key), v(value);
    const char* params[] = {k.c_str(), v.c_str()};
    PgResult r(PQexecParams(writer_.get(),
                            "INSERT INTO meta(key, value) VALUES($1, $2) "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                            2, nullptr, params, nullptr, nullptr, 0));
    return CheckResult(writer_.get(), r, "writing meta");
  }

  Result<std::uint64_t> Size() override {
    RAMPART_ASSIGN_OR_RETURN(PgResult r, Query("SELECT MAX(idx) FROM entries", {}, 1));
    if (PQntuples(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return std::uint64_t{0};
    return GetU64(r.get(), 0, 0) + 1;
  }

  Status CheckContiguous() override {
    RAMPART_ASSIGN_OR_RETURN(PgResult r, Query(kCountAndSizeSql, {}, 0));
    const std::uint64_t count = std::stoull(PQgetvalue(r.get(), 0, 0));
    const std::uint64_t size = std::stoull(PQgetvalue(r.get(), 0, 1));
    if (count == size) return OkStatus();
    RAMPART_ASSIGN_OR_RETURN(PgResult m, Query(kFirstMissingIndexSql, {}, 0));
    return EntryGapError(std::stoull(PQgetvalue(m.get(), 0, 0)), count, size);
  }

  Status Commit(const CommitBatch& batch) override {
    std::lock_guard lock(write_mu_);
    PGconn* c = writer_.get();
    if (PQstatus(c) != CONNECTION_OK) {
      PQreset(c);
      if (PQstatus(c) != CONNECTION_OK) return PgError(c, "reconnecting");
      // A reset connection is a new session: set it up again.
      RAMPART_RETURN_IF_ERROR(SetUpSession(c, /*writer=*/true));
    }
    RAMPART_RETURN_IF_ERROR(Exec(c, "BEGIN"));
    Status st = WriteBatch(c, batch);
    if (!st.ok()) {
      Exec(c, "ROLLBACK").ok();
      return st;
    }
    // COMMIT returns once the WAL record is flushed (synchronous_commit=on).
    PgResult r(PQexec(c, "COMMIT"));
    return CheckResult(c, r, "committing");
  }

  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> ids) override {
    std::string arr = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) arr += ",";
      arr += std::to_string(RowOfNode(ids[i]));
    }
    arr += "}";
    RAMPART_ASSIGN_OR_RETURN(
        PgResult r,
        Query("SELECT idx, leaf, nodes FROM entries WHERE idx = ANY($1::bigint[])", {arr}, 1));
    std::map<std::uint64_t, int> rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) rows[GetU64(r.get(), i, 0)] = i;
    std::vector<Hash> out;
    out.reserve(ids.size());
    for (const NodeId& id : ids) {
      auto it = rows.find(RowOfNode(id));
      if (it == rows.end()) {
        return CorruptionError("tree node row " + std::to_string(RowOfNode(id)) + " is missing");
      }
      Hash leaf{};
      std::string_view lb = GetBytes(r.get(), it->second, 1);
      if (lb.size() != kHashSize) return CorruptionError("bad stored leaf hash");
      std::memcpy(leaf.data(), lb.data(), kHashSize);
      RAMPART_ASSIGN_OR_RETURN(Hash h, NodeFromRow(id, leaf, GetBytes(r.get(), it->second, 2)));
      out.push_back(h);
    }
    return out;
  }

  Result<EntryRecord> ReadEntry(std::uint64_t index) override {
    RAMPART_ASSIGN_OR_RETURN(PgResult r,
                             Query("SELECT idx, leaf, nodes, data FROM entries WHERE idx = $1",
                                   {std::to_string(index)}, 1));
    if (PQntuples(r.get()) == 0) return NotFoundError("no entry " + std::to_string(index));
    EntryRecord rec;
    RAMPART_RETURN_IF_ERROR(ReadRow(r.get(), 0, &rec));
    return rec;
  }

  Status Scan(std::uint64_t from, std::uint64_t to,
              const std::function<Status(const EntryRecord&)>& fn) override {
    constexpr int kChunk = 2000;
    while (from < to) {
      RAMPART_ASSIGN_OR_RETURN(
          PgResult r, Query("SELECT idx, leaf, nodes, data FROM entries WHERE idx >= $1 AND "
                            "idx < $2 ORDER BY idx LIMIT " +
                                std::to_string(kChunk),
                            {std::to_string(from), std::to_string(to)}, 1));
      int n = PQntuples(r.get());
      if (n == 0) break;
      EntryRecord rec;
      for (int i = 0; i < n; ++i) {
        RAMPART_RETURN_IF_ERROR(ReadRow(r.get(), i, &rec));
        RAMPART_RETURN_IF_ERROR(fn(rec));
      }
      from = rec.index + 1;
      if (n < kChunk) break;
    }
    return OkStatus();
  }

  Result<std::vector<std::uint64_t>> Find(std::string_view digest, std::uint64_t after_plus_one,
                                          std::size_t limit) override {
    RAMPART_ASSIGN_OR_RETURN(
        PgResult r,
        Query("SELECT idx FROM subjects WHERE digest = $1 AND idx >= $2 "
              "ORDER BY idx LIMIT $3",
              {std::string(digest), std::to_string(after_plus_one), std::to_string(limit)}, 1));
    std::vector<std::uint64_t> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(GetU64(r.get(), i, 0));
    return out;
  }

  Result<std::optional<CheckpointRecord>> LatestCheckpoint() override {
    RAMPART_ASSIGN_OR_RETURN(
        PgResult r,
        Query("SELECT size, note, created FROM checkpoints ORDER BY size DESC LIMIT 1", {}, 1));
    return OneCheckpoint(r.get());
  }

  Result<std::optional<CheckpointRecord>> CheckpointCovering(std::uint64_t size) override {
    RAMPART_ASSIGN_OR_RETURN(PgResult r,
                             Query("SELECT size, note, created FROM checkpoints WHERE size >= $1 "
                                   "ORDER BY size LIMIT 1",
                                   {std::to_string(size)}, 1));
    return OneCheckpoint(r.get());
  }

  Status ScanCheckpoints(const std::function<Status(const CheckpointRecord&)>& fn) override {
    std::uint64_t from = 0;
    constexpr int kChunk = 2000;
    for (;;) {
      RAMPART_ASSIGN_OR_RETURN(PgResult r,
                               Query("SELECT size, note, created FROM checkpoints WHERE size >= $1 "
                                     "ORDER BY size LIMIT " +
                                         std::to_string(kChunk),
                                     {std::to_string(from)}, 1));
      int n = PQntuples(r.get());
      for (int i = 0; i < n; ++i) {
        CheckpointRecord cp = ReadCheckpoint(r.get(), i);
        from = cp.size + 1;
        RAMPART_RETURN_IF_ERROR(fn(cp));
      }
      if (n < kChunk) return OkStatus();
    }
  }

 private:
  static CheckpointRecord ReadCheckpoint(const PGresult* r, int row) {
    CheckpointRecord cp;
    cp.size = GetU64(r, row, 0);
    cp.note = std::string(GetBytes(r, row, 1));
    cp.created = std::string(GetBytes(r, row, 2));
    return cp;
  }

  static Result<std::optional<CheckpointRecord>> OneCheckpoint(const PGresult* r) {
    if (PQntuples(r) == 0) return std::optional<CheckpointRecord>();
    return std::optional<CheckpointRecord>(ReadCheckpoint(r, 0));
  }

  static Status ReadRow(const PGresult* r, int row, EntryRecord* rec) {
    rec->index = GetU64(r, row, 0);
    std::string_view leaf = GetBytes(r, row, 1);
    if (leaf.size() != kHashSize) {
      return CorruptionError("entry " + std::to_string(rec->index) + ": stored leaf hash is " +
                             std::to_string(leaf.size()) + " bytes");
    }
    std::memcpy(rec->leaf.data(), leaf.data(), kHashSize);
    rec->nodes = std::string(GetBytes(r, row, 2));
    if (PQnfields(r) > 3) rec->data = std::string(GetBytes(r, row, 3));
    return OkStatus();
  }

  Status WriteBatch(PGconn* c, const CommitBatch& batch) {
    if (!batch.entries.empty()) {
      std::string buf;
      buf.reserve(batch.entries.size() * 700);
      for (const EntryRecord& e : batch.entries) {
        buf += std::to_string(e.index);
        buf += '\t';
        AppendCopyBytea(buf,
                        std::string_view(reinterpret_cast<const char*>(e.leaf.data()), kHashSize));
        buf += '\t';
        AppendCopyBytea(buf, e.nodes);
        buf += '\t';
        AppendCopyBytea(buf, e.data);
        buf += '\n';
      }
      RAMPART_RETURN_IF_ERROR(Copy(c, "COPY entries(idx, leaf, nodes, data) FROM STDIN", buf));
    }
    if (!batch.index.empty()) {
      std::string buf;
      for (const auto& [digest, idx] : batch.index) {
        // Digests are validated "alg:hex" strings: nothing to escape.
        buf += digest;
        buf += '\t';
        buf += std::to_string(idx);
        buf += '\n';
      }
      RAMPART_RETURN_IF_ERROR(Copy(c, "COPY subjects(digest, idx) FROM STDIN", buf));
    }
    if (batch.checkpoint) {
      std::string size = std::to_string(batch.checkpoint->size);
      const char* params[] = {size.c_str(), batch.checkpoint->note.c_str(),
                              batch.checkpoint->created.c_str()};
      PgResult r(PQexecParams(c, "INSERT INTO checkpoints(size, note, created) VALUES($1, $2, $3)",
                              3, nullptr, params, nullptr, nullptr, 0));
      RAMPART_RETURN_IF_ERROR(CheckResult(c, r, "inserting a checkpoint"));
    }
    return OkStatus();
  }

  static Status Copy(PGconn* c, const char* sql, const std::string& data) {
    PgResult r(PQexec(c, sql));
    if (PQresultStatus(r.get()) != PGRES_COPY_IN) return CheckResult(c, r, sql);
    if (PQputCopyData(c, data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(c, nullptr) != 1) {
      return PgError(c, "sending COPY data");
    }
    PgResult done(PQgetResult(c));
    Status st = CheckResult(c, done, "COPY");
    while (PGresult* extra = PQgetResult(c)) PQclear(extra);
    return st;
  }

  static Status Exec(PGconn* c, const char* sql) {
    PgResult r(PQexec(c, sql));
    return CheckResult(c, r, sql);
  }

  std::string SearchPath() const { return "SET search_path TO \"" + schema_ + "\""; }

  Result<PgConn> Connect(bool create_schema, bool writer = false) {
    PgConn c(PQconnectdb(conninfo_.c_str()));
    if (c == nullptr || PQstatus(c.get()) != CONNECTION_OK) {
      return PgError(c.get(), "cannot connect");
    }
    if (!schema_.empty() && create_schema) {
      std::string sql = "CREATE SCHEMA IF NOT EXISTS \"" + schema_ + "\"";
      RAMPART_RETURN_IF_ERROR(Exec(c.get(), sql.c_str()));
    }
    RAMPART_RETURN_IF_ERROR(SetUpSession(c.get(), writer));
    return c;
  }

  // Per-session settings. synchronous_commit is set explicitly rather than
  // inherited from the server or role defaults (which an operator may have
  // set to off or local): the ledger acknowledges an append only once its
  // COMMIT is durable. Durability::kOff (benchmark fixtures) turns it off on
  // the writer only.
  Status SetUpSession(PGconn* c, bool writer) {
    if (!schema_.empty()) RAMPART_RETURN_IF_ERROR(Exec(c, SearchPath().c_str()));
    const bool durable = !writer || opts_.durability == Durability::kFull;
    return Exec(c, durable ? "SET synchronous_commit = on" : "SET synchronous_commit = off");
  }

  // Runs a read on a pooled connection; text parameters, `format` 1 = binary results.
  Result<PgResult> Query(const std::string& sql, const std::vector<std::string>& params,
                         int format) {
    PgConn c;
    {
      std::lock_guard lock(pool_mu_);
      if (!pool_.empty()) {
        c = std::move(pool_.back());
        pool_.pop_back();
      }
    }
    if (c == nullptr || PQstatus(c.get()) != CONNECTION_OK) {
      RAMPART_ASSIGN_OR_RETURN(c, Connect(false));
    }
    std::vector<const char*> p;
    for (const std::string& s : params) p.push_back(s.c_str());
    PgResult r(PQexecParams(c.get(), sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(),
                            nullptr, nullptr, format));
    Status st = CheckResult(c.get(), r, "query");
    {
      std::lock_guard lock(pool_mu_);
      if (static_cast<int>(pool_.size()) < opts_.read_connections) pool_.push_back(std::move(c));
    }
    if (!st.ok()) return st;
    return r;
  }

  std::string conninfo_;
  std::string schema_;
  StoreOptions opts_;
  std::mutex write_mu_;
  PgConn writer_;
  std::mutex pool_mu_;
  std::vector<PgConn> pool_;
};

bool IsValidSchemaName(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions& opts) {
  // Take our own "schema=" parameter out of the URL; libpq rejects unknown ones.
  std::string conninfo = url;
  std::string schema;
  std::size_t q = conninfo.find('?');
  if (q != std::string::npos) {
    std::string query = conninfo.substr(q + 1);
    std::string kept;
    std::size_t start = 0;
    while (start <= query.size()) {
      std::size_t amp = query.find('&', start);
      std::string part =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (part.starts_with("schema=")) {
        schema = part.substr(7);
      } else if (!part.empty()) {
        kept += (kept.empty() ? "" : "&") + part;
      }
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    conninfo = conninfo.substr(0, q) + (kept.empty() ? "" : "?" + kept);
  }
  if (!schema.empty() && !IsValidSchemaName(schema)) {
    return InvalidArgumentError("postgres: schema '" + schema + "' must be [a-z0-9_], 1-63 chars");
  }
  auto store = std::make_unique<PostgresStore>(conninfo, schema, opts);
  RAMPART_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

Status EntryGapError(std::uint64_t first_missing, std::uint64_t count, std::uint64_t size) {
  return CorruptionError(
      "entry " + std::to_string(first_missing) + " is missing: the store holds " +
      std::to_string(count) + " entries with indexes up to " + std::to_string(size - 1) +
      ". Entries are only ever appended, so rows were deleted outside Rampart; restore the "
      "store from a backup and check it with `rampart ledger verify`.");
}

Result<Hash> NodeFromRow(const NodeId& n, const Hash& leaf, std::string_view nodes) {
  if (n.level == 0) return leaf;
  std::size_t off = static_cast<std::size_t>(n.level - 1) * kHashSize;
  if (nodes.size() < off + kHashSize) {
    return CorruptionError("row " + std::to_string(RowOfNode(n)) + " lacks the node at level " +
                           std::to_string(n.level));
  }
  Hash h;
  std::memcpy(h.data(), nodes.data() + off, kHashSize);
  return h;
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& opts) {
  if (url.starts_with("sqlite:")) {
    std::string path(url.substr(7));
    if (path.starts_with("//")) path = path.substr(2);  // sqlite:///abs/path
    if (path.empty()) return InvalidArgumentError("storage URL 'sqlite:' needs a path");
    return OpenSqliteStore(path, opts);
  }
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return OpenPostgresStore(std::string(url), opts);
  }
  return InvalidArgumentError("storage URL '" + RedactUrl(url) +
                              "' is not sqlite:PATH or postgres://...");
}

}  // namespace rampart::ledger
