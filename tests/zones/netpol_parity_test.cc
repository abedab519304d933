// netpol-analyzer parity: `zones analyze` lists, line for line, what
// netpol-analyzer's `list` prints for the same manifests.
//
// Cases are directories holding input/ (manifests) and expected_connlist.txt
// (netpol-analyzer's text output). The shared corpus (../shared/testdata/netpol,
// ten cases of netpol-analyzer's own tests, Apache-2.0) must match byte for
// byte after sorting; tests/zones/testdata/netpol holds cases written for
// Rampart in the same conventions (Lists without item kinds, CronJob, Route
// with a named port, ...).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "core/file.h"
#include "testing/testing.h"
#include "zones/analyze.h"
#include "zones/manifest.h"

namespace rampart::zones {
namespace {

namespace fs = std::filesystem;

// ../shared beside the repository; a git worktree may sit one level deeper.
fs::path SharedCases() {
  fs::path src = fs::absolute(testing::SourceDir());
  for (const fs::path& base : {src.parent_path(), src.parent_path().parent_path()}) {
    if (fs::is_directory(base / "shared/testdata/netpol/cases")) {
      return base / "shared/testdata/netpol/cases";
    }
  }
  return src.parent_path() / "shared/testdata/netpol/cases";
}

fs::path OwnCases() { return testing::SourceDir() / "tests/zones/testdata/netpol"; }

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct CaseResult {
  std::string got;
  std::string expected;
  Diagnostics diags;
};

CaseResult RunCase(const fs::path& dir) {
  CaseResult r;
  auto cluster = LoadManifests({dir / "input"}, &r.diags);
  EXPECT_TRUE(cluster.has_value()) << dir;
  if (!cluster) return r;
  Connectivity conn = Analyze(*cluster);
  r.got = ConnectionsText(conn.List());
  auto expected = ReadFile(dir / "expected_connlist.txt");
  EXPECT_TRUE(expected.has_value()) << dir;
  if (expected) r.expected = *expected;
  return r;
}

std::vector<fs::path> CasesIn(const fs::path& root) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (fs::exists(e.path() / "expected_connlist.txt")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Prints what differs, a few lines each way.
std::string Difference(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  std::vector<std::string> extra, missing;
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::string out;
  for (std::size_t i = 0; i < extra.size() && i < 8; ++i) out += "  + " + extra[i] + "\n";
  for (std::size_t i = 0; i < missing.size() && i < 8; ++i) out += "  - " + missing[i] + "\n";
  return out + "  (" + std::to_string(extra.size()) + " extra, " + std::to_string(missing.size()) +
         " missing)";
}

void ExpectCasesMatch(const std::vector<fs::path>& cases) {
  for (const auto& dir : cases) {
    CaseResult r = RunCase(dir);
    auto got = SortedLines(r.got), want = SortedLines(r.expected);
    EXPECT_FALSE(want.empty()) << dir;
    EXPECT_EQ(got, want) << dir.filename().string() << ":\n"
                         << Difference(got, want) << "\n"
                         << r.diags.ToString();
  }
}

TEST(NetpolParity, SharedCorpusMatchesByteForByteAfterSorting) {
  fs::path root = SharedCases();
  RAMPART_NEEDS(fs::is_directory(root), "../shared/testdata/netpol/cases");
  auto cases = CasesIn(root);
  ASSERT_EQ(cases.size(), 10u) << root;
  ExpectCasesMatch(cases);
}

TEST(NetpolParity, OwnCasesMatch) {
  auto cases = CasesIn(OwnCases());
  ASSERT_GE(cases.size(), 4u) << OwnCases();
  ExpectCasesMatch(cases);
}

// Lists without item kinds come from `kubectl get -o yaml|json`: the
// namespaces and pods of the shared dumps are all read, none is an error.
TEST(NetpolParity, ClusterDumpsAreReadWithoutErrors) {
  fs::path root = SharedCases();
  RAMPART_NEEDS(fs::is_directory(root), "../shared/testdata/netpol/cases");
  for (const char* name : {"core_pods_without_host_ip", "test_with_named_ports", "ipblockstest",
                           "semanticDiff-same-topologies-old1", "onlineboutique"}) {
    Diagnostics diags;
    auto c = LoadManifests({root / name / "input"}, &diags);
    ASSERT_TRUE(c.has_value()) << name;
    EXPECT_FALSE(diags.has_errors()) << name << "\n" << diags.ToString();
    EXPECT_FALSE(c->workloads.empty()) << name;
    EXPECT_FALSE(c->namespaces.empty()) << name;
  }
}

// netpol_named_port_test spells one containerPort `containerport`: the port
// is an error (exit 2 from the CLI), the workload itself is still analysed.
TEST(NetpolParity, MisspelledContainerPortIsReportedAndTheWorkloadKept) {
  fs::path root = SharedCases();
  RAMPART_NEEDS(fs::is_directory(root), "../shared/testdata/netpol/cases");
  Diagnostics diags;
  auto c = LoadManifests({root / "netpol_named_port_test/input"}, &diags);
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(diags.error_count(), 1u) << diags.ToString();
  const Diagnostic& d = diags.items()[0];
  EXPECT_NE(d.location.file.find("pods.yaml"), std::string::npos);
  EXPECT_EQ(d.location.line, 31) << d.ToString();
  EXPECT_NE(d.message.find("Deployment helloworld/pod-a"), std::string::npos) << d.ToString();
  EXPECT_NE(d.message.find("no containerPort; the port is ignored"), std::string::npos);
  bool found = false;
  for (const auto& w : c->workloads) {
    if (w.Id() == "helloworld/pod-a[Deployment]") {
      found = true;
      ASSERT_EQ(w.ports.size(), 1u);
      EXPECT_EQ(w.ports[0].name, "newport");
      EXPECT_EQ(w.ports[0].protocol, Protocol::kSctp);
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace rampart::zones
