#include "artifacts/keras.h"

#include "core/json.h"

namespace rampart::artifacts {
namespace {

class Walker {
 public:
  Walker(const Policy& policy, std::vector<Issue>& out) : policy_(policy), out_(out) {}

  void Walk(const json::value& v, const std::string& path, int depth) {
    if (depth > 64) return;
    if (v.is_array()) {
      std::size_t i = 0;
      for (const auto& x : v.as_array()) Walk(x, path + "[" + std::to_string(i++) + "]", depth + 1);
      return;
    }
    if (!v.is_object()) return;
    const auto& o = v.as_object();
    std::string class_name, module, registered;
    if (const auto* c = o.if_contains("class_name"); c != nullptr && c->is_string()) {
      class_name = std::string(c->as_string());
    }
    if (const auto* m = o.if_contains("module"); m != nullptr && m->is_string()) {
      module = std::string(m->as_string());
    }
    if (const auto* r = o.if_contains("registered_name"); r != nullptr && r->is_string()) {
      registered = std::string(r->as_string());
    }
    std::string name = path;
    if (const auto* cfg = o.if_contains("config"); cfg != nullptr && cfg->is_object()) {
      if (const auto* n = cfg->as_object().if_contains("name"); n != nullptr && n->is_string()) {
        name = path + " (" + std::string(n->as_string()) + ")";
      }
    }
    if (class_name == "Lambda") {
      std::string what = "a Lambda layer";
      if (const auto* cfg = o.if_contains("config"); cfg != nullptr && cfg->is_object()) {
        if (const auto* fn = cfg->as_object().if_contains("function"); fn != nullptr) {
          if (fn->is_object()) {
            const auto& f = fn->as_object();
            const auto* cn = f.if_contains("class_name");
            if (cn != nullptr && cn->is_string() && cn->as_string() == "__lambda__") {
              what = "a Lambda layer holding marshaled Python bytecode";
            } else if (const auto* fc = f.if_contains("config"); fc != nullptr && fc->is_string()) {
              what = "a Lambda layer calling '" + std::string(fc->as_string()) + "'";
            }
          } else if (fn->is_array()) {
            what = "a Lambda layer holding marshaled Python bytecode (legacy format)";
          } else if (fn->is_string()) {
            what = "a Lambda layer calling '" + std::string(fn->as_string()) + "'";
          }
        }
      }
      out_.push_back(
          {"keras.lambda",
           "config has " + what + " at " + name + "; it runs Python when the model loads",
           std::nullopt, "Lambda", std::nullopt});
    }
    if (!module.empty() && !policy_.IsAllowedKerasModule(module)) {
      std::string symbol = module + (class_name.empty() ? "" : "." + class_name);
      std::optional<Severity> sev;
      // A function reference into a dangerous module is as bad as the import.
      std::string fname = class_name;
      if (class_name == "function") {
        if (const auto* cfg = o.if_contains("config"); cfg != nullptr && cfg->is_string()) {
          fname = std::string(cfg->as_string());
          symbol = module + "." + fname;
        }
      }
      if (auto s = policy_.ImportSeverity(module, fname); s && *s == Severity::kCritical) sev = s;
      out_.push_back({"keras.module",
                      "config at " + name + " names module '" + module +
                          "', outside Keras: loading it imports that Python code",
                      std::nullopt, symbol, sev});
    }
    if (!registered.empty() && module.empty() && registered.find('>') != std::string::npos) {
      out_.push_back({"keras.custom-object",
                      "config at " + name + " uses custom object '" + registered +
                          "', which must be registered in Python code to load",
                      std::nullopt, registered, std::nullopt});
    }
    for (const auto& kv : o) {
      Walk(kv.value(), path + "." + std::string(kv.key()), depth + 1);
    }
  }

 private:
  const Policy& policy_;
  std::vector<Issue>& out_;
};

}  // namespace

std::vector<Issue> CheckKerasConfig(std::string_view text, const Policy& policy) {
  std::vector<Issue> out;
  JsonLimits lim;
  lim.max_bytes = 64u << 20;
  lim.max_depth = 128;
  lim.allow_duplicate_keys = false;
  auto doc = ParseJson(text, lim, "config.json");
  if (!doc) {
    out.push_back({"keras.malformed", "config.json is not valid JSON: " + doc.error().message(),
                   std::nullopt, "", std::nullopt});
    return out;
  }
  Walker(policy, out).Walk(*doc, "$", 0);
  return out;
}

}  // namespace rampart::artifacts
