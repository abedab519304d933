// The scan policy: which pickle imports pass (the allowlist), the severity of
// every other import (the severity table), the severity of every other rule,
// and the per-format lists (ONNX operator domains, Keras modules).
//
// A policy is data (YAML, docs/formats/scan-policy.md). The default ships
// inside the binary (default_policy.yaml); users extend it with their own
// files, which are merged in order: lists are unioned, a severity named twice
// takes the later file's value, scalars are replaced.
//
// Thread-safety: a loaded Policy is immutable and may be shared.
#pragma once

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

  std::string_view embedded_default_text() const;

 private:
  std::unordered_set<std::string> allow_;  // "module\nname"
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
