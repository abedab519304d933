// `rampart assess` as a user runs it: golden JSON for the example estates,
// evidence directories with good and bad evidence, and the HTML report in a
// real browser (headless Chromium) and an HTML5 parser.
//
// UPDATE_GOLDEN=1 rewrites tests/posture/golden/*.json from the binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart {
namespace {

namespace fs = std::filesystem;

using testing::RunRampart;
using testing::SourceDir;
using testing::TempDir;

constexpr const char* kNow = "2026-12-07T00:00:00Z";

json::object Parse(const std::string& text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.has_value()) << text.substr(0, 400);
  if (!v || !v->is_object()) return {};
  return v->as_object();
}

std::string CellStatus(const json::object& o, const std::string& layer,
                       const std::string& control) {
  for (const auto& c : o.at("cells").as_array()) {
    const auto& x = c.as_object();
    if (x.at("layer").as_string() == layer && x.at("control").as_string() == control)
      return std::string(x.at("status").as_string());
  }
  return "absent";
}

std::string CheckStatus(const json::object& o, const std::string& id) {
  for (const auto& c : o.at("checks").as_array())
    if (c.as_object().at("id").as_string() == id)
      return std::string(c.as_object().at("status").as_string());
  return "absent";
}

const json::array& CheckEvidence(const json::object& o, const std::string& id) {
  for (const auto& c : o.at("checks").as_array())
    if (c.as_object().at("id").as_string() == id) return c.as_object().at("evidence").as_array();
  static json::array empty;
  return empty;
}

// `extra` are more arguments; `name` the golden file (default: the example).
void Golden(const std::string& example, const std::vector<std::string>& extra = {},
            const std::string& name = "") {
  // The estate path as a user types it, relative to the source tree (the
  // tests' working directory), so the golden file does not name /work/...
  std::vector<std::string> args = {
      "assess", "examples/" + example + ".yaml", "--format", "json", "--now", kNow};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = RunRampart(args);
  ASSERT_EQ(r.exit_code, 1) << r.err;  // both examples have an essential gap
  fs::path golden =
      SourceDir() / "tests/posture/golden" / ((name.empty() ? example : name) + ".json");
  if (std::getenv("UPDATE_GOLDEN")) {
    ASSERT_TRUE(WriteFileAtomic(golden, r.out).ok());
  }
  auto want = ReadFile(golden);
  ASSERT_TRUE(want.has_value()) << golden << ": run with UPDATE_GOLDEN=1 to create it";
  EXPECT_EQ(r.out, *want) << "the assessment of " << example
                          << " changed; if on purpose, rerun with UPDATE_GOLDEN=1";
  // Deterministic: a second run is byte-identical.
  auto again = RunRampart(args);
  EXPECT_EQ(again.out, r.out);
}

TEST(AssessCli, GoldenEstate) { Golden("estate"); }
TEST(AssessCli, GoldenFlatNetwork) { Golden("flat-network"); }

// The committed example evidence (scripts/posture/make-example-evidence.sh):
// every check gets evidence; what remains are honest gaps, not blanks.
const std::vector<std::string> kExampleEvidence = {
    "--evidence", "examples/evidence", "--evidence-key", "examples/evidence/evidence-key.pem"};

TEST(AssessCli, GoldenEstateWithExampleEvidence) {
  Golden("estate", kExampleEvidence, "estate-evidence");
}

TEST(AssessCli, ExampleEvidenceLeavesNoCellMissing) {
  std::vector<std::string> args = {"assess", "examples/estate.yaml", "--format", "json",
                                   "--now",  "2026-12-07T01:00:00Z"};
  args.insert(args.end(), kExampleEvidence.begin(), kExampleEvidence.end());
  auto o = Parse(RunRampart(args).out);
  ASSERT_TRUE(o.contains("checks"));
  for (const auto& c : o.at("checks").as_array()) {
    const auto& x = c.as_object();
    EXPECT_NE(x.at("status").as_string(), "missing") << x.at("id").as_string();
    EXPECT_NE(x.at("status").as_string(), "invalid") << x.at("id").as_string();
  }
  EXPECT_EQ(o.at("summary").as_object().at("missing").as_int64(), 0);
  for (const char* id : {"ledger.verify", "artifacts.scan", "artifacts.signatures", "attest.nodes"})
    EXPECT_EQ(CheckStatus(o, id), "pass") << id;
  // The shared SEV-SNP sample is a debug-mode guest: verified, and still a fail.
  EXPECT_EQ(CheckStatus(o, "attest.tee"), "fail");
  EXPECT_EQ(CellStatus(o, "hardware", "confidential-computing"), "pass");
  // Two weeks later the same evidence is stale, never a pass.
  args[5] = "2026-12-21T00:00:00Z";
  auto later = Parse(RunRampart(args).out);
  for (const char* id : {"ledger.verify", "artifacts.scan", "attest.nodes"})
    EXPECT_EQ(CheckStatus(later, id), "stale") << id;
  // Without the key the signed attestation state cannot be believed.
  args.resize(args.size() - 2);
  auto unkeyed = Parse(RunRampart(args).out);
  EXPECT_EQ(CheckStatus(unkeyed, "attest.nodes"), "invalid");
}

// The script still produces the evidence it promises, from real commands
// (a software TPM, the shared SNP sample), into a directory of the test's own.
TEST(AssessCli, ExampleEvidenceScriptRuns) {
  RAMPART_NEEDS(testing::Run({"/bin/sh", "-c",
                              "command -v swtpm && command -v tpm2_quote && command -v openssl"})
                        .exit_code == 0,
                "swtpm, tpm2-tools and openssl");
  RAMPART_NEEDS(fs::exists(SourceDir() / "../shared/testdata/attest/snp-google/attestation.bin"),
                "../shared/testdata/attest");
  TempDir d;
  auto run =
      testing::Run({"bash", (SourceDir() / "scripts/posture/make-example-evidence.sh").string()},
                   "", {"OUT=" + (d / "ev").string(), "RAMPART=" + testing::RampartBin()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> args = {"assess",         "examples/estate.yaml",
                                   "--format",       "json",
                                   "--now",          "2026-12-07T01:00:00Z",
                                   "--evidence",     (d / "ev").string(),
                                   "--evidence-key", (d / "ev/evidence-key.pem").string()};
  auto fresh = Parse(RunRampart(args).out);
  std::vector<std::string> committed_args = {"assess", "examples/estate.yaml", "--format", "json",
                                             "--now",  "2026-12-07T01:00:00Z"};
  committed_args.insert(committed_args.end(), kExampleEvidence.begin(), kExampleEvidence.end());
  auto committed = Parse(RunRampart(committed_args).out);
  // Fresh keys and nonces, the same verdicts as the committed evidence.
  ASSERT_TRUE(fresh.contains("checks"));
  for (const auto& c : committed.at("checks").as_array()) {
    std::string id(c.as_object().at("id").as_string());
    EXPECT_EQ(CheckStatus(fresh, id), std::string(c.as_object().at("status").as_string())) << id;
  }
}

TEST(AssessCli, ExamplesTellTheStory) {
  auto good = RunRampart({"assess", "examples/estate.yaml", "--format", "json", "--now", kNow});
  auto flat =
      RunRampart({"assess", "examples/flat-network.yaml", "--format", "json", "--now", kNow});
  auto g = Parse(good.out), f = Parse(flat.out);
  // The segmented estate holds where the flat one breaks.
  for (const char* layer : {"training-data", "training-jobs", "inference"}) {
    EXPECT_EQ(CellStatus(g, layer, "network-segmentation"), "pass") << layer;
    EXPECT_EQ(CellStatus(f, layer, "network-segmentation"), "fail") << layer;
  }
  EXPECT_EQ(CellStatus(g, "training-data", "zero-trust"), "pass");
  EXPECT_EQ(CellStatus(f, "training-data", "zero-trust"), "fail");
  // Honest gaps of the good estate: a path from the internet to the registry,
  // plain HTTP on the gateway, and nothing checked for attestation.
  EXPECT_EQ(CheckStatus(g, "zones.paths-to-models"), "fail");
  EXPECT_EQ(CheckStatus(g, "gateway.tls"), "fail");
  EXPECT_EQ(CheckStatus(g, "gateway.auth"), "pass");
  EXPECT_EQ(CheckStatus(g, "attest.nodes"), "missing");
  EXPECT_EQ(CellStatus(g, "hardware", "confidential-computing"), "missing");
  EXPECT_GT(f.at("summary").as_object().at("fail").as_int64(),
            g.at("summary").as_object().at("fail").as_int64());
}

TEST(AssessCli, TextAndSarif) {
  auto t = RunRampart({"assess", "examples/flat-network.yaml", "--now", kNow});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.out.find("Training data protection"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("\u2717 fail (essential)"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("\033["), std::string::npos);  // no colour when piped
  auto s = RunRampart({"assess", "examples/flat-network.yaml", "--format", "sarif", "--now", kNow});
  auto o = Parse(s.out);
  EXPECT_EQ(o.at("version").as_string(), "2.1.0");
  bool located = false;
  for (const auto& r : o.at("runs").as_array()[0].as_object().at("results").as_array()) {
    const auto& loc =
        r.as_object().at("locations").as_array()[0].as_object().at("physicalLocation").as_object();
    if (loc.at("artifactLocation").as_object().at("uri").as_string() ==
            "examples/flat-network.yaml" &&
        loc.contains("region"))
      located = true;
  }
  EXPECT_TRUE(located) << s.out.substr(0, 2000);
}

TEST(AssessCli, DiffShowsRegressions) {
  TempDir d;
  auto good = d.Write(
      "good.json",
      RunRampart({"assess", "examples/estate.yaml", "--format", "json", "--now", kNow}).out);
  auto flat = d.Write(
      "flat.json",
      RunRampart({"assess", "examples/flat-network.yaml", "--format", "json", "--now", kNow}).out);
  auto r = RunRampart({"assess", "diff", good.string(), flat.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("regressed cell training-data x network-segmentation: pass -> fail"),
            std::string::npos)
      << r.out;
  r = RunRampart({"assess", "diff", flat.string(), good.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("improved  cell training-data x network-segmentation: fail -> pass"),
            std::string::npos)
      << r.out;
  auto junk = d.Write("junk.json", "{\"cells\": 3}");
  r = RunRampart({"assess", "diff", junk.string(), good.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("junk.json"), std::string::npos);
}

TEST(AssessCli, BadUsage) {
  EXPECT_EQ(RunRampart({"assess"}).exit_code, 2);
  EXPECT_EQ(RunRampart({"assess", "no-such.yaml"}).exit_code, 2);
  auto r = RunRampart({"assess", "examples/estate.yaml", "--now", "tomorrow"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--now"), std::string::npos);
  r = RunRampart({"assess", "examples/estate.yaml", "--evidence", "/nonexistent-dir"});
  EXPECT_EQ(r.exit_code, 2);
  TempDir d;
  auto bad =
      d.Write("c.yaml", "version: 1\nlayers: []\ncontrols: []\ncells: []\nchecks: [{id: x}]\n");
  r = RunRampart({"assess", "examples/estate.yaml", "--controls", bad.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("c.yaml:5:"), std::string::npos) << r.err;
  // A failed run writes no partial HTML.
  r = RunRampart({"assess", "examples/estate.yaml", "--controls", bad.string(), "--html",
                  (d / "r.html").string()});
  EXPECT_FALSE(fs::exists(d / "r.html"));
}

// Wraps `result` as evidence of `kind` for `estate` at `time`.
fs::path Wrap(const TempDir& d, const std::string& name, const std::string& kind,
              const std::string& result, const std::string& estate, const std::string& time,
              const std::string& key = "") {
  auto in = d.Write("raw-" + name, result);
  std::vector<std::string> args = {"assess", "evidence", "--kind", kind,       "--estate",
                                   estate,   "--time",   time,     in.string()};
  if (!key.empty()) {
    args.push_back("--key");
    args.push_back(key);
  }
  auto r = RunRampart(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return d.Write("ev/" + name, r.out);
}

TEST(AssessCli, EvidenceDirectoryGoodAndBad) {
  TempDir d;
  // A real scan of a harmless file, wrapped as evidence for this estate.
  auto model = d.Write("models/config.json", "{\"hidden\": 16}\n");
  auto scan = RunRampart({"scan", "--format", "json", model.string()});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  Wrap(d, "a-scan.json", "scan", scan.out, "examples/estate.yaml", "2026-12-06T12:00:00Z");
  // Expired ledger verification, signatures for another estate, garbage, and
  // an unsigned attestation.
  Wrap(d, "b-ledger.json", "ledger-verify", R"({"ok": true, "entries": 3, "checkpoints": 1,
       "problems": []})",
       "examples/estate.yaml", "2026-10-01T00:00:00Z");
  Wrap(d, "c-verify.json", "verify", R"({"ok": true})", "examples/flat-network.yaml",
       "2026-12-06T12:00:00Z");
  d.Write("ev/d-garbage.json", "{\"rampart_evidence\": 1, \"kind\": ");
  Wrap(d, "e-attest.json", "attestation",
       R"({"nodes": [{"name": "gpu-1", "measured_boot": "verified", "tee": "tdx"}]})",
       "examples/estate.yaml", "2026-12-06T12:00:00Z");

  auto r = RunRampart({"assess", "examples/estate.yaml", "--evidence", (d / "ev").string(),
                       "--format", "json", "--now", kNow});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto o = Parse(r.out);
  EXPECT_EQ(CheckStatus(o, "artifacts.scan"), "pass");
  EXPECT_EQ(CheckStatus(o, "ledger.verify"), "stale");
  EXPECT_EQ(CheckStatus(o, "artifacts.signatures"), "invalid");
  EXPECT_NE(
      std::string(CheckEvidence(o, "artifacts.signatures")[0].as_object().at("reason").as_string())
          .find("another estate"),
      std::string::npos);
  EXPECT_EQ(CheckStatus(o, "attest.nodes"), "invalid");
  EXPECT_NE(std::string(CheckEvidence(o, "attest.nodes")[0].as_object().at("reason").as_string())
                .find("unsigned"),
            std::string::npos);
  const auto& bad = o.at("invalid_evidence").as_array();
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_NE(std::string(bad[0].as_object().at("reason").as_string()).find("malformed"),
            std::string::npos);
  // The digest of a file's evidence is the SHA-256 of the file.
  const auto& scan_ev = CheckEvidence(o, "artifacts.scan")[0].as_object();
  auto sha = testing::Run({"sha256sum", (d / "ev/a-scan.json").string()});
  EXPECT_EQ(std::string(scan_ev.at("digest").as_string()), "sha256:" + sha.out.substr(0, 64));
  EXPECT_EQ(scan_ev.at("time").as_string(), "2026-12-06T12:00:00Z");
  // Stale or invalid evidence never turns a cell green.
  EXPECT_NE(CellStatus(o, "compliance", "secure-mlops"), "pass");
}

TEST(AssessCli, SignedAttestationPasses) {
  TempDir d;
  auto gen =
      testing::Run({"openssl", "genpkey", "-algorithm", "ed25519", "-out", (d / "k.pem").string()});
  RAMPART_NEEDS(gen.exit_code == 0, "the openssl CLI");
  ASSERT_EQ(testing::Run({"openssl", "pkey", "-in", (d / "k.pem").string(), "-pubout", "-out",
                          (d / "k.pub").string()})
                .exit_code,
            0);
  Wrap(d, "attest.json", "attestation",
       R"({"nodes": [{"name": "gpu-1", "measured_boot": "verified", "tee": "tdx"}]})",
       "examples/estate.yaml", "2026-12-06T12:00:00Z", (d / "k.pem").string());
  auto r =
      RunRampart({"assess", "examples/estate.yaml", "--evidence", (d / "ev").string(),
                  "--evidence-key", (d / "k.pub").string(), "--format", "json", "--now", kNow});
  auto o = Parse(r.out);
  EXPECT_EQ(CheckStatus(o, "attest.nodes"), "pass");
  EXPECT_EQ(CheckStatus(o, "attest.tee"), "pass");
  EXPECT_EQ(CellStatus(o, "hardware", "confidential-computing"), "pass");
  // Without the key, the same file is invalid.
  r = RunRampart({"assess", "examples/estate.yaml", "--evidence", (d / "ev").string(), "--format",
                  "json", "--now", kNow});
  EXPECT_EQ(CheckStatus(Parse(r.out), "attest.nodes"), "invalid");
}

TEST(AssessCli, LedgerVerifiedLive) {
  TempDir d;
  std::string store = "sqlite:" + (d / "l.db").string();
  auto init = RunRampart({"ledger", "init", "--store", store, "--key", (d / "l.key").string(),
                          "--origin", "acme.ai/ledger"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto pub = d.Write("l.pub", init.out);
  auto r = RunRampart({"assess", "examples/estate.yaml", "--ledger-store", store, "--ledger-pub",
                       pub.string(), "--format", "json", "--now", kNow});
  auto o = Parse(r.out);
  EXPECT_EQ(CheckStatus(o, "ledger.verify"), "pass") << r.out.substr(0, 400);
  // Another ledger's key: the checkpoints do not verify.
  auto other = RunRampart({"ledger", "keygen", "--name", "acme.ai/ledger", "--out",
                           (d / "o.key").string(), "--pub", (d / "o.pub").string()});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  r = RunRampart({"assess", "examples/estate.yaml", "--ledger-store", store, "--ledger-pub",
                  (d / "o.pub").string(), "--format", "json", "--now", kNow});
  EXPECT_NE(CheckStatus(Parse(r.out), "ledger.verify"), "pass");
  // A missing ledger is invalid evidence, and one flag alone is bad usage.
  r = RunRampart({"assess", "examples/estate.yaml", "--ledger-store",
                  "sqlite:" + (d / "none.db").string(), "--ledger-pub", pub.string(), "--format",
                  "json", "--now", kNow});
  EXPECT_EQ(CheckStatus(Parse(r.out), "ledger.verify"), "invalid");
  EXPECT_EQ(RunRampart({"assess", "examples/estate.yaml", "--ledger-store", store}).exit_code, 2);
}

bool Have(const std::string& cmd) {
  return testing::Run({"sh", "-c", "command -v " + cmd}).exit_code == 0;
}

// The report in a real browser: renders without console errors, every cell
// and drill-down anchor is in the DOM, and it parses as strict HTML5.
void BrowserCheck(const std::string& example) {
  RAMPART_NEEDS(Have("chromium"), "chromium (Debian package chromium)");
  RAMPART_NEEDS(testing::Run({"/usr/bin/python3", "-c", "import html5lib"}).exit_code == 0,
                "python3-html5lib");
  fs::path out = fs::path(RAMPART_BUILD_DIR) / "posture";
  fs::create_directories(out);
  fs::path html = out / ("posture-" + example + ".html");
  auto r = RunRampart({"assess", "examples/" + example + ".yaml", "--html", html.string(),
                       "--format", "json", "--now", kNow});
  ASSERT_TRUE(fs::exists(html)) << r.err;
  auto cells = Parse(r.out).at("cells").as_array();
  auto text = ReadFile(html);
  ASSERT_TRUE(text.has_value());
  // Self-contained: nothing fetched from anywhere.
  for (const char* external : {"http://", "https://", "src=", "<link", "@import"})
    EXPECT_EQ(text->find(external), std::string::npos) << external;
  EXPECT_FALSE(std::regex_search(*text, std::regex("url\\([^#]")));  // only url(#local)

  // HTML5, strictly.
  auto v = testing::Run({"/usr/bin/python3", "-c",
                         "import sys, html5lib\n"
                         "html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], 'rb'))\n"
                         "print('ok')\n",
                         html.string()});
  EXPECT_EQ(v.exit_code, 0) << v.err;

  // A copy with an error catcher that writes into the DOM.
  TempDir d;
  std::string probe = *text;
  probe.insert(probe.find("<head>") + 6,
               "<script>window.onerror=function(m){document.documentElement.setAttribute("
               "'data-js-error',String(m));};</script>");
  auto probe_path = d.Write("probe.html", probe);
  std::vector<std::string> base = {"chromium",
                                   "--headless",
                                   "--disable-gpu",
                                   "--no-sandbox",
                                   "--enable-logging=stderr",
                                   "--v=0",
                                   "--user-data-dir=" + (d / "profile").string(),
                                   "--window-size=1400,1800"};
  auto dump_args = base;
  dump_args.push_back("--dump-dom");
  dump_args.push_back("file://" + probe_path.string());
  auto dom = testing::Run(dump_args, "", {"HOME=" + d.path().string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_EQ(dom.out.find("data-js-error=\""), std::string::npos) << "script error in the report";
  EXPECT_EQ(dom.err.find("Uncaught"), std::string::npos) << dom.err;
  EXPECT_FALSE(
      std::regex_search(dom.err, std::regex(":ERROR:CONSOLE|:CONSOLE\\(\\d+\\)\\].*[Ee]rror")))
      << dom.err;
  ASSERT_EQ(cells.size(), 24u);
  for (const auto& c : cells) {
    std::string layer(c.as_object().at("layer").as_string());
    std::string control(c.as_object().at("control").as_string());
    std::string status(c.as_object().at("status").as_string());
    EXPECT_NE(dom.out.find("id=\"m-" + layer + "-" + control + "\""), std::string::npos)
        << layer << " x " << control;
    EXPECT_NE(dom.out.find("id=\"cell-" + layer + "-" + control + "\""), std::string::npos)
        << layer << " x " << control;
    EXPECT_NE(dom.out.find("href=\"#cell-" + layer + "-" + control + "\""), std::string::npos);
    EXPECT_NE(dom.out.find("class=\"s-" + status), std::string::npos) << status;
  }

  // The screenshot, kept in the build directory as an artifact.
  fs::path png = out / ("posture-" + example + ".png");
  fs::remove(png);
  auto shot_args = base;
  shot_args.push_back("--screenshot=" + png.string());
  shot_args.push_back("file://" + html.string());
  auto shot = testing::Run(shot_args, "", {"HOME=" + d.path().string()});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  auto bytes = ReadFile(png);
  ASSERT_TRUE(bytes.has_value()) << shot.err;
  EXPECT_EQ(bytes->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(bytes->size(), 20000u);  // a rendered page, not a blank one
}

TEST(AssessCli, HtmlReportInChromiumEstate) { BrowserCheck("estate"); }

// The probe itself: a page that throws is caught.
TEST(AssessCli, ChromiumProbeSeesAScriptError) {
  RAMPART_NEEDS(Have("chromium"), "chromium (Debian package chromium)");
  TempDir d;
  auto page = d.Write("bad.html",
                      "<!DOCTYPE html><html><head><script>window.onerror=function(m){"
                      "document.documentElement.setAttribute('data-js-error',String(m));};"
                      "</script></head><body><script>undefinedThing.x = 1;</script></body></html>");
  auto dom = testing::Run(
      {"chromium", "--headless", "--disable-gpu", "--no-sandbox",
       "--user-data-dir=" + (d / "profile").string(), "--dump-dom", "file://" + page.string()},
      "", {"HOME=" + d.path().string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-js-error=\""), std::string::npos) << dom.out;
}
TEST(AssessCli, HtmlReportInChromiumFlatNetwork) { BrowserCheck("flat-network"); }

}  // namespace
}  // namespace rampart
