// Unit tests of the posture pillar: the controls loader, each check, the
// evidence envelope's validation, aggregation and the reports.
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "estate/loader.h"
#include "posture/assess.h"
#include "posture/controls.h"
#include "posture/diff.h"
#include "posture/evidence.h"
#include "posture/report.h"

namespace rampart::posture {
namespace {

const Controls& Default() {
  static const Controls c = [] {
    Diagnostics d;
    auto r = LoadControls(DefaultControlsText(), "controls.yaml", &d);
    EXPECT_TRUE(r.has_value()) << d.ToString();
    return *r;
  }();
  return c;
}

Clock::SystemTime T(const char* s) {
  Clock::SystemTime t;
  EXPECT_TRUE(ParseRfc3339(s, &t)) << s;
  return t;
}

constexpr const char* kDigest = "sha256:aaaa";

EvidenceContext Ctx() {
  EvidenceContext c;
  c.estate_digest = kDigest;
  c.now = T("2026-12-07T00:00:00Z");
  return c;
}

std::string Envelope(const std::string& kind, const std::string& result,
                     const std::string& time = "2026-12-06T00:00:00Z",
                     const std::string& estate = kDigest) {
  return R"({"rampart_evidence": 1, "kind": ")" + kind + R"(", "estate": ")" + estate +
         R"(", "time": ")" + time + R"(", "source": "test", "result": )" + result + "}";
}

std::vector<Evidence> Eval(const std::string& bytes, const EvidenceContext& ctx = Ctx()) {
  return EvaluateEvidenceFile(bytes, "e.json", ctx, Default());
}

const Evidence* For(const std::vector<Evidence>& v, std::string_view check) {
  for (const auto& e : v)
    if (e.check == check) return &e;
  return nullptr;
}

// ---- controls -----------------------------------------------------------------

TEST(Controls, DefaultMatrixIsSixLayersByFourControls) {
  const Controls& c = Default();
  ASSERT_EQ(c.layers.size(), 6u);
  ASSERT_EQ(c.controls.size(), 4u);
  ASSERT_EQ(c.cells.size(), 24u);
  EXPECT_EQ(c.layers[0].name, "Training data protection");
  EXPECT_EQ(c.controls[1].name, "Confidential computing");
  for (const auto& cell : c.cells) {
    EXPECT_FALSE(cell.checks.empty());
    EXPECT_FALSE(cell.threat.empty());
    for (const auto& id : cell.checks) EXPECT_NE(c.FindCheck(id), nullptr) << id;
  }
  // Each check maps to at least one framework, with reasoning.
  for (const auto& chk : c.checks) {
    EXPECT_FALSE(chk.mappings.empty()) << chk.id;
    for (const auto& m : chk.mappings) EXPECT_FALSE(m.why.empty()) << chk.id;
  }
  EXPECT_EQ(c.FindCell("hardware", "confidential-computing")->importance, Importance::kEssential);
}

TEST(Controls, UnknownCheckAndMissingCellAreErrorsWithLines) {
  std::string text = R"(version: 1
layers:
  - {id: a, name: A, applies_when: {always: true}}
controls:
  - {id: x, name: X, cost: c, threat: t}
  - {id: y, name: Y, cost: c, threat: t}
cells:
  - {layer: a, control: x, importance: essential, threat: t, checks: [zones.invariant]}
checks:
  - {id: zones.invariants, title: T, source: live}
)";
  Diagnostics d;
  auto r = LoadControls(text, "c.yaml", &d);
  ASSERT_FALSE(r.has_value());
  std::string all = d.ToString();
  EXPECT_NE(all.find("c.yaml:8:"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown check 'zones.invariant'"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'zones.invariants'"), std::string::npos) << all;
  EXPECT_NE(all.find("no cell for layer 'a' x control 'y'"), std::string::npos) << all;
}

TEST(Controls, UnknownKeyAndBadImportanceAreErrors) {
  std::string text = R"(version: 1
layers: [{id: a, name: A, applies_when: {always: true}}]
controls: [{id: x, name: X, cost: c, threat: t, colour: red}]
cells: [{layer: a, control: x, importance: vital, threat: t, checks: [c1]}]
checks: [{id: c1, title: T, source: live}]
)";
  Diagnostics d;
  EXPECT_FALSE(LoadControls(text, "c.yaml", &d).has_value());
  std::string all = d.ToString();
  EXPECT_NE(all.find("colour"), std::string::npos) << all;
  EXPECT_NE(all.find("vital"), std::string::npos) << all;
}

// ---- evidence envelopes --------------------------------------------------------

TEST(Evidence, CleanScanPasses) {
  auto v = Eval(Envelope("scan", R"({"findings": [], "files": [{"file": "m.safetensors",
      "format": "safetensors", "bytes": 10, "coverage": "full", "findings": 0}]})"));
  const Evidence* e = For(v, "artifacts.scan");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->state, State::kPass) << e->reason;
  EXPECT_EQ(e->time, "2026-12-06T00:00:00Z");
  EXPECT_EQ(e->digest.rfind("sha256:", 0), 0u);
  EXPECT_EQ(e->digest.size(), 7u + 64u);
}

TEST(Evidence, CriticalFindingOrPartialCoverageFails) {
  auto v = Eval(Envelope("scan", R"({"findings": [{"location": "m.pt!data.pkl",
      "severity": "critical", "rule": "pickle.import", "message": "imports posix.system"}],
      "files": [{"file": "m.pt", "coverage": "full"}]})"));
  ASSERT_NE(For(v, "artifacts.scan"), nullptr);
  EXPECT_EQ(For(v, "artifacts.scan")->state, State::kFail);
  ASSERT_EQ(For(v, "artifacts.scan")->details.size(), 1u);
  EXPECT_NE(For(v, "artifacts.scan")->details[0].message.find("posix.system"), std::string::npos);

  v = Eval(
      Envelope("scan", R"({"findings": [], "files": [{"file": "x.bin", "coverage": "none"}]})"));
  EXPECT_EQ(For(v, "artifacts.scan")->state, State::kFail);
  // Low findings do not fail the check.
  v = Eval(Envelope("scan", R"({"findings": [{"severity": "low"}], "files": [{"file": "a",
      "coverage": "full"}]})"));
  EXPECT_EQ(For(v, "artifacts.scan")->state, State::kPass);
}

TEST(Evidence, SarifScanWithErrorFails) {
  auto v = Eval(Envelope("scan", R"({"version": "2.1.0", "runs": [{"results": [
      {"ruleId": "pickle.import", "level": "error", "message": {"text": "bad"}}]}]})"));
  EXPECT_EQ(For(v, "artifacts.scan")->state, State::kFail);
  v = Eval(Envelope("scan", R"({"version": "2.1.0", "runs": [{"results": [
      {"ruleId": "scan.skipped", "level": "note", "message": {"text": "ok"}}]}]})"));
  EXPECT_EQ(For(v, "artifacts.scan")->state, State::kPass);
}

TEST(Evidence, VerifyAndLedgerVerifyReadOk) {
  EXPECT_EQ(For(Eval(Envelope("verify", R"({"ok": true})")), "artifacts.signatures")->state,
            State::kPass);
  auto v = Eval(Envelope("ledger-verify", R"({"ok": false, "entries": 9, "checkpoints": 2,
      "problems": ["entry 4 does not match checkpoint 2"]})"));
  const Evidence* e = For(v, "ledger.verify");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->state, State::kFail);
  ASSERT_EQ(e->details.size(), 1u);
  // Not the tool's shape: invalid, not fail and not pass.
  EXPECT_EQ(For(Eval(Envelope("verify", R"({"verified": "yes"})")), "artifacts.signatures")->state,
            State::kInvalid);
}

TEST(Evidence, MalformedFilesAreInvalidWithReason) {
  for (const char* bad : {"{not json", "[1, 2]", R"({"kind": "scan"})",
                          R"({"rampart_evidence": 1, "kind": "magic"})"}) {
    auto v = Eval(bad);
    ASSERT_EQ(v.size(), 1u) << bad;
    EXPECT_EQ(v[0].state, State::kInvalid) << bad;
    EXPECT_EQ(v[0].check, "") << bad;
    EXPECT_FALSE(v[0].reason.empty()) << bad;
  }
  EXPECT_NE(Eval("{not json")[0].reason.find("malformed JSON"), std::string::npos);
  auto v = Eval(Envelope("verify", R"("text")"));
  EXPECT_EQ(For(v, "artifacts.signatures")->state, State::kInvalid);
  v = Eval(Envelope("verify", R"({"ok": true})", "yesterday"));
  EXPECT_EQ(For(v, "artifacts.signatures")->state, State::kInvalid);
  EXPECT_NE(For(v, "artifacts.signatures")->reason.find("RFC 3339"), std::string::npos);
}

TEST(Evidence, AnotherEstateIsInvalid) {
  auto v = Eval(Envelope("verify", R"({"ok": true})", "2026-12-06T00:00:00Z", "sha256:bbbb"));
  const Evidence* e = For(v, "artifacts.signatures");
  EXPECT_EQ(e->state, State::kInvalid);
  EXPECT_NE(e->reason.find("another estate"), std::string::npos) << e->reason;
}

TEST(Evidence, ExpiredIsStaleAndFutureIsInvalid) {
  auto v = Eval(Envelope("verify", R"({"ok": true})", "2026-11-01T00:00:00Z"));
  const Evidence* e = For(v, "artifacts.signatures");
  EXPECT_EQ(e->state, State::kStale);
  EXPECT_NE(e->reason.find("expired"), std::string::npos);
  // A failing result that is also expired is still not a pass.
  v = Eval(Envelope("verify", R"({"ok": false})", "2026-11-01T00:00:00Z"));
  EXPECT_NE(For(v, "artifacts.signatures")->state, State::kPass);
  auto ctx = Ctx();
  ctx.max_age = std::chrono::hours(1);
  EXPECT_EQ(For(Eval(Envelope("verify", R"({"ok": true})", "2026-12-06T22:00:00Z"), ctx),
                "artifacts.signatures")
                ->state,
            State::kStale);
  EXPECT_EQ(For(Eval(Envelope("verify", R"({"ok": true})", "2026-12-08T00:00:00Z")),
                "artifacts.signatures")
                ->state,
            State::kInvalid);
}

std::string Sign(const std::string& envelope, const crypto::PrivateKey& key) {
  auto bytes = SignedBytes(envelope);
  EXPECT_TRUE(bytes.has_value());
  auto sig = key.Sign(crypto::AsBytes(*bytes));
  EXPECT_TRUE(sig.has_value());
  std::string out = envelope;
  out.pop_back();  // the closing brace
  return out + R"(, "signature": {"alg": "ed25519", "value": ")" + Base64Encode(*sig) + "\"}}";
}

constexpr const char* kNodes =
    R"({"nodes": [{"name": "gpu-1", "measured_boot": "verified", "tee": "tdx"},
                  {"name": "gpu-2", "measured_boot": "failed", "tee": "none"}]})";

TEST(Evidence, AttestationMustBeSigned) {
  auto v = Eval(Envelope("attestation", kNodes));
  ASSERT_EQ(v.size(), 2u);  // attest.nodes and attest.tee
  for (const auto& e : v) {
    EXPECT_EQ(e.state, State::kInvalid);
    EXPECT_NE(e.reason.find("unsigned"), std::string::npos);
  }
}

TEST(Evidence, SignedAttestationVerifiesAndIsJudgedPerCheck) {
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  ASSERT_TRUE(key.has_value());
  std::string signed_env = Sign(Envelope("attestation", kNodes), *key);
  // Signed, no key to check it: invalid.
  EXPECT_EQ(For(Eval(signed_env), "attest.nodes")->state, State::kInvalid);
  auto ctx = Ctx();
  ctx.key = key->public_key();
  auto v = Eval(signed_env, ctx);
  EXPECT_EQ(For(v, "attest.nodes")->state, State::kFail);  // gpu-2 measured boot failed
  EXPECT_EQ(For(v, "attest.tee")->state, State::kFail);    // gpu-2 without a TEE
  std::string good = Sign(Envelope("attestation", R"({"nodes": [{"name": "gpu-1",
      "measured_boot": "verified", "tee": "tdx"}]})"),
                          *key);
  v = Eval(good, ctx);
  EXPECT_EQ(For(v, "attest.nodes")->state, State::kPass);
  EXPECT_EQ(For(v, "attest.tee")->state, State::kPass);
  // Another key, or a byte changed after signing: invalid.
  auto other = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  ctx.key = other->public_key();
  EXPECT_EQ(For(Eval(good, ctx), "attest.nodes")->state, State::kInvalid);
  ctx.key = key->public_key();
  std::string tampered = good;
  tampered.replace(tampered.find("gpu-1"), 5, "gpu-9");
  EXPECT_EQ(For(Eval(tampered, ctx), "attest.nodes")->state, State::kInvalid);
}

// The outputs of `rampart node verify --format json` and `rampart attest
// verify` are attestation results too: each speaks for the one check it has a
// field for, and is absent from the other.
TEST(Evidence, ToolOutputsSpeakForTheirOwnCheck) {
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  ASSERT_TRUE(key.has_value());
  auto ctx = Ctx();
  ctx.key = key->public_key();
  auto node = Eval(Sign(Envelope("attestation", R"({"node": "gpu-01", "class": "gpu-training",
      "verified": true, "drifts": [], "facts": {}})"),
                        *key),
                   ctx);
  ASSERT_EQ(node.size(), 1u);
  EXPECT_EQ(node[0].check, "attest.nodes");
  EXPECT_EQ(node[0].state, State::kPass);
  auto drifted = Eval(Sign(Envelope("attestation", R"({"node": "gpu-01", "verified": false,
      "drifts": [{"what": "kernel", "message": "digest not in golden values"}]})"),
                           *key),
                      ctx);
  ASSERT_EQ(drifted.size(), 1u);
  EXPECT_EQ(drifted[0].state, State::kFail);
  ASSERT_FALSE(drifted[0].details.empty());
  EXPECT_NE(drifted[0].details[0].message.find("kernel"), std::string::npos);
  auto tee = Eval(Sign(Envelope("attestation", R"({"tee": "snp", "tcb_status": "UpToDate",
      "measurements": {"measurement": "00"}})"),
                       *key),
                  ctx);
  ASSERT_EQ(tee.size(), 1u);
  EXPECT_EQ(tee[0].check, "attest.tee");
  EXPECT_EQ(tee[0].state, State::kPass);
  auto debug = Eval(Sign(Envelope("attestation", R"({"tee": "snp", "debug": true,
      "measurements": {"measurement": "00"}})"),
                         *key),
                    ctx);
  ASSERT_EQ(debug.size(), 1u);
  EXPECT_EQ(debug[0].state, State::kFail);
  EXPECT_NE(debug[0].reason.find("debug"), std::string::npos);
  // A state list naming only TEEs says nothing about measured boot.
  auto list = Eval(
      Sign(Envelope("attestation", R"({"nodes": [{"name": "cvm-1", "tee": "tdx"}]})"), *key), ctx);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].check, "attest.tee");
  // Malformed tool output is invalid, for both checks.
  auto bad = Eval(Sign(Envelope("attestation", R"({"node": "", "verified": "yes"})"), *key), ctx);
  ASSERT_EQ(bad.size(), 2u);
  for (const auto& e : bad) EXPECT_EQ(e.state, State::kInvalid) << e.check;
  bad = Eval(Sign(Envelope("attestation", R"({"nodes": [{"name": "x"}]})"), *key), ctx);
  for (const auto& e : bad) EXPECT_EQ(e.state, State::kInvalid) << e.check;
}

TEST(Evidence, MaxAgeParses) {
  EXPECT_EQ(*ParseMaxAge("7d"), std::chrono::seconds(7 * 86400));
  EXPECT_EQ(*ParseMaxAge("90s"), std::chrono::seconds(90));
  EXPECT_FALSE(ParseMaxAge("7").has_value());
  EXPECT_FALSE(ParseMaxAge("-1d").has_value());
  EXPECT_FALSE(ParseMaxAge("3w").has_value());
}

// ---- estate checks and aggregation ---------------------------------------------

estate::Estate Load(const std::string& yaml) {
  auto r = estate::LoadString(yaml, "e.yaml");
  EXPECT_TRUE(r.has_value());
  EXPECT_FALSE(r->diagnostics.has_errors()) << r->diagnostics.ToString();
  return std::move(r->estate);
}

constexpr const char* kSmall = R"(version: 1
name: small
zones:
  - {name: internet, kind: internet}
  - {name: corp, kind: other, cidrs: [172.16.0.0/16]}
  - {name: data, kind: ingestion, cidrs: [10.1.0.0/16]}
services:
  - {name: etl, zone: data, kind: etl, ports: [tcp/80], identity: etl-sa}
  - {name: bucket, zone: data, kind: storage, ports: [tcp/9000]}
assets:
  - {name: raw, kind: dataset, zone: data, service: bucket, classification: confidential}
identities:
  - {name: etl-sa, kind: service-account}
  - {name: analysts, kind: person}
flows:
  - {name: etl-write, from: etl, to: bucket, identity: etl-sa}
)";

TEST(FlowIdentities, PassesWhenEveryFlowIntoDataNamesAWorkload) {
  auto e = Load(kSmall);
  Evidence ev = CheckFlowIdentities(e, "t");
  EXPECT_EQ(ev.state, State::kPass) << ev.reason;
}

TEST(FlowIdentities, FailsOnAnonymousAndPersonFlows) {
  auto e = Load(std::string(kSmall) +
                "  - {name: adhoc, from: corp, to: bucket, identity: analysts}\n"
                "  - {name: open, from: internet, to: bucket}\n");
  Evidence ev = CheckFlowIdentities(e, "t");
  EXPECT_EQ(ev.state, State::kFail);
  ASSERT_EQ(ev.details.size(), 2u);
  EXPECT_NE(ev.details[0].message.find("person 'analysts'"), std::string::npos);
  EXPECT_NE(ev.details[1].message.find("no identity"), std::string::npos);
  EXPECT_EQ(ev.details[1].where.file, "e.yaml");
  EXPECT_GT(ev.details[1].where.line, 0);
}

TEST(Assess, LayerWithoutAssetsIsNotApplicableNeverPass) {
  auto e = Load(kSmall);  // datasets only: no compute, inference, models
  Assessment a = Assess(Default(), e, kDigest, "t", {});
  auto cell = [&](std::string_view layer, std::string_view control) {
    for (const auto& c : a.cells)
      if (c.cell->layer == layer && c.cell->control == control) return c.state;
    return State::kPass;
  };
  EXPECT_EQ(cell("training-jobs", "network-segmentation"), State::kNotApplicable);
  EXPECT_EQ(cell("inference", "zero-trust"), State::kNotApplicable);
  EXPECT_EQ(cell("hardware", "confidential-computing"), State::kNotApplicable);
  // Training data applies; nothing was checked for segmentation: missing.
  EXPECT_EQ(cell("training-data", "network-segmentation"), State::kMissing);
  EXPECT_EQ(cell("training-data", "zero-trust"), State::kPass);  // flow identities, computed
  EXPECT_EQ(a.Count(State::kPass), 1);
  EXPECT_GT(a.EssentialNotPassing(), 0);
}

TEST(Assess, WorstEvidenceWinsAndStaleNeverPasses) {
  auto e = Load(kSmall);
  std::vector<Evidence> ev;
  ev.push_back(LiveEvidence("zones.invariants", "s", "t", State::kPass, "", {}));
  ev.push_back(LiveEvidence("zones.paths-to-data", "s", "t", State::kPass, "", {}));
  Assessment a = Assess(Default(), e, kDigest, "t", ev);
  EXPECT_EQ(a.FindCheck("zones.invariants")->state, State::kPass);
  EXPECT_EQ(a.cells[0].state, State::kPass);  // training-data x segmentation
  ev.push_back(LiveEvidence("zones.paths-to-data", "s2", "t", State::kStale, "old", {}));
  a = Assess(Default(), e, kDigest, "t", ev);
  EXPECT_EQ(a.cells[0].state, State::kStale);
  ev.push_back(LiveEvidence("zones.invariants", "s3", "t", State::kInvalid, "bad", {}));
  a = Assess(Default(), e, kDigest, "t", ev);
  EXPECT_EQ(a.cells[0].state, State::kInvalid);
  ev.push_back(LiveEvidence("zones.invariants", "s4", "t", State::kFail, "x", {}));
  a = Assess(Default(), e, kDigest, "t", ev);
  EXPECT_EQ(a.cells[0].state, State::kFail);
}

TEST(Assess, LiveEvidenceDigestCoversItsContent) {
  Evidence a = LiveEvidence("c", "s", "t", State::kPass, "", {{"m", {}}});
  Evidence b = LiveEvidence("c", "s", "t", State::kPass, "", {{"n", {}}});
  Evidence c = LiveEvidence("c", "s", "t", State::kPass, "", {{"m", {}}});
  EXPECT_NE(a.digest, b.digest);
  EXPECT_EQ(a.digest, c.digest);
}

// ---- reports -------------------------------------------------------------------

TEST(Report, HtmlHasEveryCellAndAnchorAndNoExternalResource) {
  auto e = Load(kSmall);
  Assessment a = Assess(Default(), e, kDigest, "2026-12-07T00:00:00Z", {});
  std::string html = ToHtml(a);
  for (const auto& c : Default().cells) {
    EXPECT_NE(html.find("id=\"m-" + c.layer + "-" + c.control + "\""), std::string::npos);
    EXPECT_NE(html.find("id=\"" + CellAnchor(c) + "\""), std::string::npos);
    EXPECT_NE(html.find("href=\"#" + CellAnchor(c) + "\""), std::string::npos);
  }
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(Report, HtmlDrawsLateralPaths) {
  auto e = Load(kSmall);
  Assessment a = Assess(Default(), e, kDigest, "t", {});
  EXPECT_EQ(ToHtml(a).find("<svg"), std::string::npos);
  a.paths.push_back({{"internet", "gate<way>", "bucket"},
                     {"exposure: internet", "flow x tcp/9000"},
                     "crown jewels: raw"});
  std::string html = ToHtml(a);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find(">gate&lt;way&gt;</text>"), std::string::npos);
  EXPECT_NE(html.find("<title>flow x tcp/9000</title>"), std::string::npos);
  EXPECT_NE(html.find("crown jewels: raw"), std::string::npos);
}

TEST(Report, HtmlEscapesEstateText) {
  auto e = Load(
      std::string(kSmall).replace(std::string(kSmall).find("name: small"), 11, "name: \"<b>&x\""));
  std::string html = ToHtml(Assess(Default(), e, kDigest, "t", {}));
  EXPECT_EQ(html.find("<b>&x"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;&amp;x"), std::string::npos);
}

TEST(Report, JsonIsDeterministicAndParses) {
  auto e = Load(kSmall);
  std::string a = ToJson(Assess(Default(), e, kDigest, "t", {}));
  std::string b = ToJson(Assess(Default(), e, kDigest, "t", {}));
  EXPECT_EQ(a, b);
  auto v = ParseJson(a);
  ASSERT_TRUE(v.has_value());
  const auto& o = v->as_object();
  EXPECT_EQ(o.at("cells").as_array().size(), 24u);
  EXPECT_EQ(o.at("summary").as_object().at("verdict").as_string(), "fail");
}

TEST(Report, SarifListsWhatDoesNotPass) {
  auto e = Load(std::string(kSmall) + "  - {name: open, from: internet, to: bucket}\n");
  std::string s = ToSarif(Assess(Default(), e, kDigest, "t", {}));
  auto v = ParseJson(s);
  ASSERT_TRUE(v.has_value());
  const auto& results =
      v->as_object().at("runs").as_array()[0].as_object().at("results").as_array();
  bool found = false;
  for (const auto& r : results) {
    const auto& o = r.as_object();
    if (o.at("ruleId").as_string() != "estate.flow-identities") continue;
    found = true;
    const auto& loc =
        o.at("locations").as_array()[0].as_object().at("physicalLocation").as_object();
    EXPECT_EQ(loc.at("artifactLocation").as_object().at("uri").as_string(), "e.yaml");
    EXPECT_GT(loc.at("region").as_object().at("startLine").as_int64(), 0);
  }
  EXPECT_TRUE(found) << s;
}

// ---- diff ----------------------------------------------------------------------

TEST(Diff, RegressionsAndImprovements) {
  auto e = Load(kSmall);
  std::vector<Evidence> ev = {LiveEvidence("zones.invariants", "s", "t", State::kPass, "", {})};
  std::string before = ToJson(Assess(Default(), e, kDigest, "t", ev));
  ev[0] = LiveEvidence("zones.invariants", "s", "t", State::kFail, "x", {});
  ev.push_back(LiveEvidence("ledger.verify", "s", "t", State::kPass, "", {}));
  std::string after = ToJson(Assess(Default(), e, kDigest, "t", ev));
  auto d = DiffAssessments(before, "old.json", after, "new.json");
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_GT(d->regressions(), 0);
  EXPECT_GT(d->improvements(), 0);
  std::string text = DiffToText(*d);
  EXPECT_NE(text.find("regressed check zones.invariants: pass -> fail"), std::string::npos) << text;
  EXPECT_NE(text.find("improved  check ledger.verify: missing -> pass"), std::string::npos) << text;
  auto same = DiffAssessments(before, "a", before, "b");
  EXPECT_TRUE(same->changes.empty());
}

TEST(Diff, MalformedInputNamesTheFile) {
  auto d = DiffAssessments("{", "old.json", "{}", "new.json");
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message().find("old.json"), std::string::npos);
  d = DiffAssessments(R"({"rampart_assessment": 1, "cells": [], "checks": []})", "a",
                      R"({"rampart_assessment": 1, "cells": [{"layer": 1}], "checks": []})", "b");
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message().find("b: a cell lacks"), std::string::npos);
}

}  // namespace
}  // namespace rampart::posture
