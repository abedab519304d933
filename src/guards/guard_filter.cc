#include "guards/guard_filter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "guards/canary.h"
#include "guards/normalize.h"

namespace rampart::guards {
namespace {

bool Listed(const std::vector<std::string>& list, std::string_view v) {
  if (list.empty()) return true;
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& s) { return s == "*" || s == v; });
}

std::string_view View(const json::string& s) { return {s.data(), s.size()}; }

// Calls fn(role, string) for every prompt part of a request body, in order:
// chat messages' content (assistant turns left out), the text of image
// parts, completions' `prompt` (kUser). Obj is json::object or const
// json::object, so one traversal both reads the parts (PromptParts) and
// rewrites them (RedactPlantedInstructions).
//
// The text an image part carries (alt text, caption, title, description, in
// the part or in its `image_url` object) is content from outside, scored as
// indirect (kTool), whoever sent the message.
template <class Obj, class Fn>
void VisitImageText(Obj& part, Fn& fn) {
  const json::value* type = part.if_contains("type");
  if (!type || !type->is_string()) return;
  std::string_view t = View(type->as_string());
  if (t != "image_url" && t != "input_image" && t != "image") return;
  auto fields = [&](auto& o) {
    for (std::string_view k : {"alt", "alt_text", "caption", "title", "description"}) {
      if (auto* v = o.if_contains(k); v && v->is_string()) fn(PromptRole::kTool, v->as_string());
    }
  };
  fields(part);
  if (auto* u = part.if_contains("image_url"); u && u->is_object()) fields(u->as_object());
}

template <class Val, class Fn>
void VisitContent(Val& c, PromptRole role, Fn& fn) {
  if (c.is_string()) {
    fn(role, c.as_string());
  } else if (c.is_array()) {
    for (auto& part : c.as_array()) {
      if (auto* o = part.if_object()) {
        if (auto* t = o->if_contains("text"); t && t->is_string()) fn(role, t->as_string());
        VisitImageText(*o, fn);
      } else if (part.is_string()) {
        fn(role, part.as_string());
      }
    }
  }
}

template <class Obj, class Fn>
void VisitParts(Obj& body, Fn fn) {
  if (auto* m = body.if_contains("messages"); m && m->is_array()) {
    for (auto& v : m->as_array()) {
      auto* o = v.if_object();
      if (!o) continue;
      std::string_view role = "user";
      if (const json::value* r = o->if_contains("role"); r && r->is_string())
        role = View(r->as_string());
      if (role == "assistant") continue;  // the model's own earlier turns
      if (auto* c = o->if_contains("content")) VisitContent(*c, PromptRoleOf(role), fn);
    }
  }
  if (auto* p = body.if_contains("prompt")) VisitContent(*p, PromptRole::kUser, fn);
}

}  // namespace

std::vector<PromptPart> PromptParts(const json::object& body) {
  std::vector<PromptPart> out;
  VisitParts(body, [&](PromptRole role, const json::string& s) { out.push_back({role, View(s)}); });
  return out;
}

std::optional<std::string> RedactPlantedInstructions(
    const json::object& body, const std::array<std::optional<double>, kPromptRoleCount>& t) {
  json::object copy = body;
  std::size_t total = 0;
  VisitParts(copy, [&](PromptRole role, json::string& s) {
    const auto& th = t[static_cast<std::size_t>(role)];
    if (!th) return;
    std::size_t n = 0;
    std::string r = RedactInstructions(View(s), std::isnan(*th) ? kInstructionThreshold : *th,
                                       kInstructionRedaction, &n);
    if (n == 0) return;
    s = r;
    total += n;
  });
  if (total == 0) return std::nullopt;
  return ToJson(copy);
}

RuleVerdict JudgeText(const RuleSet& rules, const RulesPolicy& p, PromptRole role,
                      std::string_view text) {
  return JudgeViews(rules, p, role, ScoringViews(text));
}

RuleVerdict JudgeViews(const RuleSet& rules, const RulesPolicy& p, PromptRole role,
                       const std::vector<std::string>& views) {
  RuleVerdict v;
  // The rules see the folded text and every decoded payload (normalize.h).
  for (const std::string& view : views) {
    for (std::size_t i : rules.Scan(view))
      if (std::find(v.rules.begin(), v.rules.end(), i) == v.rules.end()) v.rules.push_back(i);
  }
  const auto& threshold = p.threshold[static_cast<std::size_t>(role)];
  for (std::size_t i : v.rules) {
    const Rule& r = rules.rule(i);
    v.score = std::max(v.score, SeverityScore(r.severity));
    if (threshold && r.severity >= *threshold &&
        (!v.top || r.severity > rules.rule(*v.top).severity)) {
      v.top = i;
    }
  }
  if (v.top) v.decision = p.action;
  return v;
}

GuardFilter::GuardFilter(GuardsConfig c, std::string canary, std::shared_ptr<const RuleSet> rules,
                         std::shared_ptr<const Classifier> model, std::shared_ptr<AuditSink> audit)
    : config_(std::move(c)),
      canary_(std::move(canary)),
      rules_(std::move(rules)),
      model_(std::move(model)),
      audit_(std::move(audit)) {
  OutputPolicy p = config_.output;
  p.canary = canary_;
  output_ = std::make_unique<OutputGuard>(p);
  for (const OutputOverride& o : config_.overrides) {
    OutputPolicy q = p;
    q.actions = o.actions;
    q.actions[static_cast<std::size_t>(Detector::kCanary)] =
        p.actions[static_cast<std::size_t>(Detector::kCanary)];
    overrides_.push_back(std::make_unique<OutputGuard>(q));
  }
  std::size_t n = rules_ ? rules_->size() : 0;
  rule_hits_ = std::make_unique<std::atomic<std::uint64_t>[]>(n);
}

FilterDecision GuardFilter::OnRequest(const FilterRequest& r) {
  FilterDecision d;
  if (r.json_body == nullptr) return d;
  // Per identity: off skips the prompt guards, monitor flags what would block.
  GuardMode mode = GuardMode::kEnforce;
  if (auto it = config_.identities.find(r.identity); it != config_.identities.end())
    mode = it->second;
  auto effective = [&](Action a) {
    return mode == GuardMode::kMonitor && a == Action::kBlock ? Action::kFlag : a;
  };
  if (mode == GuardMode::kOff) {
    InsertCanaryInto(r, *r.json_body, &d);
    return d;
  }
  const std::vector<PromptPart> parts = PromptParts(*r.json_body);
  // What the rules and the classifier see of each part (normalize.h).
  std::vector<std::vector<std::string>> views;
  views.reserve(parts.size());
  for (const PromptPart& part : parts) views.push_back(ScoringViews(part.text));
  if (rules_ && config_.rules.enabled && rules_->size() > 0) {
    std::optional<std::size_t> worst;
    PromptRole worst_role = PromptRole::kUser;
    bool flagged = false;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const PromptPart& part = parts[k];
      RuleVerdict v = JudgeViews(*rules_, config_.rules, part.role, views[k]);
      for (std::size_t i : v.rules) rule_hits_[i].fetch_add(1, std::memory_order_relaxed);
      if (!v.top) continue;
      flagged = true;
      if (!worst || rules_->rule(*v.top).severity > rules_->rule(*worst).severity) {
        worst = v.top;
        worst_role = part.role;
      }
    }
    if (flagged) {
      const Rule& rule = rules_->rule(*worst);
      Action a = effective(config_.rules.action);
      decisions_[static_cast<std::size_t>(worst_role)][static_cast<std::size_t>(a)].fetch_add(
          1, std::memory_order_relaxed);
      d.annotations.push_back("guard.rule=" + rule.id);
      d.annotations.push_back("guard.role=" + std::string(PromptRoleName(worst_role)));
      d.annotations.push_back("guard.decision=" + std::string(ActionName(a)));
      if (a == Action::kBlock) {
        d.action = FilterDecision::Action::kBlock;
        d.http_status = 403;
        d.code = "prompt_rejected";
        d.message = "the request was refused by a Rampart guard (" +
                    std::string(RuleKindName(rule.kind)) + ")";
        RecordBlock(r, "request", "rule:" + rule.id, SeverityScore(rule.severity));
        return d;
      }
      d.action = FilterDecision::Action::kFlag;
    }
  }
  if (model_) {
    // The classifier, per role with its threshold; the highest score counts.
    double best = 0;
    std::optional<PromptRole> hit;
    const auto* thresholds = &config_.classifier.threshold;
    if (auto it = config_.identity_thresholds.find(r.identity);
        it != config_.identity_thresholds.end())
      thresholds = &it->second;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const PromptPart& part = parts[k];
      const auto& t = (*thresholds)[static_cast<std::size_t>(part.role)];
      if (!t) continue;
      double threshold = std::isnan(*t) ? model_->threshold() : *t;
      double s = model_->ScoreViews(views[k]);
      if (s >= threshold && s >= best) {
        best = s;
        hit = part.role;
      }
    }
    if (hit) {
      Action a = effective(config_.classifier.action);
      decisions_[static_cast<std::size_t>(*hit)][static_cast<std::size_t>(a)].fetch_add(
          1, std::memory_order_relaxed);
      char score[32];
      std::snprintf(score, sizeof score, "%.3f", best);
      d.annotations.push_back(std::string("guard.score=") + score);
      d.annotations.push_back("guard.role=" + std::string(PromptRoleName(*hit)));
      d.annotations.push_back("guard.decision=" + std::string(ActionName(a)));
      if (a == Action::kBlock) {
        d.action = FilterDecision::Action::kBlock;
        d.http_status = 403;
        d.code = "prompt_rejected";
        d.message = "the request was refused by a Rampart guard (prompt injection)";
        RecordBlock(r, "request", "classifier", best);
        return d;
      }
      d.action = FilterDecision::Action::kFlag;
    }
  }
  const InstructionPolicy& ip = config_.instruction;
  if (ip.enabled && ip.action != Action::kOff) {
    // The planted-instruction detector on the roles it judges; the highest
    // segment at or above its role's threshold counts.
    std::optional<InstructionVerdict> best;
    std::size_t best_part = 0;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const auto& t = ip.threshold[static_cast<std::size_t>(parts[k].role)];
      if (!t) continue;
      const double threshold = std::isnan(*t) ? kInstructionThreshold : *t;
      InstructionVerdict v = JudgeInstructions(parts[k].text);
      if (v.score >= threshold && (!best || v.score > best->score)) {
        best = v;
        best_part = k;
      }
    }
    if (best) {
      const PromptRole role = parts[best_part].role;
      Action a = effective(ip.action);
      decisions_[static_cast<std::size_t>(role)][static_cast<std::size_t>(a)].fetch_add(
          1, std::memory_order_relaxed);
      char score[32];
      std::snprintf(score, sizeof score, "%.3f", best->score);
      d.annotations.push_back("guard.detector=instruction");
      d.annotations.push_back(std::string("guard.score=") + score);
      // Which prompt part (in PromptParts order) and where in it.
      d.annotations.push_back("guard.segment=" + std::to_string(best_part) + ":" +
                              std::to_string(best->offset) + "+" + std::to_string(best->length));
      d.annotations.push_back("guard.role=" + std::string(PromptRoleName(role)));
      d.annotations.push_back("guard.decision=" + std::string(ActionName(a)));
      if (a == Action::kBlock) {
        d.action = FilterDecision::Action::kBlock;
        d.http_status = 403;
        d.code = "prompt_rejected";
        d.message =
            "the request was refused by a Rampart guard (instruction planted in outside content)";
        RecordBlock(r, "request", "instruction", best->score);
        return d;
      }
      d.action = FilterDecision::Action::kFlag;
      if (a == Action::kRedact) {
        if (auto body = RedactPlantedInstructions(*r.json_body, ip.threshold)) {
          auto parsed = ParseJson(*body);
          if (parsed && parsed->is_object()) {
            d.replacement_body = std::move(*body);
            InsertCanaryInto(r, parsed->as_object(), &d);
            return d;
          }
        }
      }
    }
  }
  InsertCanaryInto(r, *r.json_body, &d);
  return d;
}

void GuardFilter::InsertCanaryInto(const FilterRequest& r, const json::object& body,
                                   FilterDecision* d) {
  if (!canary_.empty() && r.route == "chat") {
    if (auto replaced = InsertCanary(body, canary_)) {
      d->replacement_body = std::move(*replaced);
      canaries_inserted_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

const OutputGuard& GuardFilter::OutputFor(const FilterRequest& r) const {
  for (std::size_t k = 0; k < config_.overrides.size(); ++k) {
    const OutputOverride& o = config_.overrides[k];
    if (Listed(o.routes, r.route) && Listed(o.models, r.model)) return *overrides_[k];
  }
  return *output_;
}

namespace {

// Records a response block in the ledger when the inner filter ends the body.
class RecordingFilter final : public ResponseFilter {
 public:
  using Record = std::function<void(std::string_view reason)>;
  RecordingFilter(std::unique_ptr<ResponseFilter> inner, Record record)
      : inner_(std::move(inner)), record_(std::move(record)) {}
  bool Feed(std::string_view in, std::string* out) override {
    bool go_on = inner_->Feed(in, out);
    if (!go_on) Report();
    return go_on;
  }
  void Finish(std::string* out) override {
    inner_->Finish(out);
    if (!inner_->blocked_reason().empty()) Report();  // a JSON body replaced at the end
  }
  std::string_view blocked_reason() const override { return inner_->blocked_reason(); }

 private:
  void Report() {
    if (reported_) return;
    reported_ = true;
    record_(inner_->blocked_reason());
  }
  std::unique_ptr<ResponseFilter> inner_;
  Record record_;
  bool reported_ = false;
};

}  // namespace

void GuardFilter::RecordBlock(const FilterRequest& r, std::string_view stage, std::string reason,
                              std::optional<double> score) {
  if (!audit_) return;
  AuditEvent e;
  e.type = "guard.blocked";
  e.actor = std::string(r.identity);
  e.time = std::chrono::system_clock::now();
  e.fields["stage"] = std::string(stage);
  e.fields["reason"] = std::move(reason);
  if (!r.request_id.empty()) e.fields["request_id"] = std::string(r.request_id);
  if (!r.route.empty()) e.fields["route"] = std::string(r.route);
  if (!r.model.empty()) e.fields["model"] = std::string(r.model);
  if (score) e.fields["score"] = *score;
  Status s = audit_->Append(std::move(e));
  if (!s.ok()) spdlog::warn("guards: cannot record a block in the ledger: {}", s.message());
}

std::unique_ptr<ResponseFilter> GuardFilter::OnResponse(const FilterRequest& r, int status,
                                                        std::string_view content_type) {
  auto f = OutputFor(r).NewFilter(status, content_type);
  if (!f || !audit_) return f;
  // The view's strings live for this call only: keep copies for the record.
  auto keep = std::make_shared<std::array<std::string, 4>>(
      std::array<std::string, 4>{std::string(r.identity), std::string(r.request_id),
                                 std::string(r.route), std::string(r.model)});
  return std::make_unique<RecordingFilter>(std::move(f), [this, keep](std::string_view why) {
    FilterRequest v;
    v.identity = (*keep)[0];
    v.request_id = (*keep)[1];
    v.route = (*keep)[2];
    v.model = (*keep)[3];
    std::string reason(why);
    if (reason.starts_with("guard blocked: ")) reason.erase(0, 15);
    RecordBlock(v, "response", reason, std::nullopt);
  });
}

GuardTotals GuardFilter::Totals() const {
  GuardTotals t = carried_;
  auto add = [&](const OutputGuard& g) {
    for (std::size_t k = 0; k < kDetectorCount; ++k)
      for (std::size_t a = 0; a < kActionCount; ++a)
        t.output[k][a] += g.counters().matches[k][a].load(std::memory_order_relaxed);
    t.blocked_responses += g.counters().blocked_responses.load(std::memory_order_relaxed);
  };
  add(*output_);
  for (const auto& o : overrides_) add(*o);
  t.canaries_inserted += canaries_inserted_.load(std::memory_order_relaxed);
  for (std::size_t role = 0; role < kPromptRoleCount; ++role)
    for (std::size_t a = 0; a < kActionCount; ++a)
      t.decisions[role][a] += decisions_[role][a].load(std::memory_order_relaxed);
  if (rules_) {
    for (std::size_t i = 0; i < rules_->size(); ++i) {
      std::uint64_t n = rule_hits_[i].load(std::memory_order_relaxed);
      if (n != 0) t.rule_hits[rules_->rule(i).id] += n;
    }
  }
  return t;
}

void GuardFilter::Carry(const GuardTotals& t) {
  for (std::size_t k = 0; k < kDetectorCount; ++k)
    for (std::size_t a = 0; a < kActionCount; ++a) carried_.output[k][a] += t.output[k][a];
  carried_.blocked_responses += t.blocked_responses;
  carried_.canaries_inserted += t.canaries_inserted;
  for (std::size_t role = 0; role < kPromptRoleCount; ++role)
    for (std::size_t a = 0; a < kActionCount; ++a)
      carried_.decisions[role][a] += t.decisions[role][a];
  for (const auto& [id, n] : t.rule_hits) carried_.rule_hits[id] += n;
}

void GuardFilter::RenderMetrics(std::string* out) const {
  const GuardTotals t = Totals();
  out->append(
      "# HELP rampart_guard_output_matches_total Detector matches in responses, by action "
      "taken.\n# TYPE rampart_guard_output_matches_total counter\n");
  for (std::size_t k = 0; k < kDetectorCount; ++k) {
    for (std::size_t a = 1; a < kActionCount; ++a) {
      if (t.output[k][a] == 0) continue;
      out->append("rampart_guard_output_matches_total{detector=\"" +
                  std::string(DetectorName(static_cast<Detector>(k))) + "\",action=\"" +
                  std::string(ActionName(static_cast<Action>(a))) + "\"} " +
                  std::to_string(t.output[k][a]) + "\n");
    }
  }
  out->append(
      "# HELP rampart_guard_blocked_responses_total Responses a guard ended.\n"
      "# TYPE rampart_guard_blocked_responses_total counter\n"
      "rampart_guard_blocked_responses_total " +
      std::to_string(t.blocked_responses) + "\n");
  out->append(
      "# HELP rampart_guard_canaries_inserted_total Chat requests given the canary.\n"
      "# TYPE rampart_guard_canaries_inserted_total counter\n"
      "rampart_guard_canaries_inserted_total " +
      std::to_string(t.canaries_inserted) + "\n");
  out->append(
      "# HELP rampart_guard_prompt_decisions_total Requests the rules flagged or blocked, by "
      "role.\n# TYPE rampart_guard_prompt_decisions_total counter\n");
  for (std::size_t role = 0; role < kPromptRoleCount; ++role) {
    for (std::size_t a = 1; a < kActionCount; ++a) {
      std::uint64_t n = t.decisions[role][a];
      if (n == 0) continue;
      out->append("rampart_guard_prompt_decisions_total{role=\"" +
                  std::string(PromptRoleName(static_cast<PromptRole>(role))) + "\",decision=\"" +
                  std::string(ActionName(static_cast<Action>(a))) + "\"} " + std::to_string(n) +
                  "\n");
    }
  }
  if (!t.rule_hits.empty() || (rules_ && rules_->size() > 0)) {
    out->append(
        "# HELP rampart_guard_rule_hits_total Prompt parts each rule matched.\n"
        "# TYPE rampart_guard_rule_hits_total counter\n");
    for (const auto& [id, n] : t.rule_hits)
      out->append("rampart_guard_rule_hits_total{rule=\"" + id + "\"} " + std::to_string(n) + "\n");
  }
}

}  // namespace rampart::guards
