// YAML on yaml-cpp, with source positions kept for diagnostics.
//
// yaml-cpp throws; everything here catches and returns Status or records a
// Diagnostic. Positions are 1-based in what this header returns.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"

namespace rampart {

// Parses one YAML document. A syntax error becomes InvalidArgument with
// "file:line:col: message".
Result<YAML::Node> ParseYaml(std::string_view text, std::string_view file);
// Parses a multi-document stream ("---" separated), e.g. Kubernetes manifests.
Result<std::vector<YAML::Node>> ParseYamlAll(std::string_view text, std::string_view file);

// Where a node starts in its file.
SourceLocation LocationOf(const YAML::Node& node, std::string_view file);

// The YAML type of a node in words ("mapping", "sequence", "string", "null").
std::string_view YamlTypeName(const YAML::Node& node);

// Reads the fields of one mapping node by name, recording a Diagnostic for
// every missing required field, wrong type and out-of-range value, and - on
// CheckUnknown() - every key that was never asked for (with "did you mean").
//
//   YamlFields f(node, file, &diags, "zone");
//   auto name = f.String("name", /*required=*/true);
//   auto cidrs = f.StringList("cidrs");
//   f.CheckUnknown();
//
// `*diags` must outlive this object. Not thread-safe.
class YamlFields {
 public:
  YamlFields(const YAML::Node& map, std::string file, Diagnostics* diags, std::string what,
             std::string code_prefix = "yaml");

  // False (with a diagnostic already recorded) if the node is not a mapping.
  bool ok() const { return ok_; }

  bool Has(std::string_view key) const;
  std::optional<std::string> String(std::string_view key, bool required = false);
  std::optional<std::int64_t> Int(std::string_view key, bool required = false,
                                  std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX);
  std::optional<bool> Bool(std::string_view key, bool required = false);
  // A scalar or a sequence of scalars ("a" reads as ["a"]).
  std::optional<std::vector<std::string>> StringList(std::string_view key, bool required = false);
  // A mapping of scalar -> scalar (Kubernetes labels).
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view key,
                                                              bool required = false);
  // One of `allowed`; an unknown value gets "did you mean".
  std::optional<std::string> Enum(std::string_view key, const std::vector<std::string>& allowed,
                                  bool required = false);
  // The raw node (undefined if absent); marks the key as known.
  YAML::Node Node(std::string_view key, bool required = false);

  // Location of a key's value, or of the mapping itself when absent.
  SourceLocation Where(std::string_view key) const;
  SourceLocation Where() const { return LocationOf(map_, file_); }
  const std::string& file() const { return file_; }

  // Records one diagnostic per key never read by the accessors above.
  void CheckUnknown();

 private:
  YAML::Node Find(std::string_view key) const;
  void TypeError(std::string_view key, const YAML::Node& n, std::string_view expected);

  YAML::Node map_;
  std::string file_;
  Diagnostics* diags_;
  std::string what_;
  std::string code_prefix_;
  bool ok_ = true;
  std::set<std::string, std::less<>> asked_;
};

}  // namespace rampart
