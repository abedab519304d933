#include "artifacts/policy.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "core/file.h"
#include "core/yaml.h"

namespace rampart::artifacts {
namespace {

std::string Key(std::string_view module, std::string_view name) {
  std::string k(module);
  k += '\n';
  k += name;
  return k;
}

Status Bad(const YAML::Node& n, std::string_view file, const std::string& msg) {
  return InvalidArgumentError(LocationOf(n, file).ToString() + ": " + msg);
}

Result<std::vector<std::string>> ScalarList(const YAML::Node& n, std::string_view file,
                                            std::string_view what) {
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    return Bad(n, file,
               std::string(what) + " must be a list, got a " + std::string(YamlTypeName(n)));
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) return Bad(item, file, std::string(what) + " entries must be strings");
    out.push_back(item.Scalar());
  }
  return out;
}

// `module: [name, ...]` mappings.
Status ForEachGlobal(const YAML::Node& n, std::string_view file, std::string_view what,
                     const std::function<void(const std::string&, const std::string&)>& fn) {
  if (!n.IsDefined() || n.IsNull()) return OkStatus();
  if (!n.IsMap()) {
    return Bad(n, file, std::string(what) + " must map a module to a list of names");
  }
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) return Bad(kv.first, file, "module names must be strings");
    RAMPART_ASSIGN_OR_RETURN(auto names, ScalarList(kv.second, file, what));
    for (const auto& name : names) fn(kv.first.Scalar(), name);
  }
  return OkStatus();
}

const std::vector<std::string>& KnownTopLevel() {
  static const std::vector<std::string> k = {"version", "allow", "imports",    "rules",
                                             "onnx",    "keras", "extensions", "limits"};
  return k;
}

// `limits:` — each key a non-negative number; unknown keys are errors.
Status ParseLimits(const YAML::Node& n, std::string_view file, ScanLimits& l) {
  if (!n.IsDefined() || n.IsNull()) return OkStatus();
  if (!n.IsMap()) return Bad(n, file, "limits must map a limit name to a number");
  static const std::vector<std::string> kKeys = {
      "max_depth", "max_decompressed_bytes", "max_members",     "max_member_bytes",
      "max_ratio", "ratio_floor_bytes",      "max_spill_bytes", "max_config_bytes"};
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      std::string hint = DidYouMean(key, kKeys);
      return Bad(kv.first, file, "unknown limit '" + key + "'" + (hint.empty() ? "" : "; " + hint));
    }
    if (!kv.second.IsScalar()) return Bad(kv.second, file, "limits." + key + " must be a number");
    const std::string v = kv.second.Scalar();
    if (key == "max_ratio") {
      double d = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (ec != std::errc() || p != v.data() + v.size() || !(d >= 1)) {
        return Bad(kv.second, file, "limits.max_ratio must be a number >= 1, got '" + v + "'");
      }
      l.max_ratio = d;
      continue;
    }
    std::uint64_t u = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), u);
    if (ec != std::errc() || p != v.data() + v.size() || u == 0) {
      return Bad(
          kv.second, file,
          "limits." + key + " must be a positive integer (bytes or a count), got '" + v + "'");
    }
    if (key == "max_depth") {
      if (u > 32) return Bad(kv.second, file, "limits.max_depth must be 1..32");
      l.max_depth = static_cast<int>(u);
    } else if (key == "max_decompressed_bytes") {
      l.max_decompressed = u;
    } else if (key == "max_members") {
      l.max_members = u;
    } else if (key == "max_member_bytes") {
      l.max_member_size = u;
    } else if (key == "ratio_floor_bytes") {
      l.ratio_floor = u;
    } else if (key == "max_spill_bytes") {
      l.max_spill = u;
    } else if (key == "max_config_bytes") {
      l.max_config = u;
    }
  }
  return OkStatus();
}

}  // namespace

Result<Policy> Policy::Parse(std::string_view yaml, std::string_view source, const Policy* base) {
  Policy p = base != nullptr ? *base : Policy();
  RAMPART_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(yaml, source));
  if (root.IsNull()) return p;
  if (!root.IsMap()) return Bad(root, source, "a policy must be a mapping");
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      if (std::find(KnownTopLevel().begin(), KnownTopLevel().end(), key) == KnownTopLevel().end()) {
        std::string hint = DidYouMean(key, KnownTopLevel());
        return Bad(kv.first, source,
                   "unknown policy key '" + key + "'" + (hint.empty() ? "" : "; " + hint));
      }
    }
    if (auto v = root["version"]; v.IsDefined() && v.Scalar() != "1") {
      return Bad(v, source, "unsupported policy version '" + v.Scalar() + "' (this is version 1)");
    }
    RAMPART_RETURN_IF_ERROR(ForEachGlobal(root["allow"], source, "allow",
                                          [&](const std::string& m, const std::string& n) {
                                            if (n == "*") {
                                              p.allow_modules_.insert(m);
                                            } else {
                                              p.allow_.insert(Key(m, n));
                                            }
                                          }));
    RAMPART_RETURN_IF_ERROR(ParseLimits(root["limits"], source, p.limits_));
    if (auto imports = root["imports"]; imports.IsDefined() && !imports.IsNull()) {
      if (!imports.IsMap()) return Bad(imports, source, "imports must be a mapping");
      for (const auto& kv : imports) {
        const std::string level = kv.first.Scalar();
        if (level == "default") {
          auto sev = ParseSeverity(kv.second.Scalar());
          if (!sev) return Bad(kv.second, source, sev.error().message());
          p.default_import_ = *sev;
          continue;
        }
        auto sev = ParseSeverity(level);
        if (!sev) return Bad(kv.first, source, sev.error().message());
        if (!kv.second.IsMap() && !kv.second.IsNull()) {
          return Bad(kv.second, source, "imports." + level + " must have modules: and globals:");
        }
        if (kv.second.IsNull()) continue;
        for (const auto& inner : kv.second) {
          const std::string k = inner.first.Scalar();
          if (k == "modules") {
            RAMPART_ASSIGN_OR_RETURN(auto mods, ScalarList(inner.second, source, "modules"));
            for (const auto& m : mods) p.module_severity_[m] = *sev;
          } else if (k == "globals") {
            RAMPART_RETURN_IF_ERROR(ForEachGlobal(inner.second, source, "globals",
                                                  [&](const std::string& m, const std::string& n) {
                                                    p.global_severity_[Key(m, n)] = *sev;
                                                  }));
          } else {
            return Bad(
                inner.first, source,
                "unknown key '" + k + "' under imports." + level + " (use modules or globals)");
          }
        }
      }
    }
    if (auto rules = root["rules"]; rules.IsDefined() && !rules.IsNull()) {
      if (!rules.IsMap()) return Bad(rules, source, "rules must map a rule id to a severity");
      for (const auto& kv : rules) {
        auto sev = ParseSeverity(kv.second.Scalar());
        if (!sev) return Bad(kv.second, source, sev.error().message());
        p.rules_[kv.first.Scalar()] = *sev;
      }
    }
    if (auto onnx = root["onnx"]; onnx.IsDefined() && !onnx.IsNull()) {
      RAMPART_ASSIGN_OR_RETURN(
          auto d, ScalarList(onnx["standard_domains"], source, "onnx.standard_domains"));
      p.onnx_domains_.insert(d.begin(), d.end());
    }
    if (auto keras = root["keras"]; keras.IsDefined() && !keras.IsNull()) {
      RAMPART_ASSIGN_OR_RETURN(
          auto m, ScalarList(keras["allowed_modules"], source, "keras.allowed_modules"));
      p.keras_modules_.insert(p.keras_modules_.end(), m.begin(), m.end());
    }
    if (auto ext = root["extensions"]; ext.IsDefined() && !ext.IsNull()) {
      if (!ext.IsMap()) return Bad(ext, source, "extensions must map a code to \"module name\"");
      for (const auto& kv : ext) {
        std::int64_t code = 0;
        try {
          code = std::stoll(kv.first.Scalar());
        } catch (...) {
          return Bad(kv.first, source, "extension codes are integers");
        }
        std::string v = kv.second.Scalar();
        auto sp = v.find(' ');
        if (sp == std::string::npos) {
          return Bad(kv.second, source, "an extension is \"module name\" separated by a space");
        }
        p.extensions_[code] = {v.substr(0, sp), v.substr(sp + 1)};
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string(source) + ": " + e.what());
  }
  return p;
}

const Policy& Policy::Default() {
  static const Policy* p = [] {
    auto r = Parse(DefaultPolicyText(), "<default policy>", nullptr);
    // The embedded default is tested; a broken one is a build defect.
    if (!r) {
      std::fprintf(stderr, "rampart: embedded scan policy is invalid: %s\n",
                   r.error().message().c_str());
      std::abort();
    }
    return new Policy(std::move(*r));
  }();
  return *p;
}

Result<Policy> Policy::Load(const std::vector<std::filesystem::path>& files) {
  Policy p = Default();
  for (const auto& f : files) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(f, 16u << 20));
    RAMPART_ASSIGN_OR_RETURN(p, Parse(text, f.string(), &p));
  }
  return p;
}

bool Policy::IsAllowed(std::string_view module, std::string_view name) const {
  if (allow_.contains(Key(module, name))) return true;
  if (allow_modules_.empty()) return false;
  // The module and each of its parents: "a.b.c" is inside "a" and "a.b".
  for (std::size_t i = 0; i <= module.size(); ++i) {
    if ((i == module.size() || module[i] == '.') &&
        allow_modules_.contains(std::string(module.substr(0, i)))) {
      return true;
    }
  }
  return false;
}

std::optional<Severity> Policy::ImportSeverity(std::string_view module,
                                               std::string_view name) const {
  if (IsAllowed(module, name)) return std::nullopt;
  std::optional<Severity> best;
  auto consider = [&](Severity s) {
    if (!best || s > *best) best = s;
  };
  // The module and each of its parents: "a.b.c" matches "a", "a.b", "a.b.c".
  for (std::size_t i = 0; i <= module.size(); ++i) {
    if (i == module.size() || module[i] == '.') {
      auto it = module_severity_.find(std::string(module.substr(0, i)));
      if (it != module_severity_.end()) consider(it->second);
    }
  }
  // The global and each dotted prefix of its name: "getattr.__call__" matches "getattr".
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      auto it = global_severity_.find(Key(module, name.substr(0, i)));
      if (it != global_severity_.end()) consider(it->second);
    }
  }
  return best ? *best : default_import_;
}

Severity Policy::RuleSeverity(std::string_view rule) const {
  auto it = rules_.find(std::string(rule));
  return it == rules_.end() ? Severity::kHigh : it->second;
}

bool Policy::IsStandardOnnxDomain(std::string_view domain) const {
  return onnx_domains_.contains(domain);
}

bool Policy::IsAllowedKerasModule(std::string_view module) const {
  for (const auto& m : keras_modules_) {
    if (module == m ||
        (module.size() > m.size() && module.starts_with(m) && module[m.size()] == '.')) {
      return true;
    }
  }
  return false;
}

std::optional<std::pair<std::string, std::string>> Policy::Extension(std::int64_t code) const {
  auto it = extensions_.find(code);
  if (it == extensions_.end()) return std::nullopt;
  return it->second;
}

std::string_view Policy::embedded_default_text() const { return DefaultPolicyText(); }

}  // namespace rampart::artifacts
