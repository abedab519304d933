// `rampart scan | sign | verify | manifest` as a user runs them: exit codes,
// output formats, errors that name the file.
#include <gtest/gtest.h>

#include <map>

#include "archive_maker.h"
#include "core/json.h"
#include "corpus.h"
#include "testing/testing.h"

namespace rampart::artifacts {
namespace {

using rampart::testing::RunRampart;
using rampart::testing::TempDir;
using testing::CorpusDir;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { RAMPART_NEEDS_CORPUS(testing::Corpus()); }
  std::string C(const std::string& n) { return (CorpusDir() / n).string(); }
};

TEST_F(CliTest, ScanExitCodes) {
  EXPECT_EQ(RunRampart({"scan", C("ok")}).exit_code, 0);
  auto r = RunRampart({"scan", C("mal/torch_payload.pt")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("torch_payload.pt!archive/data.pkl: critical: imports posix.system"),
            std::string::npos)
      << r.out;
  // --fail-on raises the bar: a medium finding passes --fail-on high.
  EXPECT_EQ(RunRampart({"scan", C("mal/gguf_template.gguf")}).exit_code, 0);
  EXPECT_EQ(RunRampart({"scan", "--fail-on", "medium", C("mal/gguf_template.gguf")}).exit_code, 1);
  auto missing = RunRampart({"scan", C("no/such/file.pt")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("no/such/file.pt"), std::string::npos);
  // The long form works too.
  EXPECT_EQ(RunRampart({"artifacts", "scan", C("mal/inst.pkl")}).exit_code, 1);
}

TEST_F(CliTest, ScanJsonHasOneObjectPerFinding) {
  auto r = RunRampart({"scan", "--format", "json", C("mal/os_system_p4.pkl")});
  ASSERT_EQ(r.exit_code, 1);
  auto v = ParseJson(r.out);
  ASSERT_TRUE(v) << r.out;
  const auto& f = v->as_object().at("findings").as_array();
  ASSERT_EQ(f.size(), 1u);
  const auto& o = f[0].as_object();
  EXPECT_EQ(o.at("rule").as_string(), "pickle.import");
  EXPECT_EQ(o.at("symbol").as_string(), "posix.system");
  EXPECT_EQ(o.at("call").as_string(), "REDUCE");
  EXPECT_EQ(o.at("severity").as_string(), "critical");
  EXPECT_EQ(o.at("format").as_string(), "pickle");
  EXPECT_TRUE(o.at("offset").is_number());
}

TEST_F(CliTest, ScanSarifIsVersion210WithRules) {
  auto r =
      RunRampart({"scan", "--format", "sarif", C("mal/nested.tar.gz"), C("mal/onnx_escape.onnx")});
  ASSERT_EQ(r.exit_code, 1);
  auto v = ParseJson(r.out);
  ASSERT_TRUE(v);
  const auto& root = v->as_object();
  EXPECT_EQ(root.at("version").as_string(), "2.1.0");
  const auto& run = root.at("runs").as_array()[0].as_object();
  EXPECT_EQ(run.at("tool").as_object().at("driver").as_object().at("name").as_string(), "rampart");
  const auto& results = run.at("results").as_array();
  ASSERT_GE(results.size(), 2u);
  bool nested = false;
  for (const auto& res : results) {
    const auto& o = res.as_object();
    EXPECT_TRUE(o.contains("ruleId"));
    EXPECT_TRUE(o.at("level").is_string());
    const auto& loc = o.at("locations").as_array()[0].as_object();
    if (loc.contains("logicalLocations")) {
      std::string fq(loc.at("logicalLocations")
                         .as_array()[0]
                         .as_object()
                         .at("fullyQualifiedName")
                         .as_string());
      nested |= fq.ends_with("models/outer.zip!inner.zip!model.pkl");
    }
  }
  EXPECT_TRUE(nested);
}

TEST_F(CliTest, BadPolicyIsAUsageError) {
  TempDir t;
  auto p = t.Write("p.yaml", "imports:\n  dire:\n    modules: [x]\n");
  auto r = RunRampart({"scan", "--policy", p.string(), C("ok")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("p.yaml:2:"), std::string::npos) << r.err;
  auto allow = t.Write("allow.yaml", "allow:\n  mypkg.helpers: [run]\n");
  EXPECT_EQ(RunRampart({"scan", C("mal/unknown_module.pkl")}).exit_code, 1);
  EXPECT_EQ(RunRampart({"scan", "--policy", allow.string(), C("mal/unknown_module.pkl")}).exit_code,
            0);
}

TEST_F(CliTest, SymlinksAreReportedNotFollowed) {
  TempDir t;
  std::filesystem::create_symlink(C("mal/inst.pkl"), t / "link.pkl");
  auto r = RunRampart({"scan", "--fail-on", "medium", t.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("file.symlink"), std::string::npos);
  EXPECT_EQ(r.out.find("os.system"), std::string::npos);
  auto f = RunRampart({"scan", "--follow-symlinks", t.path().string()});
  EXPECT_NE(f.out.find("os.system"), std::string::npos) << f.out;
}

TEST(CliScanTest, NoFindingsIsNeverPrintedForAFileNotInspected) {
  using namespace std::string_literals;
  TempDir t;
  auto trunc = t.Write("in/notes.txt", "cbuiltins\nexec\n(X\x00\x10\x00\x00import os"s);
  auto bin = t.Write("in/weights.bin", "\x01\x02\x03 raw tensor bytes"s);
  auto text = t.Write("in/README.md", "# model card\n");
  auto sz = t.Write("in/bundle.7z", testing::MakeArchive("7zip", {{"model.pkl",
                                                                   "\x80\x02"
                                                                   "cposix\nsystem\n)R."s}}));
  // A truncated protocol-0 pickle: the import and the truncation, exit 1.
  auto r = RunRampart({"scan", trunc.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("critical: imports builtins.exec"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[scan.truncated]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("no findings"), std::string::npos) << r.out;
  // Unrecognized bytes fail the default --fail-on, and stay counted when hidden.
  auto u = RunRampart({"scan", bin.string()});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.out.find("[scan.unrecognized]"), std::string::npos) << u.out;
  auto hidden = RunRampart({"scan", "--min-severity", "critical", bin.string()});
  EXPECT_EQ(hidden.exit_code, 1);
  EXPECT_NE(hidden.out.find("1 not inspected"), std::string::npos) << hidden.out;
  EXPECT_EQ(hidden.out.find("no findings"), std::string::npos) << hidden.out;
  // Text is skipped, said so, and passes.
  auto s = RunRampart({"scan", text.string()});
  EXPECT_EQ(s.exit_code, 0);
  EXPECT_NE(s.out.find("1 skipped (not model formats)"), std::string::npos) << s.out;
  EXPECT_EQ(s.out.find("no findings"), std::string::npos) << s.out;
  // 7z members are scanned.
  auto z = RunRampart({"scan", sz.string()});
  EXPECT_EQ(z.exit_code, 1);
  EXPECT_NE(z.out.find("bundle.7z!model.pkl: critical: imports posix.system"), std::string::npos)
      << z.out;
  // JSON says how much of each file was inspected.
  auto j = RunRampart({"scan", "--format", "json", (t / "in").string()});
  auto v = ParseJson(j.out);
  ASSERT_TRUE(v) << j.out;
  std::map<std::string, std::string> coverage;
  for (const auto& f : v->as_object().at("files").as_array()) {
    const auto& o = f.as_object();
    coverage[std::filesystem::path(std::string(o.at("file").as_string())).filename().string()] =
        std::string(o.at("coverage").as_string());
  }
  EXPECT_EQ(coverage["notes.txt"], "partial");
  EXPECT_EQ(coverage["weights.bin"], "none");
  EXPECT_EQ(coverage["README.md"], "skipped");
  EXPECT_EQ(coverage["bundle.7z"], "full");
}

TEST(CliScanTest, PolicyLimitsApply) {
  TempDir t;
  auto p = t.Write("limits.yaml", "limits:\n  max_depth: 1\n");
  auto inner = testing::MakeArchive("zip", {{"model.pkl", "\x80\x02}."}});
  auto outer = t.Write("outer.zip", testing::MakeArchive("zip", {{"inner.zip", inner}}));
  auto r = RunRampart({"scan", "--policy", p.string(), outer.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[archive.nesting]"), std::string::npos) << r.out;
  EXPECT_EQ(RunRampart({"scan", outer.string()}).exit_code, 0);
  auto bad = t.Write("bad.yaml", "limits:\n  max_depht: 1\n");
  auto b = RunRampart({"scan", "--policy", bad.string(), outer.string()});
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("bad.yaml:2:"), std::string::npos) << b.err;
}

TEST(CliSignTest, ScanSignVerifyTour) {
  TempDir t;
  auto gen = rampart::testing::Run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                    "ec_paramgen_curve:P-256", "-out", (t / "key.pem").string()});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  ASSERT_EQ(rampart::testing::Run({"openssl", "pkey", "-in", (t / "key.pem").string(), "-pubout",
                                   "-out", (t / "pub.pem").string()})
                .exit_code,
            0);
  t.Write("model/config.json", "{\"hidden\": 8}");
  t.Write("model/weights.bin", std::string(4096, 'w'));
  std::string m = (t / "model").string(), sig = (t / "model.sig").string();
  auto s = RunRampart({"sign", m, "--key", (t / "key.pem").string(), "--signature", sig});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto v = RunRampart({"verify", m, "--signature", sig, "--key", (t / "pub.pem").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("verified"), std::string::npos);
  t.Write("model/weights.bin", std::string(4096, 'x'));
  v = RunRampart(
      {"verify", m, "--signature", sig, "--key", (t / "pub.pem").string(), "--format", "json"});
  EXPECT_EQ(v.exit_code, 1);
  auto j = ParseJson(v.out);
  ASSERT_TRUE(j) << v.out;
  EXPECT_EQ(j->as_object().at("changed").as_array()[0].as_object().at("name").as_string(),
            "weights.bin");
  // A missing key is bad usage; a garbage bundle is unreadable input.
  EXPECT_EQ(RunRampart({"verify", m, "--signature", sig}).exit_code, 2);
  auto junk = t.Write("junk.sig", "{]");
  auto jr =
      RunRampart({"verify", m, "--signature", junk.string(), "--key", (t / "pub.pem").string()});
  EXPECT_EQ(jr.exit_code, 2);
  EXPECT_NE(jr.err.find("junk.sig"), std::string::npos);
  // --ledger fails loudly instead of silently not recording.
  EXPECT_NE(RunRampart({"sign", m, "--key", (t / "key.pem").string(), "--signature", sig,
                        "--ledger", "http://127.0.0.1:1"})
                .exit_code,
            0);
}

TEST(CliManifestTest, ManifestAndDiff) {
  TempDir t;
  t.Write("d/a.txt", "a");
  t.Write("d/b.txt", "b");
  auto m = RunRampart({"manifest", (t / "d").string(), "-o", (t / "m1.json").string()});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(
      RunRampart({"manifest", "diff", (t / "m1.json").string(), (t / "d").string()}).exit_code, 0);
  t.Write("d/b.txt", "poisoned");
  t.Write("d/c.txt", "new");
  auto d = RunRampart({"manifest", "diff", (t / "m1.json").string(), (t / "d").string()});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_NE(d.out.find("+ c.txt (3 bytes)"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("~ b.txt (1 -> 8 bytes)"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace rampart::artifacts
