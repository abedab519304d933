// A seeded traffic simulator for the monitor's bench, tests and the tour:
// benign clients and extraction attackers against a tensor model (KServe v2
// JSON bodies) and an LLM (OpenAI chat bodies). What each synthesises and
// why it resembles real traffic is in docs/design/monitor.md "Evaluation".
// Deterministic for a seed. Not thread-safe (one generator per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::monitor {

enum class SimKind : std::uint8_t {
  kBenignTensor,    // a use case: 1–3 classes of the data, Gaussian around each
  kBenignLlm,       // varied prompts: sentences from many templates, Zipf vocabulary
  kPrada,           // Papernot-style synthetic augmentation: seeds, then ±λ sign steps
  kKnockoff,        // natural data from every class and a broader public dataset
  kTemplateSweep,   // one prompt template, two slots varied
  kLogprobHarvest,  // varied prompts, top_logprobs 20, max_tokens 1
  kMaxLength,       // varied prompts, max_tokens at the model's maximum
  kColluder,        // a template sweep shared by several keys (same group seed)
  kPerturbation,    // T-RND / boundary search: the last query with one feature moved by ±λ
};
std::string_view SimKindName(SimKind k);

struct SimWorld {
  std::size_t dims = 64;             // tensor input dimension
  std::size_t classes = 20;          // the model's data: a Gaussian mixture
  std::size_t public_classes = 100;  // the attacker's broader public dataset
  std::size_t vocabulary = 5000;
};

class SimClient {
 public:
  virtual ~SimClient() = default;
  // The next request body.
  virtual std::string Next() = 0;
  virtual bool tensor() const = 0;  // KServe v2 body, else OpenAI chat
};

class TrafficSim {
 public:
  TrafficSim(std::uint64_t seed, SimWorld w = {});
  ~TrafficSim();
  // A client of `kind`; `id` makes its stream distinct; colluders with the
  // same `group` share a template.
  std::unique_ptr<SimClient> Client(SimKind kind, std::uint64_t id, std::uint64_t group = 0) const;

  struct Data;

 private:
  std::shared_ptr<const Data> data_;
};

}  // namespace rampart::monitor
