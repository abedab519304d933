// The scanner against files written by the libraries users write them with
// (make_real_corpus.py: torch, joblib, numpy, pandas, onnx, h5py): no benign
// file reaches the default --fail-on (high), every malicious twin is caught,
// on disk and inside 7z, tar.xz and zip archives.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "archive_maker.h"
#include "artifacts/scanner.h"
#include "core/file.h"
#include "corpus.h"

namespace rampart::artifacts {
namespace {

using testing::Member;
using testing::RealCorpus;

// The default `rampart scan --fail-on`.
constexpr Severity kFailOn = Severity::kHigh;

std::string Dump(const FileReport& r) {
  std::string s =
      r.file + " format=" + r.format + " coverage=" + std::string(CoverageName(r.coverage)) + "\n";
  if (r.error) s += "error: " + r.error->message() + "\n";
  for (const auto& f : r.findings) {
    s += "  " + f.Location() + " " + std::string(SeverityName(f.severity)) + " " + f.rule + " " +
         f.symbol + " | " + f.message + "\n";
  }
  return s;
}

std::string Inner(const Finding& f, std::size_t from = 0) {
  std::string s;
  for (std::size_t i = from; i < f.inner.size(); ++i) s += (s.empty() ? "" : "!") + f.inner[i];
  return s;
}

std::string Str(const boost::json::object& o, const char* key) {
  return o.contains(key) ? std::string(o.at(key).as_string()) : std::string();
}

Severity Sev(const boost::json::object& o, const char* key) {
  auto s = ParseSeverity(Str(o, key));
  EXPECT_TRUE(s) << key;
  return s ? *s : Severity::kCritical;
}

// True if `r` has the finding `e` describes; `prefix` is prepended to its
// member path (the file was wrapped in an archive as that member).
bool HasExpected(const FileReport& r, const boost::json::object& e,
                 const std::string& prefix = "") {
  std::string inner = Str(e, "inner");
  if (!prefix.empty()) inner = inner.empty() ? prefix : prefix + "!" + inner;
  for (const auto& f : r.findings) {
    if (f.rule != Str(e, "rule") || f.severity != Sev(e, "severity")) continue;
    if (e.contains("symbol") && f.symbol != Str(e, "symbol")) continue;
    if ((e.contains("inner") || !prefix.empty()) && Inner(f) != inner) continue;
    return true;
  }
  return false;
}

class RealCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override { RAMPART_NEEDS_CORPUS(RealCorpus()); }
  const std::filesystem::path& Dir() { return RealCorpus().dir; }
  // Expectations of files under `top` ("ok/", "mal/").
  std::vector<std::pair<std::string, boost::json::object>> Under(const std::string& top) {
    std::vector<std::pair<std::string, boost::json::object>> out;
    for (const auto& kv : RealCorpus().expect) {
      if (kv.key().starts_with(top))
        out.emplace_back(std::string(kv.key()), kv.value().as_object());
    }
    return out;
  }
  std::string Bytes(const std::string& name) {
    auto b = ReadFile(Dir() / name);
    EXPECT_TRUE(b) << b.error().message();
    return b ? *b : std::string();
  }
};

TEST_F(RealCorpusTest, BenignFilesStayBelowTheDefaultFailOn) {
  // One run over the whole tree, as a user scans a model directory.
  ScanOptions o;
  o.jobs = 2;
  Scanner scanner(o);
  auto reports = scanner.Scan({Dir() / "ok"});
  std::map<std::string, const FileReport*> by_name;
  for (const auto& r : reports) {
    by_name[std::filesystem::path(r.file).lexically_relative(Dir()).string()] = &r;
  }
  std::size_t checked = 0;
  for (const auto& [name, e] : Under("ok/")) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(by_name.contains(name)) << "not scanned";
    const FileReport& r = *by_name[name];
    ASSERT_FALSE(r.error) << r.error->message();
    if (e.contains("policy")) {
      // The user's own classes: reported under the default policy.
      const auto& d = e.at("default").as_object();
      EXPECT_TRUE(HasExpected(r, d)) << Dump(r);
      continue;
    }
    Severity max = Sev(e, "max");
    ASSERT_LT(max, kFailOn);
    for (const auto& f : r.findings) EXPECT_LE(f.severity, max) << Dump(r);
    // Inspected in full; only the raw external data of an ONNX model is skipped.
    EXPECT_EQ(r.coverage, e.contains("dir_only") ? Coverage::kSkipped : Coverage::kFull) << Dump(r);
    ++checked;
  }
  EXPECT_EQ(by_name.size(), Under("ok/").size()) << "files without an expectation";
  EXPECT_GE(checked, 50u);
}

TEST_F(RealCorpusTest, UserClassesPassUnderTheUsersPolicy) {
  auto policy = Policy::Load({Dir() / "user_policy.yaml"});
  ASSERT_TRUE(policy) << policy.error().message();
  Scanner scanner(ScanOptions::ForPolicy(*policy));
  std::size_t checked = 0;
  for (const auto& [name, e] : Under("ok/")) {
    if (!e.contains("policy")) continue;
    SCOPED_TRACE(name);
    auto r = scanner.ScanFile(Dir() / name);
    for (const auto& f : r.findings) EXPECT_LE(f.severity, Sev(e, "max")) << Dump(r);
    EXPECT_EQ(r.coverage, Coverage::kFull) << Dump(r);
    ++checked;
  }
  EXPECT_GE(checked, 2u);
}

TEST_F(RealCorpusTest, EveryMaliciousFileIsCaught) {
  Scanner scanner(ScanOptions{});
  std::size_t checked = 0;
  for (const auto& [name, e] : Under("mal/")) {
    SCOPED_TRACE(name);
    auto r = scanner.ScanFile(Dir() / name);
    ASSERT_FALSE(r.error) << r.error->message();
    EXPECT_TRUE(HasExpected(r, e)) << "expected " << boost::json::serialize(e) << "\n" << Dump(r);
    EXPECT_GE(Sev(e, "severity"), kFailOn);
    ++checked;
  }
  EXPECT_GE(checked, 24u);
}

TEST_F(RealCorpusTest, MaliciousFilesAreCaughtInside7zTarXzAndZip) {
  struct Wrap {
    const char* format;
    const char* filter;
  };
  for (const Wrap& w : {Wrap{"7zip", ""}, Wrap{"pax", "xz"}, Wrap{"zip", ""}}) {
    SCOPED_TRACE(w.format);
    Scanner scanner(ScanOptions{});
    for (const auto& [name, e] : Under("mal/")) {
      SCOPED_TRACE(name);
      std::string member = "upload/" + std::filesystem::path(name).filename().string();
      std::string archive = testing::MakeArchive(w.format, {{member, Bytes(name)}}, w.filter);
      ASSERT_FALSE(archive.empty());
      auto r = scanner.ScanBytes(archive, "wrapped");
      EXPECT_TRUE(HasExpected(r, e, member))
          << "expected " << boost::json::serialize(e) << " under " << member << "\n"
          << Dump(r);
    }
  }
}

TEST_F(RealCorpusTest, BenignFilesStayBelowTheDefaultFailOnInsideA7z) {
  std::vector<Member> members;
  std::map<std::string, Severity> max;
  for (const auto& [name, e] : Under("ok/")) {
    if (e.contains("policy")) continue;
    members.push_back({name, Bytes(name)});
    max[name] = Sev(e, "max");
  }
  std::string archive = testing::MakeArchive("7zip", members);
  ASSERT_FALSE(archive.empty());
  Scanner scanner(ScanOptions{});
  auto r = scanner.ScanBytes(archive, "release.7z");
  for (const auto& f : r.findings) {
    ASSERT_FALSE(f.inner.empty()) << Dump(r);
    ASSERT_TRUE(max.contains(f.inner[0])) << Dump(r);
    EXPECT_LE(f.severity, max[f.inner[0]]) << f.Location() << " " << f.rule << "\n" << Dump(r);
  }
  EXPECT_EQ(r.coverage, Coverage::kFull) << Dump(r);
}

}  // namespace
}  // namespace rampart::artifacts
