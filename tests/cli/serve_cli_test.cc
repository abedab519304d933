// `rampart serve`: starts in the foreground, logs, stops cleanly on signals.
#include <gtest/gtest.h>
#include <signal.h>

#include "testing/testing.h"

namespace rampart {
namespace {

TEST(ServeCliTest, StartsAndStopsOnSigterm) {
  testing::TempDir dir;
  testing::Process p({testing::RampartBin(), "serve", "--estate",
                      (testing::SourceDir() / "examples/estate.yaml").string(), "--var-dir",
                      (dir / "var").string()},
                     dir.path());
  ASSERT_TRUE(p.WaitForOutput("service(s) running")) << p.Stderr();
  EXPECT_NE(p.Stderr().find("estate 'acme-ai' loaded"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_directory(dir / "var"));
  EXPECT_EQ(p.Stop(SIGTERM), 0) << p.Stderr();
  EXPECT_NE(p.Stderr().find("rampart serve: stopped"), std::string::npos) << p.Stderr();
}

TEST(ServeCliTest, StopsOnSigintAndSurvivesSighup) {
  testing::TempDir dir;
  testing::Process p({testing::RampartBin(), "serve", "-e",
                      (testing::SourceDir() / "examples/estate.yaml").string(), "--var-dir",
                      (dir / "var").string()},
                     dir.path());
  ASSERT_TRUE(p.WaitForOutput("service(s) running")) << p.Stderr();
  kill(p.pid(), SIGHUP);
  ASSERT_TRUE(p.WaitForOutput("SIGHUP: reloading")) << p.Stderr();
  EXPECT_TRUE(p.running());
  EXPECT_EQ(p.Stop(SIGINT), 0);
}

TEST(ServeCliTest, InvalidEstateFailsFast) {
  testing::TempDir dir;
  auto bad = dir.Write("bad.yaml", "zones:\n  - {name: a}\n");
  auto r =
      testing::RunRampart({"serve", "--estate", bad.string(), "--var-dir", (dir / "var").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing required field 'kind'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rampart
