#include "posture/evidence.h"

#include <algorithm>
#include <charconv>

#include "core/encoding.h"
#include "core/json.h"

namespace rampart::posture {

std::string_view ToString(State s) {
  switch (s) {
    case State::kPass:
      return "pass";
    case State::kFail:
      return "fail";
    case State::kMissing:
      return "missing";
    case State::kStale:
      return "stale";
    case State::kInvalid:
      return "invalid";
    case State::kNotApplicable:
      return "not-applicable";
  }
  return "?";
}

int Severity(State s) {
  switch (s) {
    case State::kNotApplicable:
      return 0;
    case State::kPass:
      return 1;
    case State::kMissing:
      return 2;
    case State::kStale:
      return 3;
    case State::kInvalid:
      return 4;
    case State::kFail:
      return 5;
  }
  return 5;
}

namespace {

std::string Sha256Tag(std::string_view bytes) {
  return "sha256:" + HexEncode(crypto::Sha256(bytes));
}

json::object DetailJson(const Detail& d) {
  json::object o;
  o["message"] = d.message;
  if (!d.where.file.empty()) o["file"] = d.where.file;
  if (d.where.line > 0) o["line"] = d.where.line;
  if (d.where.column > 0) o["column"] = d.where.column;
  return o;
}

}  // namespace

Evidence LiveEvidence(std::string check, std::string source, std::string time, State state,
                      std::string reason, std::vector<Detail> details) {
  Evidence e;
  e.check = std::move(check);
  e.source = std::move(source);
  e.time = std::move(time);
  e.state = state;
  e.reason = std::move(reason);
  e.details = std::move(details);
  json::array arr;
  for (const auto& d : e.details) arr.push_back(DetailJson(d));
  json::object o{{"check", e.check},
                 {"state", std::string(ToString(e.state))},
                 {"reason", e.reason},
                 {"details", std::move(arr)}};
  e.digest = Sha256Tag(CanonicalJson(o));
  return e;
}

Result<std::chrono::seconds> ParseMaxAge(std::string_view s) {
  if (s.size() < 2) return InvalidArgumentError("--max-age: expected e.g. 7d, 12h, 30m, 90s");
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
  if (ec != std::errc() || p != s.data() + s.size() - 1 || n <= 0 || n > 100'000'000)
    return InvalidArgumentError("--max-age: expected a positive number and s, m, h or d: '" +
                                std::string(s) + "'");
  switch (s.back()) {
    case 's':
      return std::chrono::seconds(n);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 'h':
      return std::chrono::seconds(n * 3600);
    case 'd':
      return std::chrono::seconds(n * 86400);
  }
  return InvalidArgumentError("--max-age: the unit is s, m, h or d: '" + std::string(s) + "'");
}

Result<std::string> SignedBytes(std::string_view envelope_json) {
  auto v = ParseJson(envelope_json);
  if (!v) return v.error();
  if (!v->is_object()) return InvalidArgumentError("an evidence envelope is a JSON object");
  json::object o = v->as_object();
  o.erase("signature");
  return CanonicalJson(o);
}

namespace {

std::string Str(const json::value* v) {
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// What one kind's result says, per check. `state` kPass/kFail; kInvalid with
// `reason` when the result does not have the kind's shape.
struct Verdict {
  State state = State::kPass;
  std::string reason;
  std::vector<Detail> details;
  bool silent = false;  // the result says nothing about this check (no evidence for it)
};

Verdict Invalid(std::string reason) { return {State::kInvalid, std::move(reason), {}}; }

Verdict ScanVerdict(const json::object& r) {
  Verdict v;
  if (const auto* runs = r.if_contains("runs")) {  // SARIF
    if (!runs->is_array()) return Invalid("SARIF: runs is not a list");
    for (const auto& run : runs->as_array()) {
      const auto* results = run.is_object() ? run.as_object().if_contains("results") : nullptr;
      if (!results) continue;
      if (!results->is_array()) return Invalid("SARIF: results is not a list");
      for (const auto& res : results->as_array()) {
        if (!res.is_object()) return Invalid("SARIF: a result is not an object");
        const auto& o = res.as_object();
        if (Str(o.if_contains("level")) != "error") continue;
        v.state = State::kFail;
        std::string msg = Str(o.if_contains("ruleId"));
        if (const auto* m = o.if_contains("message"); m && m->is_object())
          msg += ": " + Str(m->as_object().if_contains("text"));
        v.details.push_back({msg, {}});
      }
    }
    if (v.state == State::kFail) v.reason = "the scan reports errors";
    return v;
  }
  const auto* findings = r.if_contains("findings");
  const auto* files = r.if_contains("files");
  if (!findings || !findings->is_array() || !files || !files->is_array())
    return Invalid("not rampart scan output: expected \"findings\" and \"files\" lists");
  if (files->as_array().empty()) return Invalid("the scan covered no file");
  for (const auto& f : findings->as_array()) {
    if (!f.is_object()) return Invalid("a finding is not an object");
    const auto& o = f.as_object();
    std::string sev = Str(o.if_contains("severity"));
    if (sev != "critical" && sev != "high") continue;
    v.state = State::kFail;
    v.details.push_back({Str(o.if_contains("location")) + ": " + sev + ": " +
                             Str(o.if_contains("message")) + " [" + Str(o.if_contains("rule")) +
                             "]",
                         {}});
  }
  for (const auto& f : files->as_array()) {
    if (!f.is_object()) return Invalid("a file entry is not an object");
    const auto& o = f.as_object();
    std::string cov = Str(o.if_contains("coverage"));
    if (cov == "full" || cov == "skipped") continue;
    v.state = State::kFail;
    v.details.push_back(
        {Str(o.if_contains("file")) + ": not inspected in full (coverage " + cov + ")", {}});
  }
  if (v.state == State::kFail) v.reason = "the scan found high or critical problems";
  return v;
}

Verdict OkVerdict(const json::object& r, std::string_view what) {
  const auto* ok = r.if_contains("ok");
  if (!ok || !ok->is_bool()) return Invalid("not " + std::string(what) + " output: no \"ok\"");
  Verdict v;
  if (const auto* p = r.if_contains("problems"); p && p->is_array()) {
    for (const auto& x : p->as_array())
      if (x.is_string()) v.details.push_back({std::string(x.as_string()), {}});
  }
  if (!ok->as_bool()) {
    v.state = State::kFail;
    v.reason = std::string(what) + " failed";
  }
  return v;
}

// Attestation results come in three shapes: the state list
// ({"nodes": [{name, measured_boot, tee}]}, each node with measured_boot, tee
// or both), `rampart node verify --format json` (one node's measured boot),
// and the claims of `rampart attest verify` (one TEE). A result says nothing
// about the check it has no field for.
Verdict AttestationVerdict(const json::object& r, std::string_view check) {
  const bool tee_check = check == "attest.tee";
  Verdict v;
  if (const auto* verified = r.if_contains("verified"); verified && !r.contains("nodes")) {
    std::string node = Str(r.if_contains("node"));
    if (!verified->is_bool() || node.empty())
      return Invalid("not rampart node verify output: expected \"node\" and \"verified\"");
    if (tee_check) {
      v.silent = true;
      return v;
    }
    std::string why = Str(r.if_contains("refusal"));
    if (const auto* d = r.if_contains("drifts"); d && d->is_array())
      for (const auto& x : d->as_array())
        if (x.is_object())
          v.details.push_back({node + ": drift: " + Str(x.as_object().if_contains("what")) + ": " +
                                   Str(x.as_object().if_contains("message")),
                               {}});
    if (verified->as_bool()) {
      v.details.insert(v.details.begin(),
                       {node + ": measured boot verified (quote, logs, golden values of class " +
                            Str(r.if_contains("class")) + ")",
                        {}});
    } else {
      v.state = State::kFail;
      v.reason = "a node's measured boot is not verified";
      if (!why.empty()) v.details.push_back({node + ": refused: " + why, {}});
    }
    return v;
  }
  if (const auto* tee = r.if_contains("tee"); tee && r.contains("measurements")) {
    if (!tee->is_string() || tee->as_string().empty())
      return Invalid("not rampart attest verify output: \"tee\" is not a name");
    if (!tee_check) {
      v.silent = true;
      return v;
    }
    std::string status = Str(r.if_contains("tcb_status"));
    v.details.push_back({"TEE " + std::string(tee->as_string()) + " report verified" +
                             (status.empty() ? "" : " (TCB status " + status + ")"),
                         {}});
    // A debug-mode guest is open to its host: it protects nothing.
    if (const auto* dbg = r.if_contains("debug"); dbg && dbg->is_bool() && dbg->as_bool()) {
      v.state = State::kFail;
      v.reason = "the TEE runs in debug mode: the host can read its memory";
    }
    return v;
  }
  const auto* nodes = r.if_contains("nodes");
  if (!nodes || !nodes->is_array())
    return Invalid(
        "attestation state: no \"nodes\" list (nor rampart node verify or attest verify "
        "output)");
  if (nodes->as_array().empty()) return Invalid("attestation state: no node");
  bool any = false;
  for (const auto& n : nodes->as_array()) {
    if (!n.is_object()) return Invalid("attestation state: a node is not an object");
    const auto& o = n.as_object();
    std::string name = Str(o.if_contains("name"));
    std::string boot = Str(o.if_contains("measured_boot"));
    std::string tee = Str(o.if_contains("tee"));
    if (name.empty() || (boot.empty() && tee.empty()))
      return Invalid("attestation state: a node lacks a name, or both measured_boot and tee");
    std::string mine = tee_check ? tee : boot;
    if (mine.empty()) continue;
    any = true;
    bool ok = tee_check ? tee != "none" : boot == "verified";
    if (!ok) v.state = State::kFail;
    v.details.push_back({name + (tee_check ? ": tee " + tee : ": measured boot " + boot), {}});
  }
  v.silent = !any;
  if (v.state == State::kFail)
    v.reason = tee_check ? "a node runs without a trusted execution environment"
                         : "a node's measured boot is not verified";
  return v;
}

Verdict KindVerdict(std::string_view kind, std::string_view check, const json::object& r) {
  if (kind == "scan") return ScanVerdict(r);
  if (kind == "verify") return OkVerdict(r, "rampart verify");
  if (kind == "ledger-verify") return OkVerdict(r, "rampart ledger verify");
  return AttestationVerdict(r, check);
}

}  // namespace

std::vector<Evidence> EvaluateEvidenceFile(std::string_view bytes, std::string_view name,
                                           const EvidenceContext& ctx, const Controls& controls) {
  Evidence base;
  base.source = std::string(name);
  base.digest = Sha256Tag(bytes);
  auto invalid = [&](std::string reason) {
    Evidence e = base;
    e.state = State::kInvalid;
    e.reason = std::move(reason);
    return e;
  };
  // The checks this file speaks for, once its kind is known.
  auto for_kind = [&](std::string_view kind, const auto& make) {
    std::vector<Evidence> out;
    for (const auto& c : controls.checks)
      if (c.source == CheckSource::kEvidence && c.evidence_kind == kind) {
        Evidence e = make(c.id);
        e.check = c.id;
        out.push_back(std::move(e));
      }
    if (out.empty()) {
      Evidence e = make("");
      e.state = State::kInvalid;
      e.reason = "no check of the controls takes evidence of kind '" + std::string(kind) + "'";
      out.push_back(std::move(e));
    }
    return out;
  };
  auto v = ParseJson(bytes);
  if (!v) return {invalid("malformed JSON: " + v.error().message())};
  if (!v->is_object()) return {invalid("not an evidence envelope: expected a JSON object")};
  const json::object& env = v->as_object();
  const auto* version = env.if_contains("rampart_evidence");
  if (!version || !version->is_int64() || version->as_int64() != 1)
    return {invalid("not an evidence envelope: \"rampart_evidence\": 1 is missing")};
  std::string kind = Str(env.if_contains("kind"));
  if (kind != "scan" && kind != "verify" && kind != "ledger-verify" && kind != "attestation")
    return {invalid("unknown evidence kind '" + kind +
                    "' (expected scan, verify, ledger-verify or attestation)")};
  base.source = std::string(name);
  if (std::string s = Str(env.if_contains("source")); !s.empty()) base.source += " (" + s + ")";
  base.time = Str(env.if_contains("time"));
  auto same = [&](Evidence e) { return [e](const std::string&) { return e; }; };
  // Structure, then binding to this estate, then freshness, then signature.
  Clock::SystemTime t;
  if (!ParseRfc3339(base.time, &t))
    return for_kind(kind, same(invalid("\"time\" is not an RFC 3339 timestamp")));
  std::string estate = Str(env.if_contains("estate"));
  if (estate != ctx.estate_digest)
    return for_kind(kind, same(invalid("evidence for another estate: digest " +
                                       (estate.empty() ? "missing" : estate) + ", this estate " +
                                       ctx.estate_digest)));
  if (t > ctx.now + std::chrono::minutes(5))
    return for_kind(kind, same(invalid("dated in the future (" + base.time + ")")));
  const auto* sig = env.if_contains("signature");
  if (kind == "attestation" && !sig)
    return for_kind(kind, same(invalid("unsigned: attestation evidence must be signed")));
  if (sig) {
    std::string value = sig->is_object() ? Str(sig->as_object().if_contains("value")) : "";
    std::string alg = sig->is_object() ? Str(sig->as_object().if_contains("alg")) : "";
    if (alg != "ed25519" || value.empty())
      return for_kind(kind, same(invalid("signature: expected {\"alg\": \"ed25519\", "
                                         "\"value\": base64}")));
    if (!ctx.key)
      return for_kind(kind, same(invalid("signed, but no --evidence-key to verify it with")));
    auto raw = Base64Decode(value);
    auto signed_bytes = SignedBytes(bytes);
    if (!raw || !signed_bytes ||
        !ctx.key->Verify(crypto::AsBytes(*signed_bytes), crypto::ByteView(raw->data(), raw->size()))
             .ok())
      return for_kind(kind, same(invalid("the signature does not verify with --evidence-key")));
  }
  const auto* result = env.if_contains("result");
  if (!result || !result->is_object())
    return for_kind(kind, same(invalid("\"result\" is missing or not an object")));
  bool stale = ctx.now - t > ctx.max_age;
  std::vector<std::string> silent;
  auto out = for_kind(kind, [&](const std::string& check) {
    Verdict vd = KindVerdict(kind, check, result->as_object());
    if (vd.silent) silent.push_back(check);
    Evidence e = base;
    e.details = std::move(vd.details);
    if (vd.state == State::kInvalid) {
      e.state = State::kInvalid;
      e.reason = vd.reason;
    } else if (stale) {
      e.state = State::kStale;
      e.reason = "expired: produced " + base.time + ", older than the maximum age of " +
                 std::to_string(ctx.max_age.count()) + "s";
    } else {
      e.state = vd.state;
      e.reason = vd.reason;
    }
    return e;
  });
  std::erase_if(out, [&](const Evidence& e) {
    return std::find(silent.begin(), silent.end(), e.check) != silent.end();
  });
  if (out.empty())  // shown, never skipped
    return {invalid("the " + kind + " result says nothing any check of the controls takes")};
  return out;
}

}  // namespace rampart::posture
