// `rampart serve`: starts in the foreground, logs, stops cleanly on signals.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "testing/testing.h"

namespace rampart {
namespace {

struct ServePorts {
  int ledger = 0, gateway = 0, admin = 0;
};

// A copy of examples/estate.yaml in `dir` whose ledger, gateway and gateway
// admin listeners are on free ports instead of the example's fixed ones
// (7000, 8080, 9464), so a `make run` beside the tests never collides with
// them; its gateway keys file is in `dir` too. "" (and a test failure) if the
// example's sections changed shape.
std::string ExampleOnFreePorts(const testing::TempDir& dir, ServePorts* ports) {
  ports->ledger = testing::FreePort();
  ports->gateway = testing::FreePort();
  ports->admin = testing::FreePort();
  std::ifstream in(testing::SourceDir() / "examples/estate.yaml");
  std::string out, line, section;
  bool saw_ledger = false, saw_gateway = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#' && line.find(':') != std::string::npos) {
      section = line.substr(0, line.find(':'));
    }
    bool ours = section == "ledger" || section == "gateway";
    if (ours && (line.starts_with("  listen:") || line.starts_with("  admin:"))) {
      if (line.starts_with("  admin:") && line.find('{') == std::string::npos) {
        ADD_FAILURE() << "examples/estate.yaml: a block `admin:` in gateway:; update this test";
        return "";
      }
      continue;  // replaced below
    }
    if (section == "gateway" && line.starts_with("    keys_file:")) {
      // Keep the test's state out of the source tree's var/.
      line = "    keys_file: " + (dir / "var/gateway-keys.json").string();
    }
    out += line + "\n";
    if (line == "ledger:") {
      saw_ledger = true;
      out += "  listen: 127.0.0.1:" + std::to_string(ports->ledger) + "\n";
    } else if (line == "gateway:") {
      saw_gateway = true;
      out += "  listen: 127.0.0.1:" + std::to_string(ports->gateway) + "\n";
      out += "  admin: {enabled: true, listen: 127.0.0.1:" + std::to_string(ports->admin) + "}\n";
    }
  }
  if (!saw_ledger || !saw_gateway) {
    ADD_FAILURE() << "examples/estate.yaml has no top-level ledger: or gateway: section";
    return "";
  }
  return dir.Write("estate.yaml", out).string();
}

TEST(ServeCliTest, StartsAndStopsOnSigterm) {
  testing::TempDir dir;
  ServePorts ports;
  std::string estate = ExampleOnFreePorts(dir, &ports);
  ASSERT_FALSE(estate.empty());
  testing::Process p(
      {testing::RampartBin(), "serve", "--estate", estate, "--var-dir", (dir / "var").string()},
      dir.path());
  ASSERT_TRUE(p.WaitForOutput("service(s) running")) << p.Stderr();
  // Every listener is on the port the test chose.
  for (int port : {ports.ledger, ports.gateway, ports.admin}) {
    EXPECT_TRUE(testing::WaitForPort(port)) << port << "\n" << p.Stderr();
  }
  EXPECT_NE(p.Stderr().find("estate 'acme-ai' loaded"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_directory(dir / "var"));
  EXPECT_EQ(p.Stop(SIGTERM), 0) << p.Stderr();
  EXPECT_NE(p.Stderr().find("rampart serve: stopped"), std::string::npos) << p.Stderr();
}

TEST(ServeCliTest, StopsOnSigintAndSurvivesSighup) {
  testing::TempDir dir;
  ServePorts ports;
  std::string estate = ExampleOnFreePorts(dir, &ports);
  ASSERT_FALSE(estate.empty());
  testing::Process p(
      {testing::RampartBin(), "serve", "-e", estate, "--var-dir", (dir / "var").string()},
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
