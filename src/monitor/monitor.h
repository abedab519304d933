// The monitor's engine: a bounded table of per-client state and the
// detectors that read it (docs/design/monitor.md). The gateway filter
// (monitor_filter.h) and `rampart monitor replay` both feed it.
//
// Thread-safety: Observe and Complete may be called from many threads at
// once (the table is sharded, each shard under its own mutex; the global
// collusion table has its own). Memory is bounded by config.memory_bytes at
// construction and never grows past it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "monitor/config.h"
#include "monitor/sketch.h"
#include "monitor/tensor.h"

namespace rampart::monitor {

// One request, as the monitor needs it. Views are valid for the call only.
struct Query {
  std::string_view identity;
  std::string_view remote;    // client IP address ("" = unknown)
  std::string_view protocol;  // "openai" | "kserve-v2" | "triton" | ...
  std::string_view route;
  std::string_view model;
  std::string_view body;
  const json::object* json_body = nullptr;  // the parsed OpenAI body, or null
  std::int64_t time_us = 0;                 // Unix microseconds
};

struct Outcome {
  int status = 0;
  bool denied = false;
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
};

struct Alert {
  Detector detector = Detector::kPrada;
  Policy policy = Policy::kAlert;
  std::string client;   // an identity, or a NetworkKey ("net:...")
  std::string network;  // the NetworkKey of the request's source ("" = unknown)
  double score = 0;
  double threshold = 0;
  std::uint32_t window = 0;   // the number of queries the score is over
  std::uint64_t queries = 0;  // the client's queries so far (of the detector's kind)
  std::int64_t time_us = 0;
  std::string evidence;  // "sha256:<hex>" of the sketch the score came from
};

struct Verdict {
  Policy action = Policy::kOff;  // kThrottle / kBlock: refuse this request
  Detector because = Detector::kPrada;
  std::int64_t retry_after_s = 0;
  std::vector<Alert> alerts;  // raised by this request
};

struct MonitorStats {
  std::uint64_t requests = 0;
  std::uint64_t clients = 0;
  std::uint64_t capacity = 0;
  std::uint64_t evictions = 0;
  std::uint64_t tensors = 0;
  std::uint64_t prompts = 0;
  std::array<std::uint64_t, kDetectorCount> alerts{};
  std::uint64_t throttled = 0;
  std::uint64_t blocked = 0;
  std::array<std::uint64_t, kTensorIssueCount> ignored{};
};

// "net:10.1.2.0/24" or "net:2001:db8::/64" for an address; "" if `remote`
// is not an IP address.
std::string NetworkKey(std::string_view remote, int v4_prefix, int v6_prefix);

class Monitor {
 public:
  explicit Monitor(MonitorConfig config);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  Verdict Observe(const Query& q);
  void Complete(std::string_view identity, std::string_view remote, const Outcome& o);

  MonitorStats stats() const;
  // The latest score of each detector for `client` (an identity or a
  // NetworkKey), nullopt if it is not tracked. A detector that has not run
  // yet scores 0.
  std::optional<std::array<float, kDetectorCount>> Scores(std::string_view client);
  const MonitorConfig& config() const { return config_; }
  // Memory per tracked client: the fixed record plus its index entry.
  static std::size_t BytesPerClient();

  struct State;  // monitor.cc
  struct LlmFeatures {
    std::uint64_t sim = 0;
    bool templated = false;
    double harvest = 0;
    bool maximal = false;
    std::uint32_t colluders = 0;
  };

 private:
  struct Shard;
  struct Collusion;
  struct History;
  Shard& ShardOf(std::uint64_t key);
  // Locks the shard and returns the client's state, created (evicting) if needed.
  State* Find(Shard& s, std::uint64_t key, bool create, std::int64_t now_us);
  void Judge(State& st, Detector d, double score, bool fire, std::uint32_t window,
             std::uint64_t queries, const Query& q, std::string_view client, std::string evidence,
             Verdict* v);

  // The detectors but PRADA on one record (an identity's, or a network's).
  void Content(State& st, std::string_view client, bool network, const TensorSketch* tensor,
               std::size_t bucket, const LlmFeatures* llm, const Query& q, Verdict* v);

  MonitorConfig config_;
  Projector projector_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<Collusion> collusion_;
  std::unique_ptr<History> history_;
  std::array<std::atomic<float>, kProjDims> center_{};
  // The buckets the clients have touched at each coverage checkpoint: a
  // streaming 90th percentile, and how many clients it has seen.
  static constexpr std::size_t kCheckpoints = 12;
  std::array<std::atomic<double>, kCheckpoints> typical_touched_{};
  std::array<std::atomic<std::uint64_t>, kCheckpoints> typical_seen_{};
  // The same over network records (a network is compared with networks).
  std::array<std::atomic<double>, kCheckpoints> typical_touched_net_{};
  std::array<std::atomic<std::uint64_t>, kCheckpoints> typical_seen_net_{};
  std::atomic<std::uint64_t> requests_{0}, evictions_{0}, tensors_{0}, prompts_{0};
  std::atomic<std::uint64_t> throttled_{0}, blocked_{0};
  std::array<std::atomic<std::uint64_t>, kDetectorCount> alerts_{};
  std::array<std::atomic<std::uint64_t>, kTensorIssueCount> ignored_{};
};

}  // namespace rampart::monitor
