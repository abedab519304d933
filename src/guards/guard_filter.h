// The guards as one gateway filter (core/gateway_filter.h), built by the CLI
// from `gateway.guards` and handed to the gateway in ServerDeps::filters.
//
//   OnRequest   the rule pack over each prompt part (user messages, tool and
//               function results, client-supplied system content), with the
//               per-role thresholds: a hit at or above the threshold blocks
//               (403 "prompt_rejected") or flags; then, on chat requests, the
//               canary goes into the system prompt (replacement_body).
//               Then the classifier, then the planted-instruction detector
//               (instruction.h) on outside content: block, redact the
//               segment in the body, or flag.
//               gateway.guards.identities: `monitor` turns blocks into
//               flags, `off` skips rules, classifier and detector for that
//               identity.
//   OnResponse  an output-guard stream filter (output_guard.h) for every
//               response, with the route/model override that applies.
//   RenderMetrics  rampart_guard_* counters.
//
// Annotations name rules, roles and decisions, never prompt text.
// Thread-safety: all methods may be called from many threads at once.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/audit_sink.h"
#include "core/gateway_filter.h"
#include "guards/classifier.h"
#include "guards/config.h"
#include "guards/output_guard.h"
#include "guards/rules.h"

namespace rampart::guards {

// One prompt part and where it came from.
struct PromptPart {
  PromptRole role = PromptRole::kUser;
  std::string_view text;
};

// The text parts of an OpenAI-style request body (chat `messages`, with
// string or [{type:"text", text}] content; completions `prompt`). The alt
// text, caption, title or description of an image part ({type:"image_url"},
// in the part or its `image_url` object) is a part of role kTool: outside
// content, judged with the indirect threshold.
std::vector<PromptPart> PromptParts(const json::object& body);

// The body with every planted instruction (instruction.h) in the parts of
// the roles `thresholds` judges replaced by kInstructionRedaction (NaN =
// kInstructionThreshold); nullopt when nothing was replaced.
std::optional<std::string> RedactPlantedInstructions(
    const json::object& body,
    const std::array<std::optional<double>, kPromptRoleCount>& thresholds);

// The verdict of the rules on one text.
struct RuleVerdict {
  double score = 0;                // the highest hit's SeverityScore, 0 without hits
  Action decision = Action::kOff;  // kOff = allow; else the policy's action
  std::vector<std::size_t> rules;  // every hit
  std::optional<std::size_t> top;  // the highest-severity hit at or above the threshold
};
// Scans the folded text and its decoded payloads (normalize.h).
RuleVerdict JudgeText(const RuleSet& rules, const RulesPolicy& p, PromptRole role,
                      std::string_view text);
// The same for the views ScoringViews(text) already computed.
RuleVerdict JudgeViews(const RuleSet& rules, const RulesPolicy& p, PromptRole role,
                       const std::vector<std::string>& views);

// The rampart_guard_* counters as plain totals: what a GuardFilter hands to
// the one that replaces it on reload (SwappableFilter::Set), so /metrics
// counters do not start again from zero.
struct GuardTotals {
  std::array<std::array<std::uint64_t, kActionCount>, kDetectorCount> output{};
  std::uint64_t blocked_responses = 0;
  std::uint64_t canaries_inserted = 0;
  std::array<std::array<std::uint64_t, kActionCount>, kPromptRoleCount> decisions{};
  std::map<std::string, std::uint64_t, std::less<>> rule_hits;  // by rule id
};

class GuardFilter final : public GatewayFilter {
 public:
  // `canary` is the token (LoadOrCreateCanary), "" when the canary is off;
  // `model` the classifier of config.classifier.model (null: none).
  // `audit` (may be null) receives a `guard.blocked` ledger entry per block.
  GuardFilter(GuardsConfig c, std::string canary, std::shared_ptr<const RuleSet> rules,
              std::shared_ptr<const Classifier> model = nullptr,
              std::shared_ptr<AuditSink> audit = nullptr);

  std::string_view name() const override { return "guards"; }
  FilterDecision OnRequest(const FilterRequest& r) override;
  std::unique_ptr<ResponseFilter> OnResponse(const FilterRequest& r, int status,
                                             std::string_view content_type) override;
  void RenderMetrics(std::string* out) const override;

  // This filter's counters plus those carried from its predecessors.
  GuardTotals Totals() const;
  // Adds a predecessor's totals to what this filter reports. Call before the
  // filter is shared (not synchronised with RenderMetrics).
  void Carry(const GuardTotals& t);

 private:
  const OutputGuard& OutputFor(const FilterRequest& r) const;
  // Inserts the canary into `body` (the request's, or its redacted copy).
  void InsertCanaryInto(const FilterRequest& r, const json::object& body, FilterDecision* d);
  void RecordBlock(const FilterRequest& r, std::string_view stage, std::string reason,
                   std::optional<double> score);

  GuardsConfig config_;
  std::string canary_;
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const Classifier> model_;
  std::shared_ptr<AuditSink> audit_;
  std::unique_ptr<OutputGuard> output_;
  std::vector<std::unique_ptr<OutputGuard>> overrides_;  // parallel to config_.overrides
  std::unique_ptr<std::atomic<std::uint64_t>[]> rule_hits_;
  std::array<std::array<std::atomic<std::uint64_t>, kActionCount>, kPromptRoleCount> decisions_{};
  std::atomic<std::uint64_t> canaries_inserted_{0};
  GuardTotals carried_;
};

}  // namespace rampart::guards
