// The scan policy: which pickle imports pass (the allowlist), the severity of
// every other import (the severity table), the severity of every other rule,
// and the per-format lists (ONNX operator domains, Keras modules).
//
// A policy is data (YAML, docs/formats/scan-policy.md). The default ships
// inside the binary (default_policy.yaml); users extend it with their own
// files, which are merged in order: lists are unioned, a severity named twice
// takes the later file's value, scalars (and limits) are replaced.
//
// Thread-safety: a loaded Policy is immutable and may be shared.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "artifacts/finding.h"
#include "core/diagnostic.h"
#include "core/status.h"

namespace rampart::artifacts {

// What one top-level file may make the scanner do: the policy's `limits:`
// (docs/formats/scan-policy.md). The defaults here equal the shipped policy.
// Hitting one is a finding (archive.bomb, archive.nesting,
// archive.entry-limit), never a silent stop.
struct ScanLimits {
  int max_depth = 5;                             // containers inside containers
  std::uint64_t max_decompressed = 64ull << 30;  // decompressed bytes per top-level file
  std::uint64_t max_members = 200000;            // container members per top-level file
  std::uint64_t max_member_size = 64ull << 30;   // uncompressed size one member may claim
  double max_ratio = 1000.0;                     // decompressed / compressed ...
  std::uint64_t ratio_floor = 100ull << 20;      // ... checked once this much came out
  std::uint64_t max_spill = 16ull << 30;         // a nested zip/7z copied to a temp file
  std::uint64_t max_config = 64u << 20;          // a Keras config.json read whole

  bool operator==(const ScanLimits&) const = default;
};

class Policy {
 public:
  // The embedded default.
  static const Policy& Default();
  // The default extended by `files`, in order. Errors carry file:line:col.
  static Result<Policy> Load(const std::vector<std::filesystem::path>& files);
  // Parses one policy text on top of `base` (for tests and the default).
  static Result<Policy> Parse(std::string_view yaml, std::string_view source, const Policy* base);

  // Severity of importing module.name; nullopt if allowed.
  std::optional<Severity> ImportSeverity(std::string_view module, std::string_view name) const;
  bool IsAllowed(std::string_view module, std::string_view name) const;
  // Severity of a non-import rule; rules not in the policy are kHigh (fail closed).
  Severity RuleSeverity(std::string_view rule) const;

  bool IsStandardOnnxDomain(std::string_view domain) const;
  bool IsAllowedKerasModule(std::string_view module) const;
  // A registered extension code, as {module, name}.
  std::optional<std::pair<std::string, std::string>> Extension(std::int64_t code) const;

  const ScanLimits& limits() const { return limits_; }

  std::string_view embedded_default_text() const;

 private:
  std::unordered_set<std::string> allow_;  // "module\nname"
  // Modules allowed whole (`module: ["*"]`): every name, every submodule.
  std::unordered_set<std::string> allow_modules_;
  ScanLimits limits_;
  // Severities of modules (with submodules) and of exact globals (and dotted
  // names below them).
  std::unordered_map<std::string, Severity> module_severity_;
  std::unordered_map<std::string, Severity> global_severity_;  // "module\nname"
  Severity default_import_ = Severity::kHigh;
  std::unordered_map<std::string, Severity> rules_;
  std::set<std::string, std::less<>> onnx_domains_;
  std::vector<std::string> keras_modules_;
  std::map<std::int64_t, std::pair<std::string, std::string>> extensions_;
};

// The text of the embedded default policy (generated from default_policy.yaml).
std::string_view DefaultPolicyText();

}  // namespace rampart::artifacts
