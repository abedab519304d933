#include "monitor/monitor.h"

#include <arpa/inet.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/crypto.h"
#include "core/encoding.h"
#include "monitor/shapiro_wilk.h"

namespace rampart::monitor {
namespace {

constexpr std::size_t kShards = 16;
constexpr std::size_t kReservoir = 16;   // projected inputs kept per client
constexpr std::size_t kDistances = 128;  // minimum distances kept per client
constexpr std::size_t kBucketBits = 11;  // coverage: 2048 LSH buckets
constexpr std::size_t kBuckets = std::size_t{1} << kBucketBits;
constexpr std::size_t kSimRing = 32;  // SimHashes kept per client
constexpr std::size_t kHistory = 64;  // the LLM detectors' window
constexpr std::size_t kMinWords = 6;  // shorter prompts are not templated
constexpr std::size_t kMaxWords = 512;
constexpr std::size_t kMaxPromptBytes = 16384;
constexpr std::size_t kBands = 3;  // collusion: SimHash bands of 21 bits
constexpr std::size_t kBandSlots = 1 << 15;
constexpr std::size_t kColluders = 6;       // identities remembered per band value
constexpr float kAlpha = 1.0f / 16;         // EWMA weight of the rate features
constexpr double kMinTouched = 32;          // coverage: fewer buckets never alert
constexpr std::uint64_t kWarmClients = 20;  // coverage: clients seen before judging
constexpr std::size_t kBlockInputs = 16;    // lineage: inputs per history block
constexpr std::size_t kClientBlocks = 16;   // lineage: blocks per client (256 inputs)
constexpr std::uint32_t kLineageEvery = 4;  // lineage: every 4th input is checked

float Ewma(float old, float x, float alpha) { return old + alpha * (x - old); }

std::string DigestOf(const void* p, std::size_t n) {
  crypto::Sha256Digest d = crypto::Sha256(std::string_view(static_cast<const char*>(p), n));
  return "sha256:" + HexEncode(d);
}

// The fraction of set bits among the last min(n, 64) of `bits`.
double HistoryFraction(std::uint64_t bits, std::uint64_t n) {
  std::uint64_t w = std::min<std::uint64_t>(n, kHistory);
  if (w == 0) return 0;
  std::uint64_t mask = w == 64 ? ~0ULL : ((1ULL << w) - 1);
  return static_cast<double>(std::popcount(bits & mask)) / static_cast<double>(w);
}

std::int64_t IntField(const json::object& o, std::string_view k, std::int64_t dflt) {
  const json::value* v = o.if_contains(k);
  if (!v) return dflt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
  return dflt;
}

bool TrueField(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_bool() && v->get_bool();
}

void AppendText(const json::value& c, std::string* out) {
  auto add = [&](const json::string& s) {
    if (out->size() >= kMaxPromptBytes) return;
    out->append(s.data(), std::min(s.size(), kMaxPromptBytes - out->size()));
    out->push_back(' ');
  };
  if (c.is_string()) {
    add(c.get_string());
  } else if (const json::array* a = c.if_array()) {
    for (const json::value& part : *a) {
      if (part.is_string()) {
        add(part.get_string());
      } else if (const json::object* o = part.if_object()) {
        if (const json::value* t = o->if_contains("text"); t && t->is_string())
          add(t->get_string());
      }
    }
  }
}

// The prompt text of an OpenAI chat or completions body: every non-assistant
// message's text parts and `prompt`, concatenated (bounded).
std::string PromptText(const json::object& body) {
  std::string out;
  if (const json::value* m = body.if_contains("messages"); m && m->is_array()) {
    for (const json::value& v : m->get_array()) {
      const json::object* o = v.if_object();
      if (!o) continue;
      if (const json::value* r = o->if_contains("role");
          r && r->is_string() && r->get_string() == "assistant")
        continue;
      if (const json::value* c = o->if_contains("content")) AppendText(*c, &out);
    }
  }
  if (const json::value* p = body.if_contains("prompt")) AppendText(*p, &out);
  return out;
}

// What an OpenAI body asks for beyond the text: the harvest weight and
// whether the output is asked to be maximal.
double HarvestWeight(const json::object& b) {
  double w = 0;
  if (const json::value* l = b.if_contains("logprobs")) {
    if (l->is_bool() && l->get_bool()) w += 1;
    if (l->is_int64() || l->is_uint64())
      w += 1 + static_cast<double>(std::clamp<std::int64_t>(IntField(b, "logprobs", 0), 0, 1000));
  }
  w += static_cast<double>(std::clamp<std::int64_t>(IntField(b, "top_logprobs", 0), 0, 1000));
  w += static_cast<double>(std::clamp<std::int64_t>(IntField(b, "n", 1), 1, 1000) - 1);
  if (TrueField(b, "echo")) w += 5;
  return w;
}

}  // namespace

// One client's record: fixed size, no pointers (eviction resets it in place).
struct Monitor::State {
  std::uint64_t key = 0;
  bool referenced = false;
  std::uint8_t throttle_action = 0;  // Policy
  std::uint8_t throttle_detector = 0;
  std::uint8_t alerted = 0;  // bit per detector: last_alert_us is set
  std::int64_t first_us = 0, last_us = 0, throttle_until_us = 0;
  std::uint64_t requests = 0;
  // Rate, burstiness, volume, errors (docs/design/monitor.md).
  float gap_ewma = 0, gap2_ewma = 0;
  float prompt_tokens_ewma = 0, completion_tokens_ewma = 0;
  float error_ewma = 0, refusal_ewma = 0;
  std::uint64_t tokens_total = 0;
  std::array<std::uint32_t, 4> model_hash{}, model_count{};
  std::array<std::uint16_t, 24> hours{};
  std::array<std::int64_t, kDetectorCount> last_alert_us{};
  std::array<float, kDetectorCount> score{};
  // Tensor detectors.
  std::uint32_t tensor_queries = 0, distances = 0;
  std::uint16_t touched = 0;
  std::uint8_t res_count = 0, res_next = 0, dist_next = 0;
  std::array<Projection, kReservoir> reservoir{};
  std::array<float, kDistances> dist{};
  std::array<std::uint64_t, kBuckets / 64> buckets{};
  // LLM detectors.
  std::uint32_t prompts = 0, llm_requests = 0;
  std::uint8_t sim_count = 0, sim_next = 0;
  std::array<std::uint64_t, kSimRing> sims{};
  std::uint64_t near_bits = 0, maxlen_bits = 0;
  float harvest_ewma = 0;
  // Lineage: the client's blocks in the history pool (a ring), each with
  // the generation it had when taken (a block since given to another
  // client has another); the near/far bits of the last 64 checks.
  std::array<std::uint32_t, kClientBlocks> hist_block{}, hist_gen{};
  std::uint8_t hist_count = 0, hist_newest = 0;
  std::uint32_t lineage_checks = 0;
  std::uint64_t lineage_bits = 0;
};
static_assert(sizeof(Monitor::State) < 4096, "a client's record must stay below 4 KiB");

struct Monitor::Shard {
  std::mutex mu;
  std::vector<State> slots;
  std::unordered_map<std::uint64_t, std::uint32_t> index;
  std::size_t capacity = 1;
  std::size_t hand = 0;
};

// Band value -> the identities that sent it recently (docs/design/monitor.md).
struct Monitor::Collusion {
  struct Entry {
    std::uint32_t tag = 0;
    std::array<std::uint32_t, kColluders> id{};
    std::array<std::uint32_t, kColluders> seen_s{};
    std::array<std::uint16_t, kColluders> hits{};
  };
  std::array<std::mutex, 16> mu;
  std::vector<Entry> table = std::vector<Entry>(kBands * kBandSlots);

  // Records `id` under `sig`'s bands; returns the most identities seen
  // (each at least twice) under one band value within the window.
  std::uint32_t Record(std::uint64_t sig, std::uint32_t id, std::uint32_t now_s,
                       std::uint32_t window_s) {
    std::uint32_t best = 0;
    for (std::size_t b = 0; b < kBands; ++b) {
      std::uint32_t value = static_cast<std::uint32_t>((sig >> (21 * b)) & ((1u << 21) - 1));
      std::uint32_t slot = value & (kBandSlots - 1);
      std::uint32_t tag = (value >> 15) | 0x80000000u;
      Entry& e = table[b * kBandSlots + slot];
      std::lock_guard<std::mutex> l(mu[slot & 15]);
      auto fresh = [&](std::size_t k) { return e.id[k] != 0 && now_s - e.seen_s[k] <= window_s; };
      if (e.tag != tag) {
        bool live = false;
        for (std::size_t k = 0; k < kColluders; ++k) live = live || (fresh(k) && e.hits[k] > 1);
        if (live) continue;  // another band value's live colluders keep the slot
        e = Entry{};
        e.tag = tag;
      }
      std::size_t at = kColluders, oldest = 0;
      for (std::size_t k = 0; k < kColluders; ++k) {
        if (e.id[k] == id) at = k;
        if (!fresh(k) || e.seen_s[k] < e.seen_s[oldest]) oldest = k;
      }
      if (at == kColluders) {
        at = oldest;
        e.id[at] = id;
        e.hits[at] = 0;
      }
      if (!fresh(at)) e.hits[at] = 0;
      e.seen_s[at] = now_s;
      if (e.hits[at] < 0xffff) ++e.hits[at];
      std::uint32_t n = 0;
      for (std::size_t k = 0; k < kColluders; ++k) n += fresh(k) && e.hits[k] > 1;
      best = std::max(best, n);
    }
    return best;
  }
};

// Lineage: earlier inputs of the clients, outside their records, in blocks
// of 16 handed out first-in first-out (the oldest block is the next one
// given): memory is the pool's, whatever the number of clients.
struct Monitor::History {
  struct Block {
    std::uint64_t owner = 0;
    std::uint32_t gen = 0;
    std::uint32_t n = 0;
    std::array<Projection, kBlockInputs> x{};
  };
  explicit History(std::uint64_t bytes)
      : blocks(std::max<std::size_t>(64, bytes / sizeof(Block))) {}
  std::vector<Block> blocks;
  std::array<std::mutex, 64> mu;
  std::mutex alloc_mu;
  std::size_t next = 0;

  // A fresh block for `owner`; its index, and its generation in *gen.
  std::uint32_t Take(std::uint64_t owner, std::uint32_t* gen) {
    std::size_t i;
    {
      std::lock_guard<std::mutex> l(alloc_mu);
      i = next;
      next = (next + 1) % blocks.size();
    }
    std::lock_guard<std::mutex> l(mu[i % 64]);
    Block& b = blocks[i];
    b.owner = owner;
    b.n = 0;
    *gen = ++b.gen;
    return static_cast<std::uint32_t>(i);
  }
  // Adds x to block i if it is still (i, gen); false if it was taken since.
  bool Add(std::uint32_t i, std::uint32_t gen, const Projection& x) {
    std::lock_guard<std::mutex> l(mu[i % 64]);
    Block& b = blocks[i];
    if (b.gen != gen || b.n >= kBlockInputs) return false;
    b.x[b.n++] = x;
    return true;
  }
  // The smallest non-zero squared distance from x to block (i, gen), or
  // -1 if the block was taken since; *n receives how many inputs it held.
  float Nearest(std::uint32_t i, std::uint32_t gen, const Projection& x, std::size_t* n) {
    std::lock_guard<std::mutex> l(mu[i % 64]);
    const Block& b = blocks[i];
    if (b.gen != gen) return -1;
    float best = -1;
    for (std::uint32_t k = 0; k < b.n; ++k) {
      float d = SquaredDistance(x, b.x[k]);
      if (d > 0 && (best < 0 || d < best)) best = d;
    }
    *n += b.n;
    return best;
  }
};

std::string NetworkKey(std::string_view remote, int v4_prefix, int v6_prefix) {
  std::string s(remote);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  unsigned char a[16];
  char buf[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, s.c_str(), a) == 1) {
    std::uint32_t v = (std::uint32_t{a[0]} << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
    v &= v4_prefix >= 32 ? ~0u : ~(~0u >> v4_prefix);
    std::string out = "net:";
    for (int k = 3; k >= 0; --k) {
      out += std::to_string((v >> (8 * k)) & 255);
      out.push_back(k ? '.' : '/');
    }
    return out + std::to_string(v4_prefix);
  }
  if (inet_pton(AF_INET6, s.c_str(), a) == 1) {
    for (int i = 0; i < 16; ++i) {
      int keep = std::clamp(v6_prefix - 8 * i, 0, 8);
      a[i] &= static_cast<unsigned char>(keep == 8 ? 0xff : (0xff00 >> keep) & 0xff);
    }
    inet_ntop(AF_INET6, a, buf, sizeof buf);
    return "net:" + std::string(buf) + "/" + std::to_string(v6_prefix);
  }
  return "";
}

std::size_t Monitor::BytesPerClient() {
  // The record, and its index node (key, value, next pointer, hash, bucket).
  return sizeof(State) + 48;
}

Monitor::Monitor(MonitorConfig config) : config_(std::move(config)), projector_(config_.seed) {
  for (auto& t : typical_touched_) t.store(1);
  for (auto& t : typical_touched_net_) t.store(1);
  std::size_t total = std::max<std::uint64_t>(kShards, config_.memory_bytes / BytesPerClient());
  for (std::size_t i = 0; i < kShards; ++i) {
    auto s = std::make_unique<Shard>();
    s->capacity = total / kShards;
    s->slots.reserve(s->capacity);
    s->index.reserve(s->capacity);
    shards_.push_back(std::move(s));
  }
  collusion_ = std::make_unique<Collusion>();
  if (config_.at(Detector::kLineage).policy != Policy::kOff)
    history_ = std::make_unique<History>(config_.history_bytes);
}

Monitor::~Monitor() = default;

Monitor::Shard& Monitor::ShardOf(std::uint64_t key) { return *shards_[key >> 60]; }

Monitor::State* Monitor::Find(Shard& s, std::uint64_t key, bool create, std::int64_t now_us) {
  if (auto it = s.index.find(key); it != s.index.end()) {
    State* st = &s.slots[it->second];
    st->referenced = true;
    return st;
  }
  if (!create) return nullptr;
  std::uint32_t at;
  if (s.slots.size() < s.capacity) {
    s.slots.emplace_back();
    at = static_cast<std::uint32_t>(s.slots.size() - 1);
  } else {
    // Clock: the first slot not referenced since the hand last passed.
    for (;;) {
      State& c = s.slots[s.hand];
      if (c.referenced) {
        c.referenced = false;
        s.hand = (s.hand + 1) % s.capacity;
        continue;
      }
      at = static_cast<std::uint32_t>(s.hand);
      s.hand = (s.hand + 1) % s.capacity;
      s.index.erase(c.key);
      evictions_.fetch_add(1, std::memory_order_relaxed);
      c = State{};
      break;
    }
  }
  State* st = &s.slots[at];
  st->key = key;
  // Not referenced until it comes back: a flood of one-time identities
  // (rotated keys) evicts itself before the clients that return.
  st->referenced = false;
  st->first_us = st->last_us = now_us;
  s.index.emplace(key, at);
  return st;
}

namespace {

void UpdateRate(Monitor::State& st, std::int64_t now_us, std::uint32_t model_hash) {
  if (st.requests > 0) {
    float gap = static_cast<float>(std::max<std::int64_t>(0, now_us - st.last_us)) / 1e6f;
    st.gap_ewma = st.requests == 1 ? gap : Ewma(st.gap_ewma, gap, kAlpha);
    st.gap2_ewma = st.requests == 1 ? gap * gap : Ewma(st.gap2_ewma, gap * gap, kAlpha);
  }
  st.last_us = std::max(st.last_us, now_us);
  ++st.requests;
  std::size_t hour = static_cast<std::size_t>((now_us / 3'600'000'000LL) % 24 + 24) % 24;
  if (++st.hours[hour] == 0xffff)
    for (auto& h : st.hours) h /= 2;
  if (model_hash != 0) {
    // Space-Saving top-4.
    std::size_t min_at = 0;
    bool found = false;
    for (std::size_t i = 0; i < 4; ++i) {
      if (st.model_hash[i] == model_hash) {
        ++st.model_count[i];
        found = true;
        break;
      }
      if (st.model_count[i] < st.model_count[min_at]) min_at = i;
    }
    if (!found) {
      st.model_hash[min_at] = model_hash;
      ++st.model_count[min_at];
    }
  }
}

}  // namespace

void Monitor::Judge(State& st, Detector d, double score, bool fire, std::uint32_t window,
                    std::uint64_t queries, const Query& q, std::string_view client,
                    std::string evidence, Verdict* v) {
  auto di = static_cast<std::size_t>(d);
  st.score[di] = static_cast<float>(score);
  const DetectorConfig& dc = config_.detectors[di];
  if (!fire || dc.policy == Policy::kOff) return;
  bool alerted = st.alerted & (1u << di);
  if (!alerted || q.time_us - st.last_alert_us[di] >= config_.alert_interval_s * 1'000'000) {
    st.alerted |= static_cast<std::uint8_t>(1u << di);
    st.last_alert_us[di] = q.time_us;
    alerts_[di].fetch_add(1, std::memory_order_relaxed);
    Alert a;
    a.detector = d;
    a.policy = dc.policy;
    a.client = std::string(client);
    a.score = score;
    a.threshold = d == Detector::kCollusion ? config_.collusion_identities : dc.threshold;
    a.window = window;
    a.queries = queries;
    a.time_us = q.time_us;
    a.evidence = std::move(evidence);
    v->alerts.push_back(std::move(a));
  }
  if (dc.policy >= Policy::kThrottle) {
    st.throttle_until_us =
        std::max(st.throttle_until_us, q.time_us + config_.throttle_s * 1'000'000);
    if (static_cast<std::uint8_t>(dc.policy) >= st.throttle_action) {
      st.throttle_action = static_cast<std::uint8_t>(dc.policy);
      st.throttle_detector = static_cast<std::uint8_t>(d);
    }
  }
}

void Monitor::Content(State& st, std::string_view client, bool network, const TensorSketch* tensor,
                      std::size_t bucket, const LlmFeatures* llm, const Query& q, Verdict* v) {
  if (tensor) {
    if (network) ++st.tensor_queries;  // an identity's record counted it for PRADA
    auto& typical_at = network ? typical_touched_net_ : typical_touched_;
    auto& seen_at = network ? typical_seen_net_ : typical_seen_;
    // Coverage: the request's bucket (hyperplane LSH through the traffic's
    // running centre, computed once per request).
    std::uint64_t bit = 1ULL << (bucket % 64);
    if (!(st.buckets[bucket / 64] & bit)) {
      st.buckets[bucket / 64] |= bit;
      ++st.touched;
    }
    // Judged at checkpoints (min_queries x 2^c queries) against the typical
    // client at the same checkpoint.
    const DetectorConfig& cc = config_.at(Detector::kCoverage);
    if (cc.policy != Policy::kOff && st.tensor_queries >= cc.min_queries &&
        st.tensor_queries % cc.min_queries == 0 &&
        std::has_single_bit(st.tensor_queries / cc.min_queries)) {
      std::size_t c = std::min<std::size_t>(kCheckpoints - 1,
                                            std::bit_width(st.tensor_queries / cc.min_queries) - 1);
      // typical: a streaming estimate of the 90th percentile of the
      // clients' touched buckets at this checkpoint: the largest of the
      // first 20 clients (no judgement until then), then stochastic
      // approximation (up 0.9 step when below, down 0.1 step when above).
      std::uint64_t seen = seen_at[c].fetch_add(1, std::memory_order_relaxed);
      double typical = typical_at[c].load(std::memory_order_relaxed);
      bool warm = seen >= kWarmClients;
      double lift = warm ? st.touched / typical : 0;
      bool fire = warm && st.touched >= kMinTouched && lift >= cc.threshold;
      if (!warm) {
        typical_at[c].store(std::max<double>(typical, st.touched), std::memory_order_relaxed);
      } else if (!fire) {  // a flagged client is not a typical one
        double step = std::max(0.5, typical / 16);
        typical_at[c].store(
            st.touched > typical ? typical + 0.9 * step : std::max(1.0, typical - 0.1 * step),
            std::memory_order_relaxed);
      }
      Judge(st, Detector::kCoverage, lift, fire, st.tensor_queries, st.tensor_queries, q, client,
            fire ? DigestOf(st.buckets.data(), sizeof st.buckets) : std::string(), v);
    }
  }
  if (llm) {
    const LlmFeatures& f = *llm;
    ++st.llm_requests;
    if (f.templated) {
      ++st.prompts;
      bool near = false;
      for (std::size_t i = 0; i < st.sim_count; ++i)
        near = near || Hamming(f.sim, st.sims[i]) <= config_.template_hamming;
      st.near_bits = (st.near_bits << 1) | (near ? 1 : 0);
      st.sims[st.sim_next] = f.sim;
      st.sim_next = static_cast<std::uint8_t>((st.sim_next + 1) % kSimRing);
      st.sim_count = static_cast<std::uint8_t>(std::min<std::size_t>(st.sim_count + 1, kSimRing));
      const DetectorConfig& tc = config_.at(Detector::kTemplate);
      if (st.prompts >= tc.min_queries) {
        double f = HistoryFraction(st.near_bits, st.prompts);
        bool fire = f >= tc.threshold;
        Judge(st, Detector::kTemplate, f, fire,
              static_cast<std::uint32_t>(std::min<std::uint64_t>(st.prompts, kHistory)), st.prompts,
              q, client, fire ? DigestOf(st.sims.data(), sizeof st.sims) : std::string(), v);
      }
      // Collusion is across identities: judged on the identity's record.
      bool fire = f.colluders >= config_.collusion_identities;
      if (!network && (fire || f.colluders > 0)) {
        Judge(st, Detector::kCollusion, f.colluders, fire, f.colluders, st.prompts, q, client,
              fire ? DigestOf(&f.sim, sizeof f.sim) : std::string(), v);
      }
    }
    st.harvest_ewma =
        Ewma(st.harvest_ewma, static_cast<float>(f.harvest),
             1.0f / static_cast<float>(std::min<std::uint64_t>(st.llm_requests, kHistory)));
    const DetectorConfig& lc = config_.at(Detector::kLogprobs);
    if (st.llm_requests >= lc.min_queries) {
      bool fire = st.harvest_ewma >= lc.threshold;
      Judge(st, Detector::kLogprobs, st.harvest_ewma, fire,
            static_cast<std::uint32_t>(std::min<std::uint64_t>(st.llm_requests, kHistory)),
            st.llm_requests, q, client,
            fire ? DigestOf(&st.harvest_ewma, sizeof st.harvest_ewma) : std::string(), v);
    }
    st.maxlen_bits = (st.maxlen_bits << 1) | (f.maximal ? 1 : 0);
    const DetectorConfig& mc = config_.at(Detector::kMaxLength);
    if (st.llm_requests >= mc.min_queries) {
      double f = HistoryFraction(st.maxlen_bits, st.llm_requests);
      bool fire = f >= mc.threshold;
      Judge(st, Detector::kMaxLength, f, fire,
            static_cast<std::uint32_t>(std::min<std::uint64_t>(st.llm_requests, kHistory)),
            st.llm_requests, q, client,
            fire ? DigestOf(&st.maxlen_bits, sizeof st.maxlen_bits) : std::string(), v);
    }
  }
}

Verdict Monitor::Observe(const Query& q) {
  Verdict v;
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (q.identity.empty()) return v;
  const std::uint32_t model_hash =
      q.model.empty() ? 0 : static_cast<std::uint32_t>(Hash64(q.model, config_.seed) | 1);

  // Sketches, outside any lock.
  std::optional<TensorSketch> tensor;
  if ((q.protocol == "kserve-v2" || q.protocol == "triton") && !q.body.empty()) {
    tensor = SketchTensor(q.body, projector_, config_.max_tensor_elements);
    if (tensor->issue != TensorIssue::kNone) {
      ignored_[static_cast<std::size_t>(tensor->issue)].fetch_add(1, std::memory_order_relaxed);
      tensor.reset();
    } else {
      tensors_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  bool llm = q.json_body != nullptr;
  std::uint64_t sim = 0;
  bool templated = false;
  double harvest = 0;
  bool maximal = false;
  std::uint32_t colluders = 0;
  if (llm) {
    const json::object& b = *q.json_body;
    std::string text = PromptText(b);
    std::size_t words = 0;
    sim = SimHash(text, config_.seed, kMaxWords, &words);
    templated = words >= kMinWords;
    harvest = HarvestWeight(b);
    std::int64_t max_tokens =
        std::max(IntField(b, "max_tokens", 0), IntField(b, "max_completion_tokens", 0));
    maximal = max_tokens > 0 && static_cast<std::uint64_t>(max_tokens) >= config_.max_length_tokens;
    if (templated) {
      prompts_.fetch_add(1, std::memory_order_relaxed);
      if (config_.at(Detector::kCollusion).policy != Policy::kOff) {
        auto id = static_cast<std::uint32_t>(Hash64(q.identity, config_.seed ^ 0x5bd1e995) | 1);
        colluders = collusion_->Record(sim, id, static_cast<std::uint32_t>(q.time_us / 1'000'000),
                                       static_cast<std::uint32_t>(config_.collusion_window_s));
      }
    }
  }

  LlmFeatures lf{sim, templated, harvest, maximal, colluders};
  // Coverage: the bucket of the input (hyperplane LSH through the traffic's
  // running centre), then the centre moves.
  std::size_t bucket = 0;
  if (tensor) {
    for (std::size_t j = 0; j < kBucketBits; ++j) {
      float c = center_[j].load(std::memory_order_relaxed);
      if (tensor->proj[j] > c) bucket |= std::size_t{1} << j;
    }
    for (std::size_t j = 0; j < kProjDims; ++j) {
      float c = center_[j].load(std::memory_order_relaxed);
      center_[j].store(c + (tensor->proj[j] - c) / 1024.0f, std::memory_order_relaxed);
    }
  }

  // The source network: rate and volume, and the content detectors but
  // PRADA and collusion (docs/design/monitor.md "Per-client state"), so
  // that keys rotated from one network still add up. Under a throttle of
  // its own, the network's requests are refused whatever their key.
  const std::string net = NetworkKey(q.remote, config_.v4_prefix, config_.v6_prefix);
  Policy net_action = Policy::kOff;
  Detector net_because = Detector::kPrada;
  std::int64_t net_until = 0;
  if (!net.empty()) {
    std::uint64_t key = Hash64(net, config_.seed);
    Shard& s = ShardOf(key);
    std::lock_guard<std::mutex> l(s.mu);
    State& ns = *Find(s, key, true, q.time_us);
    UpdateRate(ns, q.time_us, model_hash);
    if (ns.throttle_until_us <= q.time_us && config_.network_content)
      Content(ns, net, true, tensor ? &*tensor : nullptr, bucket, llm ? &lf : nullptr, q, &v);
    if (ns.throttle_until_us > q.time_us) {
      net_action = static_cast<Policy>(ns.throttle_action);
      net_because = static_cast<Detector>(ns.throttle_detector);
      net_until = ns.throttle_until_us;
    }
  }

  std::uint64_t key = Hash64(q.identity, config_.seed);
  Shard& s = ShardOf(key);
  std::lock_guard<std::mutex> l(s.mu);
  State& st = *Find(s, key, true, q.time_us);
  UpdateRate(st, q.time_us, model_hash);
  if (st.throttle_until_us > q.time_us) {
    // Under a throttle: refused, and what it asked is not learnt from.
    v.action = static_cast<Policy>(st.throttle_action);
  } else {
    if (tensor) {
      ++st.tensor_queries;
      // PRADA: the minimum distance to the recent inputs (duplicates skipped).
      float best = -1;
      for (std::size_t i = 0; i < st.res_count; ++i) {
        float d = SquaredDistance(tensor->proj, st.reservoir[i]);
        if (best < 0 || d < best) best = d;
      }
      if (best > 0) {
        // Ten significant bits: the projection's float rounding must not
        // make a fixed-step walk's equal distances look spread.
        int e;
        double m = std::frexp(std::sqrt(static_cast<double>(best)), &e);
        st.dist[st.dist_next] = static_cast<float>(std::ldexp(std::round(m * 1024) / 1024, e));
        st.dist_next = static_cast<std::uint8_t>((st.dist_next + 1) % kDistances);
        ++st.distances;
      }
      // Lineage: among the client's earlier inputs in the history pool, is
      // there one much nearer than the nearest recent one (a parent that a
      // perturbation was made from; docs/design/monitor.md "Lineage")?
      if (history_) {
        const DetectorConfig& lc = config_.at(Detector::kLineage);
        if (best > 0 && lc.policy != Policy::kOff && st.tensor_queries % kLineageEvery == 0) {
          float far = -1;
          std::size_t held = 0;
          for (std::size_t b = 0; b < st.hist_count; ++b) {
            float d = history_->Nearest(st.hist_block[b], st.hist_gen[b], tensor->proj, &held);
            if (d > 0 && (far < 0 || d < far)) far = d;
          }
          if (held >= 2 * kBlockInputs && far > 0) {
            const double ratio = std::sqrt(static_cast<double>(far) / best);
            st.lineage_bits = (st.lineage_bits << 1) | (ratio < config_.lineage_ratio ? 1 : 0);
            ++st.lineage_checks;
            if (st.lineage_checks >= lc.min_queries) {
              double f = HistoryFraction(st.lineage_bits, st.lineage_checks);
              bool fire = f >= lc.threshold;
              Judge(
                  st, Detector::kLineage, f, fire,
                  static_cast<std::uint32_t>(std::min<std::uint64_t>(st.lineage_checks, kHistory)),
                  st.tensor_queries, q, q.identity,
                  fire ? DigestOf(&st.lineage_bits, sizeof st.lineage_bits) : std::string(), &v);
            }
          }
        }
        if (best != 0) {
          bool added =
              st.hist_count > 0 && history_->Add(st.hist_block[st.hist_newest],
                                                 st.hist_gen[st.hist_newest], tensor->proj);
          if (!added) {
            // A new block: the next free slot, or the client's oldest.
            std::uint8_t slot =
                st.hist_count < kClientBlocks
                    ? st.hist_count++
                    : static_cast<std::uint8_t>((st.hist_newest + 1) % kClientBlocks);
            st.hist_block[slot] = history_->Take(key, &st.hist_gen[slot]);
            st.hist_newest = slot;
            history_->Add(st.hist_block[slot], st.hist_gen[slot], tensor->proj);
          }
        }
      }
      if (best != 0) {
        st.reservoir[st.res_next] = tensor->proj;
        st.res_next = static_cast<std::uint8_t>((st.res_next + 1) % kReservoir);
        st.res_count =
            static_cast<std::uint8_t>(std::min<std::size_t>(st.res_count + 1, kReservoir));
      }
      const DetectorConfig& pc = config_.at(Detector::kPrada);
      if (pc.policy != Policy::kOff && st.distances >= pc.min_queries && best > 0 &&
          st.distances % 8 == 0) {
        std::uint32_t n = std::min<std::uint32_t>(st.distances, config_.prada_window);
        double xs[kDistances];
        for (std::uint32_t i = 0; i < n; ++i)
          xs[i] = st.dist[(st.dist_next + kDistances - n + i) % kDistances];
        // A query far from every recent one (more than twice the median)
        // opened a new region of the client's data (PRADA's per-class
        // grouping, without the labels): it is not part of the test.
        double sorted[kDistances];
        std::copy(xs, xs + n, sorted);
        std::nth_element(sorted, sorted + n / 2, sorted + n);
        const double cut = 2 * sorted[n / 2];
        std::uint32_t kept = 0;
        for (std::uint32_t i = 0; i < n; ++i)
          if (xs[i] <= cut) xs[kept++] = xs[i];
        n = kept;
        // Every kept distance the same (a fixed-step walk): as far from a
        // normal sample as can be, W = 0.
        std::optional<ShapiroWilk> sw;
        if (n >= 3 && std::all_of(xs, xs + n, [&](double x) { return x == xs[0]; }))
          sw = ShapiroWilk{0, 0};
        else
          sw = ShapiroWilkTest(std::span<const double>(xs, n));
        if (sw) {
          bool fire = sw->w < pc.threshold;
          Judge(st, Detector::kPrada, sw->w, fire, n, st.tensor_queries, q, q.identity,
                fire ? DigestOf(st.dist.data(), sizeof st.dist) : std::string(), &v);
        }
      }
    }
    Content(st, q.identity, false, tensor ? &*tensor : nullptr, bucket, llm ? &lf : nullptr, q, &v);
    if (st.throttle_until_us > q.time_us) v.action = static_cast<Policy>(st.throttle_action);
  }
  std::int64_t until = st.throttle_until_us;
  Detector because = static_cast<Detector>(st.throttle_detector);
  if (net_action > v.action || (v.action < Policy::kThrottle && net_action >= Policy::kThrottle)) {
    v.action = net_action;
    because = net_because;
    until = net_until;
  }
  if (v.action >= Policy::kThrottle) {
    v.because = because;
    v.retry_after_s = std::max<std::int64_t>(1, (until - q.time_us + 999'999) / 1'000'000);
    (v.action == Policy::kBlock ? blocked_ : throttled_).fetch_add(1, std::memory_order_relaxed);
  } else {
    v.action = v.alerts.empty() ? Policy::kOff : Policy::kAlert;
  }
  for (Alert& a : v.alerts) a.network = net;
  return v;
}

void Monitor::Complete(std::string_view identity, std::string_view remote, const Outcome& o) {
  auto update = [&](std::string_view client) {
    std::uint64_t key = Hash64(client, config_.seed);
    Shard& s = ShardOf(key);
    std::lock_guard<std::mutex> l(s.mu);
    State* st = Find(s, key, false, 0);
    if (!st) return;
    st->error_ewma = Ewma(st->error_ewma, (!o.denied && o.status >= 400) ? 1.0f : 0.0f, kAlpha);
    st->refusal_ewma = Ewma(st->refusal_ewma, o.denied ? 1.0f : 0.0f, kAlpha);
    st->prompt_tokens_ewma =
        Ewma(st->prompt_tokens_ewma, static_cast<float>(o.prompt_tokens), kAlpha);
    st->completion_tokens_ewma =
        Ewma(st->completion_tokens_ewma, static_cast<float>(o.completion_tokens), kAlpha);
    st->tokens_total += o.prompt_tokens + o.completion_tokens;
  };
  if (!identity.empty()) update(identity);
  if (std::string net = NetworkKey(remote, config_.v4_prefix, config_.v6_prefix); !net.empty())
    update(net);
}

std::optional<std::array<float, kDetectorCount>> Monitor::Scores(std::string_view client) {
  std::uint64_t key = Hash64(client, config_.seed);
  Shard& s = ShardOf(key);
  std::lock_guard<std::mutex> l(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) return std::nullopt;
  return s.slots[it->second].score;
}

MonitorStats Monitor::stats() const {
  MonitorStats s;
  s.requests = requests_.load();
  s.evictions = evictions_.load();
  s.tensors = tensors_.load();
  s.prompts = prompts_.load();
  s.throttled = throttled_.load();
  s.blocked = blocked_.load();
  for (std::size_t i = 0; i < kDetectorCount; ++i) s.alerts[i] = alerts_[i].load();
  for (std::size_t i = 0; i < kTensorIssueCount; ++i) s.ignored[i] = ignored_[i].load();
  for (const auto& sh : shards_) {
    std::lock_guard<std::mutex> l(sh->mu);
    s.clients += sh->index.size();
    s.capacity += sh->capacity;
  }
  return s;
}

}  // namespace rampart::monitor
