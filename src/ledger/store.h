// Storage of the ledger: entries with their leaf hash and the Merkle nodes
// each leaf completes, the subject-digest index, signed checkpoints and a
// few metadata values. Two backends behind one interface: SQLite (WAL, the
// embedded default) and PostgreSQL (scale-out), chosen by URL:
//   sqlite:./var/ledger.db   sqlite:/abs/path.db   postgres://user@host:port/db[?schema=s]
//
// Layout (docs/design/ledger.md): the row of leaf i stores, besides the entry,
// its leaf hash and the hashes of the perfect subtrees that leaf i completes
// (levels 1..t where t is the number of trailing one bits of i). The node
// (level l, index k) therefore lives in row ((k + 1) << l) - 1, and any node
// is one primary-key read: proofs cost O(log n) point reads and appends one
// row per entry.
//
// Thread-safety: every method may be called from any thread. Commit() and
// PutMeta() are serialised internally; reads run concurrently with a commit
// (SQLite WAL readers, a PostgreSQL connection pool).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"

namespace rampart::ledger {

struct EntryRecord {
  std::uint64_t index = 0;
  Hash leaf{};
  std::string nodes;  // 32 bytes per completed node, level 1 first
  std::string data;   // the canonical entry (the leaf bytes)
};

struct CheckpointRecord {
  std::uint64_t size = 0;
  std::string note;     // the signed note
  std::string created;  // RFC 3339, informational (not signed)
};

// One durable transaction: entries (contiguous, starting at the store's size),
// their index rows and optionally a checkpoint.
struct CommitBatch {
  std::vector<EntryRecord> entries;
  std::vector<std::pair<std::string, std::uint64_t>> index;  // digest, entry index
  std::optional<CheckpointRecord> checkpoint;
};

enum class Durability {
  kFull,  // commit returns after fsync (the default, and what the ledger acknowledges on)
  kOff,   // no fsync: only for bulk-loading benchmark fixtures
};

struct StoreOptions {
  Durability durability = Durability::kFull;
  int read_connections = 4;     // pool size for concurrent readers
  std::int64_t cache_mib = 64;  // SQLite page cache per reader connection (the writer: <= 4 MiB)
  // SQLite: WAL pages after which a background thread (at idle priority)
  // checkpoints them into the database file; at twice as many the writer
  // does it inline, after a commit (docs/design/ledger.md, "WAL checkpoints").
  int wal_checkpoint_pages = 1000;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string_view kind() const = 0;  // "sqlite" | "postgres"

  virtual Result<std::optional<std::string>> GetMeta(std::string_view key) = 0;
  virtual Status PutMeta(std::string_view key, std::string_view value) = 0;

  // Number of entries (highest index + 1).
  virtual Result<std::uint64_t> Size() = 0;
  // Corruption (naming the first missing index) unless the stored entry
  // indexes are exactly 0..Size()-1. Commit() only ever appends at Size(), so
  // a gap means rows were deleted outside Rampart. Reads every index: call it
  // when opening a ledger, not per request.
  virtual Status CheckContiguous() = 0;
  // Writes the batch in one transaction; returns once it is durable.
  // Corruption if the first index is not the current size.
  virtual Status Commit(const CommitBatch& batch) = 0;

  virtual Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> ids) = 0;
  virtual Result<EntryRecord> ReadEntry(std::uint64_t index) = 0;
  // Calls `fn` for entries [from, to) in index order; stops at the first error.
  // Rows missing from the range are skipped (the caller checks indices).
  virtual Status Scan(std::uint64_t from, std::uint64_t to,
                      const std::function<Status(const EntryRecord&)>& fn) = 0;
  // Indices of entries naming `digest`, ascending, greater than `after`
  // (use -1 as "from the start" via after_plus_one = 0), at most `limit`.
  virtual Result<std::vector<std::uint64_t>> Find(std::string_view digest,
                                                  std::uint64_t after_plus_one,
                                                  std::size_t limit) = 0;

  virtual Result<std::optional<CheckpointRecord>> LatestCheckpoint() = 0;
  // The smallest checkpoint with size >= `size`.
  virtual Result<std::optional<CheckpointRecord>> CheckpointCovering(std::uint64_t size) = 0;
  // Every checkpoint, ascending by size.
  virtual Status ScanCheckpoints(const std::function<Status(const CheckpointRecord&)>& fn) = 0;
};

// Node (l, k) lives in the row of leaf ((k + 1) << l) - 1.
inline std::uint64_t RowOfNode(const NodeId& n) { return ((n.index + 1) << n.level) - 1; }

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& opts);
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions& opts);
// Dispatches on the URL scheme.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& opts = {});

// What CheckContiguous() returns when `count` rows hold indexes up to
// `size` - 1 and `first_missing` is the smallest index absent.
Status EntryGapError(std::uint64_t first_missing, std::uint64_t count, std::uint64_t size);

// The SQL both backends run for CheckContiguous(): the row count and
// highest index + 1, then, only if they differ, the first missing index.
inline constexpr const char* kCountAndSizeSql =
    "SELECT COUNT(*), COALESCE(MAX(idx) + 1, 0) FROM entries";
inline constexpr const char* kFirstMissingIndexSql =
    "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM entries WHERE idx = 0) THEN 0 "
    "ELSE (SELECT MIN(e.idx) + 1 FROM entries e WHERE NOT EXISTS "
    "(SELECT 1 FROM entries f WHERE f.idx = e.idx + 1)) END";

// Picks hash `n` out of a row's leaf/nodes, or Corruption if the row is too short.
Result<Hash> NodeFromRow(const NodeId& n, const Hash& leaf, std::string_view nodes);

}  // namespace rampart::ledger
