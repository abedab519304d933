// The guards' configuration: the estate's `gateway.guards:` section
// (docs/formats/gateway-config.md), read with YamlFields so every problem
// carries file:line:col. No section: no guards (the gateway runs no guard
// filter). An empty section (`guards: {}`) turns them on with the defaults:
// secrets redacted, personal data flagged, the canary inserted and its leaks
// blocked, the built-in rule pack blocking high-severity hits in user
// messages and medium-severity ones in tool results.
#pragma once

#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"
#include "estate/model.h"
#include "guards/instruction.h"
#include "guards/output_guard.h"
#include "guards/rules.h"

namespace rampart::guards {

// Where a prompt's text came from, for the rules' per-role thresholds.
enum class PromptRole : std::uint8_t { kUser, kTool, kSystem };
inline constexpr std::size_t kPromptRoleCount = 3;
std::string_view PromptRoleName(PromptRole r);  // "user" | "tool" | "system"
// A chat message role: "tool"/"function" -> kTool, "system"/"developer" ->
// kSystem, everything else -> kUser. Retrieved documents (`guard scan`) are kTool.
PromptRole PromptRoleOf(std::string_view chat_role);

struct RulesPolicy {
  bool enabled = true;
  bool builtin = true;                       // the built-in pack
  std::vector<std::filesystem::path> packs;  // more packs, in order
  Action action = Action::kBlock;            // for a hit at or above the threshold
  // The lowest severity that counts, per role; nullopt = the role is not scanned.
  std::array<std::optional<RuleSeverity>, kPromptRoleCount> threshold = {
      RuleSeverity::kHigh, RuleSeverity::kMedium, std::nullopt};
};

// Output actions for some routes and/or models (first match wins).
struct OutputOverride {
  std::vector<std::string> routes;  // empty = any
  std::vector<std::string> models;  // empty = any
  std::array<Action, kDetectorCount> actions{};
  SourceLocation where;
};

// The injection classifier (classifier.h) on request prompts.
struct ClassifierPolicy {
  std::filesystem::path model;  // "" = no classifier
  Action action = Action::kBlock;
  // Per role: nullopt = not scored; NaN = the model's own threshold.
  std::array<std::optional<double>, kPromptRoleCount> threshold = {
      std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN(),
      std::nullopt};
};

// The planted-instruction detector (instruction.h) on outside content.
struct InstructionPolicy {
  bool enabled = true;
  // kBlock: 403; kRedact: the segment is replaced in the request body
  // (kInstructionRedaction); kFlag: an annotation only; kOff: not run.
  Action action = Action::kBlock;
  // Per role: nullopt = not judged; NaN = kInstructionThreshold. Users type
  // instructions and clients write system prompts as instructions, so only
  // outside content (tool results, documents, image text) is judged by default.
  std::array<std::optional<double>, kPromptRoleCount> threshold = {
      std::nullopt, std::numeric_limits<double>::quiet_NaN(), std::nullopt};
};

// What a redacted planted instruction becomes in the request body.
inline constexpr std::string_view kInstructionRedaction = "[instruction removed by Rampart guard]";

// Per identity (gateway.guards.identities): how the prompt guards (rules,
// classifier) treat its requests. kMonitor turns a block into a flag; kOff
// skips them. Output guards and the canary apply to every identity.
enum class GuardMode : std::uint8_t { kEnforce, kMonitor, kOff };

struct GuardsConfig {
  bool enabled = false;  // a `guards:` section is present and not `enabled: false`
  OutputPolicy output;   // defaults (see the file comment)
  std::vector<OutputOverride> overrides;
  bool canary = true;
  std::string canary_token;  // "" = generated in the var dir
  RulesPolicy rules;
  ClassifierPolicy classifier;
  InstructionPolicy instruction;
  std::map<std::string, GuardMode, std::less<>> identities;  // absent = kEnforce
  // Per identity (gateway.guards.identities.<name>.classifier_thresholds):
  // the classifier's per-role thresholds for its requests; roles it does not
  // name keep classifier.threshold's. Absent = classifier.threshold.
  std::map<std::string, std::array<std::optional<double>, kPromptRoleCount>, std::less<>>
      identity_thresholds;
};

// The defaults an empty `guards:` section means.
GuardsConfig DefaultGuardsConfig();

// Reads `gateway.guards` of `e`. Errors go to *diags; InvalidArgument if any.
// Relative pack paths resolve against the directory of the estate file.
Result<GuardsConfig> LoadGuardsConfig(const estate::Estate& e, Diagnostics* diags);

// Reads the rule packs of `p` (built-in first) and compiles them.
Result<std::shared_ptr<const RuleSet>> LoadRules(const RulesPolicy& p, Diagnostics* diags);

}  // namespace rampart::guards
