// The scanner against the generated corpus: every malicious construct is
// found with the expected rule, symbol, severity and location; the benign
// corpus has no finding at or above "low".
#include "artifacts/scanner.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "corpus.h"

namespace rampart::artifacts {
namespace {

using testing::CorpusDir;
using testing::CorpusExpectations;

std::string Dump(const FileReport& r) {
  std::string s = "format=" + r.format + "\n";
  if (r.error) s += "error: " + r.error->message() + "\n";
  for (const auto& f : r.findings) {
    s += "  " + f.Location() + " " + std::string(SeverityName(f.severity)) + " " + f.rule + " " +
         f.symbol + " | " + f.message + "\n";
  }
  return s;
}

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override { RAMPART_NEEDS_CORPUS(testing::Corpus()); }
};

TEST_F(CorpusTest, EveryMaliciousSampleIsFoundAsExpected) {
  Scanner scanner(ScanOptions{});
  std::size_t checked = 0;
  for (const auto& kv : CorpusExpectations()) {
    const auto& e = kv.value().as_object();
    if (e.contains("clean")) continue;
    std::string name(kv.key());
    SCOPED_TRACE(name);
    FileReport r = scanner.ScanFile(CorpusDir() / name);
    ASSERT_FALSE(r.error) << r.error->message();
    std::string rule(e.at("rule").as_string());
    auto want_sev = ParseSeverity(std::string(e.at("severity").as_string()));
    ASSERT_TRUE(want_sev);
    bool found = false;
    for (const auto& f : r.findings) {
      if (f.rule != rule || f.severity != *want_sev) continue;
      if (e.contains("symbol") && f.symbol != std::string(e.at("symbol").as_string())) continue;
      if (e.contains("call") && f.call != std::string(e.at("call").as_string())) continue;
      if (e.contains("inner")) {
        std::string inner;
        for (const auto& m : f.inner) inner += (inner.empty() ? "" : "!") + m;
        if (inner != std::string(e.at("inner").as_string())) continue;
      }
      found = true;
    }
    EXPECT_TRUE(found) << "expected " << rule << " " << e.at("severity").as_string() << "\n"
                       << Dump(r);
    if (e.contains("also")) {
      for (const auto& also : e.at("also").as_array()) {
        bool hit = false;
        for (const auto& f : r.findings) hit |= f.rule == std::string(also.as_string());
        EXPECT_TRUE(hit) << "expected also " << also.as_string() << "\n" << Dump(r);
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 70u);
}

TEST_F(CorpusTest, BenignSamplesHaveNoFindings) {
  Scanner scanner(ScanOptions{});
  std::size_t checked = 0;
  for (const auto& kv : CorpusExpectations()) {
    if (!kv.value().as_object().contains("clean")) continue;
    std::string name(kv.key());
    SCOPED_TRACE(name);
    FileReport r = scanner.ScanFile(CorpusDir() / name);
    ASSERT_FALSE(r.error);
    for (const auto& f : r.findings) {
      EXPECT_LT(f.severity, Severity::kLow) << Dump(r);
    }
    ++checked;
  }
  EXPECT_GT(checked, 15u);
}

TEST_F(CorpusTest, FormatsAreDetectedByContent) {
  Scanner scanner(ScanOptions{});
  auto fmt = [&](const std::string& n) { return scanner.ScanFile(CorpusDir() / n).format; };
  EXPECT_EQ(fmt("ok/torch_state_dict.pt"), "pytorch-zip");
  EXPECT_EQ(fmt("ok/legacy.pt"), "pytorch-legacy");
  EXPECT_EQ(fmt("ok/model.safetensors"), "safetensors");
  EXPECT_EQ(fmt("ok/model.gguf"), "gguf");
  EXPECT_EQ(fmt("ok/model.onnx"), "onnx");
  EXPECT_EQ(fmt("ok/model.keras"), "keras");
  EXPECT_EQ(fmt("ok/arrays.npz"), "npz");
  EXPECT_EQ(fmt("ok/array.npy"), "npy");
  EXPECT_EQ(fmt("ok/model.joblib"), "joblib");
  EXPECT_EQ(fmt("ok/model.joblib.gz"), "gzip");
  EXPECT_EQ(fmt("mal/looks_like.txt"), "pytorch-zip");
  EXPECT_EQ(fmt("mal/config.json"), "pickle");
  EXPECT_EQ(fmt("ok/readme.md"), "text");
}

TEST_F(CorpusTest, DirectoryWalkScansEverythingInParallel) {
  ScanOptions o;
  o.jobs = 2;
  Scanner scanner(o);
  auto reports = scanner.Scan({CorpusDir() / "mal", CorpusDir() / "ok"});
  std::size_t files = 0;
  for (const auto& kv : CorpusExpectations()) files += 1, (void)kv;
  EXPECT_EQ(reports.size(), files);
  // Stable order: sorted within each directory argument.
  for (std::size_t i = 1; i < reports.size(); ++i) {
    if (reports[i - 1].file.find("/mal/") != std::string::npos &&
        reports[i].file.find("/mal/") != std::string::npos) {
      EXPECT_LT(reports[i - 1].file, reports[i].file);
    }
  }
}

}  // namespace
}  // namespace rampart::artifacts
