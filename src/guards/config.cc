#include "guards/config.h"

#include <algorithm>
#include <cstdlib>

#include "core/yaml.h"

namespace rampart::guards {
namespace {

constexpr std::string_view kCode = "gateway";
const std::vector<std::string> kActions = {"off", "flag", "redact", "block"};
const std::vector<std::string> kSeverityOrOff = {"low", "medium", "high", "critical", "off"};

std::vector<std::string> DetectorNames() {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < kDetectorCount; ++k)
    out.emplace_back(DetectorName(static_cast<Detector>(k)));
  return out;
}

// Reads `secrets`, `personal_data` and `detectors` of a mapping into *a.
void ReadActions(YamlFields& f, Diagnostics* diags, std::array<Action, kDetectorCount>* a) {
  if (auto v = f.Enum("secrets", kActions)) {
    for (std::size_t k = 0; k < kDetectorCount; ++k) {
      auto d = static_cast<Detector>(k);
      if (IsSecret(d) && d != Detector::kCanary) (*a)[k] = *ActionByName(*v);
    }
  }
  if (auto v = f.Enum("personal_data", kActions)) {
    for (std::size_t k = 0; k < kDetectorCount; ++k) {
      if (!IsSecret(static_cast<Detector>(k))) (*a)[k] = *ActionByName(*v);
    }
  }
  if (YAML::Node d = f.Node("detectors")) {
    if (!d.IsMap()) {
      diags->Error(f.Where("detectors"), "gateway.guards",
                   "detectors must map detector names to actions");
      return;
    }
    YamlFields df(d, f.file(), diags, "gateway.guards detectors", std::string(kCode));
    for (const std::string& name : DetectorNames()) {
      if (name == "canary") continue;  // canary.action
      if (auto v = df.Enum(name, kActions))
        (*a)[static_cast<std::size_t>(*DetectorByName(name))] = *ActionByName(*v);
    }
    df.CheckUnknown();
  }
}

}  // namespace

std::string_view PromptRoleName(PromptRole r) {
  static constexpr std::array<std::string_view, kPromptRoleCount> k = {"user", "tool", "system"};
  return k[static_cast<std::size_t>(r)];
}

PromptRole PromptRoleOf(std::string_view role) {
  if (role == "tool" || role == "function" || role == "document" || role == "retrieved")
    return PromptRole::kTool;
  if (role == "system" || role == "developer") return PromptRole::kSystem;
  return PromptRole::kUser;
}

GuardsConfig DefaultGuardsConfig() {
  GuardsConfig c;
  for (std::size_t k = 0; k < kDetectorCount; ++k) {
    c.output.actions[k] = IsSecret(static_cast<Detector>(k)) ? Action::kRedact : Action::kFlag;
  }
  c.output.actions[static_cast<std::size_t>(Detector::kCanary)] = Action::kBlock;
  return c;
}

Result<GuardsConfig> LoadGuardsConfig(const estate::Estate& e, Diagnostics* diags) {
  GuardsConfig c = DefaultGuardsConfig();
  const estate::Section* sec = e.FindSection("gateway");
  if (sec == nullptr || !sec->node.IsMap()) return c;
  YAML::Node g = sec->node["guards"];
  if (!g.IsDefined()) return c;
  std::size_t errors_before = diags->error_count();
  const std::string& file = sec->file;
  std::filesystem::path base = std::filesystem::path(file).parent_path();
  c.enabled = true;
  if (g.IsNull()) return c;
  YamlFields f(g, file, diags, "gateway.guards", std::string(kCode));
  if (f.ok()) {
    if (auto v = f.Bool("enabled")) c.enabled = *v;
    if (YAML::Node o = f.Node("output")) {
      YamlFields of(o, file, diags, "gateway.guards.output", std::string(kCode));
      if (of.ok()) {
        ReadActions(of, diags, &c.output.actions);
        if (auto v = of.Int("hold_back_bytes", false, 64, 1 << 20)) c.output.max_hold_back = *v;
        if (auto v = of.Int("max_json_body_bytes", false, 0, 64 << 20)) c.output.max_json_body = *v;
        if (auto v = of.Int("max_event_bytes", false, 1024, 64 << 20))
          c.output.max_event_bytes = *v;
        if (YAML::Node ov = of.Node("overrides")) {
          if (!ov.IsSequence()) {
            diags->Error(of.Where("overrides"), "gateway.guards",
                         "overrides must be a sequence of {routes, models, ...actions}");
          } else {
            for (const YAML::Node& n : ov) {
              YamlFields xf(n, file, diags, "gateway.guards.output override", std::string(kCode));
              if (!xf.ok()) continue;
              OutputOverride x;
              x.where = xf.Where();
              x.actions = c.output.actions;
              x.routes = xf.StringList("routes").value_or(std::vector<std::string>{});
              x.models = xf.StringList("models").value_or(std::vector<std::string>{});
              ReadActions(xf, diags, &x.actions);
              xf.CheckUnknown();
              c.overrides.push_back(std::move(x));
            }
          }
        }
        of.CheckUnknown();
      }
    }
    if (YAML::Node k = f.Node("canary")) {
      YamlFields kf(k, file, diags, "gateway.guards.canary", std::string(kCode));
      if (kf.ok()) {
        if (auto v = kf.Bool("enabled")) c.canary = *v;
        if (auto v = kf.String("token")) c.canary_token = *v;
        if (auto v = kf.Enum("action", {"block", "flag"}))
          c.output.actions[static_cast<std::size_t>(Detector::kCanary)] = *ActionByName(*v);
        kf.CheckUnknown();
      }
    }
    if (YAML::Node r = f.Node("rules")) {
      YamlFields rf(r, file, diags, "gateway.guards.rules", std::string(kCode));
      if (rf.ok()) {
        if (auto v = rf.Bool("enabled")) c.rules.enabled = *v;
        if (auto v = rf.Bool("builtin")) c.rules.builtin = *v;
        if (auto v = rf.StringList("packs")) {
          for (const auto& p : *v) {
            std::filesystem::path path(p);
            c.rules.packs.push_back(path.is_absolute() ? path : base / path);
          }
        }
        if (auto v = rf.Enum("action", {"block", "flag"})) c.rules.action = *ActionByName(*v);
        if (YAML::Node t = rf.Node("thresholds")) {
          YamlFields tf(t, file, diags, "gateway.guards.rules.thresholds", std::string(kCode));
          if (tf.ok()) {
            for (std::size_t k = 0; k < kPromptRoleCount; ++k) {
              auto role = static_cast<PromptRole>(k);
              if (auto v = tf.Enum(PromptRoleName(role), kSeverityOrOff)) {
                c.rules.threshold[k] =
                    *v == "off" ? std::nullopt : std::optional(*RuleSeverityByName(*v));
              }
            }
            tf.CheckUnknown();
          }
        }
        rf.CheckUnknown();
      }
    }
    // A `{user|tool|system: NUMBER|model|off}` mapping into *out; roles not
    // named keep their value.
    auto read_thresholds = [&](const YAML::Node& t, const std::string& path,
                               std::array<std::optional<double>, kPromptRoleCount>* out) {
      YamlFields tf(t, file, diags, path, std::string(kCode));
      if (!tf.ok()) return;
      for (std::size_t r = 0; r < kPromptRoleCount; ++r) {
        std::string_view role = PromptRoleName(static_cast<PromptRole>(r));
        auto v = tf.String(role);
        if (!v) continue;
        if (*v == "off") {
          (*out)[r] = std::nullopt;
        } else if (*v == "model") {
          (*out)[r] = std::numeric_limits<double>::quiet_NaN();
        } else {
          char* end = nullptr;
          double d = std::strtod(v->c_str(), &end);
          if (end == v->c_str() || *end != '\0' || !(d >= 0.0 && d <= 1.0)) {
            const bool instruction = path.find(".instruction.") != std::string::npos;
            diags->Error(tf.Where(role), "gateway.range",
                         std::string(instruction ? "instruction" : "classifier") +
                             " threshold must be a number in [0, 1], `model` or `off`, got '" + *v +
                             "'");
          } else {
            (*out)[r] = d;
          }
        }
      }
      tf.CheckUnknown();
    };
    if (YAML::Node k = f.Node("classifier")) {
      YamlFields kf(k, file, diags, "gateway.guards.classifier", std::string(kCode));
      if (kf.ok()) {
        if (auto v = kf.String("model", true)) {
          std::filesystem::path path(*v);
          c.classifier.model = path.is_absolute() ? path : base / path;
        }
        if (auto v = kf.Enum("action", {"block", "flag"})) c.classifier.action = *ActionByName(*v);
        if (YAML::Node t = kf.Node("thresholds"))
          read_thresholds(t, "gateway.guards.classifier.thresholds", &c.classifier.threshold);
        kf.CheckUnknown();
      }
    }
    if (YAML::Node k = f.Node("instruction")) {
      YamlFields kf(k, file, diags, "gateway.guards.instruction", std::string(kCode));
      if (kf.ok()) {
        if (auto v = kf.Bool("enabled")) c.instruction.enabled = *v;
        if (auto v = kf.Enum("action", kActions)) c.instruction.action = *ActionByName(*v);
        if (YAML::Node t = kf.Node("thresholds"))
          read_thresholds(t, "gateway.guards.instruction.thresholds", &c.instruction.threshold);
        kf.CheckUnknown();
      }
    }
    if (YAML::Node ids = f.Node("identities")) {
      if (!ids.IsMap()) {
        diags->Error(f.Where("identities"), "gateway.guards",
                     "identities must map identity names to {mode: enforce|monitor|off, "
                     "classifier_thresholds: {user|tool|system: NUMBER|model|off}}");
      } else {
        for (const auto& kv : ids) {
          std::string name = kv.first.as<std::string>("");
          YamlFields idf(kv.second, file, diags, "gateway.guards.identities." + name,
                         std::string(kCode));
          if (!idf.ok()) continue;
          bool known = std::any_of(e.identities.begin(), e.identities.end(),
                                   [&](const auto& i) { return i.name == name; });
          if (!known) {
            diags->Error(
                idf.Where(), "gateway.unknown-identity",
                "gateway.guards.identities: '" + name + "' is not an identity of the estate",
                "add it to `identities:` or fix the name");
          }
          if (YAML::Node t = idf.Node("classifier_thresholds")) {
            auto th = c.classifier.threshold;
            read_thresholds(t, "gateway.guards.identities." + name + ".classifier_thresholds", &th);
            c.identity_thresholds[name] = th;
          }
          const bool need_mode = c.identity_thresholds.count(name) == 0;
          if (auto v = idf.Enum("mode", {"enforce", "monitor", "off"}, need_mode)) {
            c.identities[name] = *v == "off"       ? GuardMode::kOff
                                 : *v == "monitor" ? GuardMode::kMonitor
                                                   : GuardMode::kEnforce;
          }
          idf.CheckUnknown();
        }
      }
    }
    f.CheckUnknown();
  }
  if (!c.canary) c.output.actions[static_cast<std::size_t>(Detector::kCanary)] = Action::kOff;
  if (diags->error_count() > errors_before) {
    return InvalidArgumentError("gateway.guards has " +
                                std::to_string(diags->error_count() - errors_before) +
                                " error(s):\n" + diags->ToString());
  }
  return c;
}

Result<std::shared_ptr<const RuleSet>> LoadRules(const RulesPolicy& p, Diagnostics* diags) {
  std::vector<Rule> rules;
  std::size_t errors_before = diags->error_count();
  if (p.builtin) {
    RAMPART_RETURN_IF_ERROR(
        ParseRulePack(DefaultRulePackText(), kDefaultRulePackName, &rules, diags));
  }
  for (const auto& pack : p.packs) {
    Status s = LoadRulePack(pack, &rules, diags);
    if (!s.ok()) diags->Error(SourceLocation{pack.string(), 0, 0}, "guards.rule-pack", s.message());
  }
  if (diags->error_count() > errors_before) {
    return InvalidArgumentError("rule packs have " +
                                std::to_string(diags->error_count() - errors_before) +
                                " error(s):\n" + diags->ToString());
  }
  return RuleSet::Compile(std::move(rules), diags);
}

}  // namespace rampart::guards
