// End to end against a software TPM: swtpm extends PCRs with a synthetic
// but well-formed UEFI event log and IMA list, tpm2-tools creates EK and AK
// and quotes, and `rampart node enroll|verify` checks it all; then the log,
// the quote, the nonce, the AK and the golden values are tampered with, each
// refused with its reason. Needs swtpm and tpm2-tools (RAMPART_NEEDS).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "core/crypto.h"
#include "synthetic.h"
#include "testing/http_client.h"
#include "testing/testing.h"

namespace rampart::attest::tpm {
namespace {

namespace fs = std::filesystem;
using rampart::testing::CommandResult;
using rampart::testing::Run;
using rampart::testing::RunRampart;

bool HaveTools() {
  return Run({"/bin/sh", "-c",
              "command -v swtpm && command -v tpm2_quote && command -v tpm2_createak && "
              "command -v openssl"})
             .exit_code == 0;
}

void WriteBytes(const fs::path& p, const Bytes& b) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
Bytes ReadBytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

std::string List(const std::string& v) { return "[\"" + v + "\"]"; }

class SwTpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(HaveTools(), "swtpm, tpm2-tools and openssl");
    fs::create_directories(dir_ / "state");
    sock_ = (dir_ / "s.sock").string();
    swtpm_ = std::make_unique<rampart::testing::Process>(
        std::vector<std::string>{
            "swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + (dir_ / "state").string(),
            "--server", "type=unixio,path=" + sock_, "--ctrl",
            "type=unixio,path=" + sock_ + ".ctrl", "--flags", "not-need-init,startup-clear"},
        dir_.path());
    // Up to 30 s: swtpm starts slowly on a loaded machine.
    for (int i = 0; i < 1500 && !(fs::exists(sock_) && fs::exists(sock_ + ".ctrl")); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(fs::exists(sock_)) << "swtpm did not start";
    Tpm({"tpm2_createek", "-c", P("ek.ctx"), "-G", "rsa", "-u", P("ek.pub")});
    Tpm({"tpm2_readpublic", "-c", P("ek.ctx"), "-f", "pem", "-o", P("ek.pem")});
    Flush();
    MakeAk("ak");
    MakeAk("ak2");
  }

  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  CommandResult Tpm(const std::vector<std::string>& argv) {
    CommandResult r = rampart::testing::Run(argv, "", {"TPM2TOOLS_TCTI=swtpm:path=" + sock_});
    EXPECT_EQ(r.exit_code, 0) << argv[0] << ": " << r.err;
    return r;
  }
  void Flush() {
    Tpm({"tpm2_flushcontext", "-t"});
    Tpm({"tpm2_flushcontext", "-s"});
  }
  void MakeAk(const std::string& name) {
    Tpm({"tpm2_createak", "-C", P("ek.ctx"), "-c", P(name + ".ctx"), "-G", "rsa", "-g", "sha256",
         "-s", "rsassa", "-u", P(name + ".pub"), "-n", P(name + ".name")});
    Flush();
  }

  // Extends the TPM with a boot and IMA list; writes boot.log and ima.log.
  void Boot(const synthetic::BootSpec& spec) {
    synthetic::EventLogBuilder b;
    synthetic::WriteBoot(spec, &b);
    WriteBytes(dir_ / "boot.log", b.bytes());
    std::vector<std::string> argv{"tpm2_pcrextend"};
    for (const auto& [pcr, d] : b.extends())
      argv.push_back(std::to_string(pcr) + ":sha256=" + HexEncode(d));
    std::string ima;
    for (auto [path, content] :
         {std::pair{"/usr/bin/vllm", "vllm 0.6"}, std::pair{kDriver, "nvidia 550.54"}}) {
      auto l = synthetic::MakeImaLine(path, content);
      ima += l.line;
      argv.push_back("10:sha256=" + HexEncode(l.sha256_extend));
    }
    Tpm(argv);
    std::ofstream(dir_ / "ima.log") << ima;
  }

  void Quote(const std::string& nonce) {
    Tpm({"tpm2_quote", "-c", P("ak.ctx"), "-l", "sha256:0,1,2,3,4,5,6,7,8,9,10", "-q", nonce, "-m",
         P("q.msg"), "-s", P("q.sig"), "-g", "sha256"});
    Flush();
  }

  void WritePolicy(const synthetic::BootSpec& s, const std::string& driver = "nvidia 550.54") {
    std::string sha = "sha256:";
    std::ofstream(dir_ / "nodes.yaml")
        << "version: 1\nclasses:\n  gpu-training:\n    secure_boot: required\n"
        << "    firmware: " << List(sha + synthetic::Sha256Hex(s.firmware_blob)) << "\n"
        << "    boot_applications: [\"" << sha << synthetic::Sha256Hex(s.shim) << "\", \"" << sha
        << synthetic::Sha256Hex(s.grub) << "\"]\n"
        << "    kernel: " << List(sha + synthetic::Sha256Hex(s.kernel)) << "\n"
        << "    kernel_cmdline: " << List(s.cmdline) << "\n"
        << "    files:\n      " << kDriver << ": " << List(sha + synthetic::Sha256Hex(driver))
        << "\n";
  }

  CommandResult Verify(const std::string& nonce, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        "node", "verify", "--quote",     P("q.msg"), "--signature", P("q.sig"), "--nonce",
        nonce,  "--log",  P("boot.log"), "--ima",    P("ima.log"),  "--policy", P("nodes.yaml")};
    if (extra.empty()) extra = {"--node", "gpu-01", "--registry", P("registry")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRampart(args);
  }

  // Starts `rampart node agent` on the swtpm over loopback and enrols it as
  // gpu-01 (class gpu-training) with its address; null on failure.
  std::unique_ptr<rampart::testing::Process> StartAgentAndEnroll(std::string* address) {
    int port = rampart::testing::FreePort();
    *address = "127.0.0.1:" + std::to_string(port);
    auto agent = std::make_unique<rampart::testing::Process>(
        std::vector<std::string>{rampart::testing::RampartBin(), "node", "agent", "--listen",
                                 *address, "--ak-ctx", P("ak.ctx"), "--log", P("boot.log"), "--ima",
                                 P("ima.log")},
        dir_.path(), std::vector<std::string>{"TPM2TOOLS_TCTI=swtpm:path=" + sock_});
    if (!rampart::testing::WaitForPort(port)) {
      ADD_FAILURE() << "the node agent did not listen: " << agent->Stderr();
      return nullptr;
    }
    CommandResult e =
        RunRampart({"node", "enroll", "--name", "gpu-01", "--class", "gpu-training", "--ak",
                    P("ak.pub"), "--registry", P("registry"), "--address", *address});
    if (e.exit_code != 0) {
      ADD_FAILURE() << "node enroll: " << e.err;
      return nullptr;
    }
    return agent;
  }
  static constexpr const char* kDriver = "/lib/modules/6.1.0/kernel/drivers/video/nvidia.ko";
  rampart::testing::TempDir dir_;
  std::string sock_;
  std::unique_ptr<rampart::testing::Process> swtpm_;
};

TEST_F(SwTpmTest, QuoteAndLogsVerifyAndEveryTamperIsRefusedByName) {
  synthetic::BootSpec spec;
  Boot(spec);
  const std::string nonce = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  Quote(nonce);
  WritePolicy(spec);

  // Enrolment: the EK (PEM or TPM2B_PUBLIC) and a restricted signing AK.
  CommandResult e = RunRampart({"node", "enroll", "--name", "gpu-01", "--class", "gpu-training",
                                "--ak", P("ak.pub"), "--ek", P("ek.pub"), "--registry",
                                P("registry"), "--policy", P("nodes.yaml")});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("enrolled gpu-01 (class gpu-training, AK 000b"), std::string::npos) << e.out;
  // The EK is a decryption key: never an AK.
  e = RunRampart({"node", "enroll", "--name", "bad", "--class", "gpu-training", "--ak", P("ek.pub"),
                  "--registry", P("registry")});
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_NE(e.err.find("enroll.ak_attributes"), std::string::npos) << e.err;

  // The untouched evidence verifies.
  CommandResult r = Verify(nonce);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok: matches the golden values of class gpu-training"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("kernel sha256:" + synthetic::Sha256Hex(spec.kernel)), std::string::npos);
  // With the AK given directly, in JSON.
  r = Verify(nonce, {"--ak", P("ak.pub"), "--class", "gpu-training", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"verified\": true"), std::string::npos) << r.out;

  // The nonce: a replayed quote.
  r = Verify("00112233445566778899aabbccddeeff");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("REFUSED: quote.nonce"), std::string::npos) << r.err;

  // The AK: another key of the same TPM did not sign this quote.
  r = Verify(nonce, {"--ak", P("ak2.pub"), "--class", "gpu-training"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("REFUSED: quote.signature"), std::string::npos) << r.err;

  // The quote: one bit of the PCR digest flipped.
  Bytes q = ReadBytes(dir_ / "q.msg");
  Bytes flipped = q;
  flipped.back() ^= 1;
  WriteBytes(dir_ / "q.msg", flipped);
  r = Verify(nonce);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("REFUSED: quote.signature"), std::string::npos) << r.err;
  // ... and its magic.
  flipped = q;
  flipped[0] = 0;
  WriteBytes(dir_ / "q.msg", flipped);
  r = Verify(nonce);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("quote.parse: TPMS_ATTEST.magic at offset 0"), std::string::npos) << r.err;
  WriteBytes(dir_ / "q.msg", q);

  // The log: a boot log that claims another kernel does not replay to the quote.
  Bytes log = ReadBytes(dir_ / "boot.log");
  synthetic::BootSpec other = spec;
  other.kernel = "a kernel with a rootkit";
  synthetic::EventLogBuilder b;
  synthetic::WriteBoot(other, &b);
  WriteBytes(dir_ / "boot.log", b.bytes());
  r = Verify(nonce);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("REFUSED: quote.pcr_digest"), std::string::npos) << r.err;
  // A truncated log.
  WriteBytes(dir_ / "boot.log", Bytes(log.begin(), log.end() - 7));
  r = Verify(nonce);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("REFUSED: event_log."), std::string::npos) << r.err;
  WriteBytes(dir_ / "boot.log", log);

  // The IMA list: a driver swapped after it was measured.
  std::string ima;
  {
    std::ifstream f(dir_ / "ima.log");
    ima.assign(std::istreambuf_iterator<char>(f), {});
  }
  std::ofstream(dir_ / "ima.log") << synthetic::MakeImaLine("/usr/bin/vllm", "vllm 0.6").line
                                  << synthetic::MakeImaLine(kDriver, "nvidia 550.54 patched").line;
  r = Verify(nonce);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("REFUSED: quote.pcr_digest"), std::string::npos) << r.err;
  std::ofstream(dir_ / "ima.log") << ima;

  // The golden values: the class expects another kernel and another driver.
  synthetic::BootSpec expected = spec;
  expected.kernel = "kernel image 6.1.1";
  WritePolicy(expected, "nvidia 555.00");
  r = Verify(nonce);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("drift: kernel: digest sha256:" + synthetic::Sha256Hex(spec.kernel) +
                       " not in golden values for class gpu-training"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(std::string("drift: files:") + kDriver +
                       ": digest sha256:" + synthetic::Sha256Hex("nvidia 550.54") +
                       " not in golden values for class gpu-training"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 drift(s) from class gpu-training"), std::string::npos) << r.out;
}

TEST_F(SwTpmTest, EkCertificateMustChainToThePinnedRoot) {
  // swtpm's own EK certificates come from its local CA; here a test root
  // certifies the EK's public key, as a manufacturer would.
  auto ossl = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = rampart::testing::Run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  for (const std::string root : {"root", "other"})
    ossl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
          "-keyout", P(root + ".key"), "-out", P(root + ".pem"), "-subj", "/CN=" + root, "-days",
          "2"});
  ossl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        P("csr.key"), "-subj", "/CN=ek", "-out", P("ek.csr")});
  ossl({"x509", "-req", "-in", P("ek.csr"), "-CA", P("root.pem"), "-CAkey", P("root.key"),
        "-force_pubkey", P("ek.pem"), "-set_serial", "7", "-days", "1", "-out", P("ekcert.pem")});
  std::vector<std::string> base{"node",       "enroll",       "--name",    "gpu-02",
                                "--class",    "gpu-training", "--ak",      P("ak.pub"),
                                "--ek",       P("ek.pub"),    "--ek-cert", P("ekcert.pem"),
                                "--registry", P("registry"),  "--ek-roots"};
  auto args = base;
  args.push_back(P("other.pem"));
  CommandResult r = RunRampart(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("enroll.ek_certificate"), std::string::npos) << r.err;
  args = base;
  args.push_back(P("root.pem"));
  r = RunRampart(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("EK certificate verified"), std::string::npos) << r.out;
  // A certificate of another key than this EK.
  args = base;
  args[9] = P("ak.pub");  // --ek: the AK's public area
  args.push_back(P("root.pem"));
  args.push_back("--replace");
  r = RunRampart(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("certifies another key"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rampart::attest::tpm

namespace rampart::attest::tpm {
namespace {

// The node agent (quoting with tpm2-tools on the swtpm) and the verifier
// loop (`rampart node poll`) over loopback.
TEST_F(SwTpmTest, AgentAnswersTheVerifierLoopOverLoopback) {
  synthetic::BootSpec spec;
  Boot(spec);
  WritePolicy(spec);
  std::string address;
  auto agent = StartAgentAndEnroll(&address);
  ASSERT_NE(agent, nullptr);

  CommandResult r = RunRampart(
      {"node", "poll", "--once", "--registry", P("registry"), "--policy", P("nodes.yaml")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << agent->Stderr();
  EXPECT_EQ(r.out, "gpu-01: attested\n");

  // The class moves to a new kernel the node has not booted: drift, by name.
  synthetic::BootSpec expected = spec;
  expected.kernel = "kernel image 6.1.1";
  WritePolicy(expected);
  r = RunRampart(
      {"node", "poll", "--once", "--registry", P("registry"), "--policy", P("nodes.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "gpu-01: drifted\n  kernel: digest sha256:" + synthetic::Sha256Hex(spec.kernel) +
                       " not in golden values for class gpu-training\n");

  // The agent sends a log that is not the one that was measured.
  synthetic::BootSpec other = spec;
  other.grub = "another grub";
  synthetic::EventLogBuilder b;
  synthetic::WriteBoot(other, &b);
  WriteBytes(dir_ / "boot.log", b.bytes());
  r = RunRampart(
      {"node", "poll", "--once", "--registry", P("registry"), "--policy", P("nodes.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("gpu-01: refused\n  quote.pcr_digest:"), std::string::npos) << r.out;

  EXPECT_EQ(agent->Stop(SIGTERM), 0);
  r = RunRampart({"node", "poll", "--once", "--timeout-ms", "2000", "--registry", P("registry"),
                  "--policy", P("nodes.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("gpu-01: unreachable\n  fetch: agent " + address), std::string::npos)
      << r.out;
}

// `rampart node poll --ledger` records every result in a real ledger, as the
// broker's loop does, and `--metrics` serves the loop's state.
TEST_F(SwTpmTest, NodePollRecordsInTheLedgerAndServesMetrics) {
  synthetic::BootSpec spec;
  Boot(spec);
  WritePolicy(spec);
  std::string address;
  auto agent = StartAgentAndEnroll(&address);
  ASSERT_NE(agent, nullptr);
  std::string store = "sqlite:" + P("ledger.db");
  CommandResult init = RunRampart({"ledger", "init", "--store", store, "--key", P("ledger.key")});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  std::ofstream(dir_ / "ledger.pub") << init.out;
  auto poll = [&] {
    return RunRampart({"node", "poll", "--once", "--registry", P("registry"), "--policy",
                       P("nodes.yaml"), "--ledger", store, "--ledger-signer", P("ledger.key")});
  };
  CommandResult r = poll();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  synthetic::BootSpec expected = spec;
  expected.kernel = "kernel image 6.1.1";
  WritePolicy(expected);
  r = poll();
  EXPECT_EQ(r.exit_code, 1) << r.err;

  CommandResult ledger = RunRampart({"ledger", "export", "--store", store});
  ASSERT_EQ(ledger.exit_code, 0) << ledger.err;
  std::string drift = "kernel: digest sha256:" + synthetic::Sha256Hex(spec.kernel) +
                      " not in golden values for class gpu-training";
  auto attested = ledger.out.find("\"type\":\"node.attested\"");
  auto drifted = ledger.out.find("\"type\":\"node.drifted\"");
  ASSERT_NE(attested, std::string::npos) << ledger.out;
  ASSERT_NE(drifted, std::string::npos) << ledger.out;
  EXPECT_LT(attested, drifted);  // in the order they happened
  EXPECT_NE(ledger.out.find(drift), std::string::npos) << ledger.out;
  EXPECT_NE(ledger.out.find("\"actor\":\"rampart-node-verifier\""), std::string::npos)
      << ledger.out;
  CommandResult v = RunRampart({"ledger", "verify", "--store", store, "--pub", P("ledger.pub")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  // A store that is not there: refused before any poll.
  r = RunRampart({"node", "poll", "--once", "--registry", P("registry"), "--policy",
                  P("nodes.yaml"), "--ledger", "sqlite:" + P("none.db"), "--ledger-signer",
                  P("ledger.key")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;

  // The loop's /metrics: the drifted node at 0, its poll time, the outcome counted.
  int port = rampart::testing::FreePort();
  rampart::testing::Process loop({rampart::testing::RampartBin(), "node", "poll", "--interval", "1",
                                  "--registry", P("registry"), "--policy", P("nodes.yaml"),
                                  "--metrics", "127.0.0.1:" + std::to_string(port)},
                                 dir_.path());
  ASSERT_TRUE(rampart::testing::WaitForPort(port)) << loop.Stderr();
  ASSERT_TRUE(loop.WaitForOutput("gpu-01: drifted")) << loop.Stdout() << loop.Stderr();
  auto m = rampart::testing::RawExchange(
      port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("rampart_node_attested{node=\"gpu-01\",class=\"gpu-training\"} 0\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("rampart_node_last_poll_timestamp_seconds{node=\"gpu-01\"} "),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("rampart_node_polls_drifted_total "), std::string::npos) << m.body;
  EXPECT_EQ(m.body.find("rampart_node_polls_drifted_total 0"), std::string::npos) << m.body;
  EXPECT_EQ(m.body.find("kernel"), std::string::npos);  // reasons stay in the ledger
  auto other = rampart::testing::RawExchange(
      port, "GET /v1/quote HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(loop.Stop(SIGTERM), 0) << loop.Stderr();  // stops between polls
}

// The key broker gates a sealed model's key on the node's measured boot: it
// runs the node verifier loop itself (attest.nodes), so a node whose kernel
// drifted from its class's golden values gets no key, and the refusal, the
// drift and the release before it are all in the broker's ledger.
TEST_F(SwTpmTest, KeyBrokerReleasesOnlyToAnAttestedNode) {
  synthetic::BootSpec spec;
  Boot(spec);
  WritePolicy(spec);
  std::string address;
  auto agent = StartAgentAndEnroll(&address);
  ASSERT_NE(agent, nullptr);

  fs::create_directories(dir_ / "model");
  std::ofstream(dir_ / "model" / "weights.bin", std::ios::binary) << std::string(4096, 'w');
  CommandResult seal = RunRampart({"seal", P("model"), "-o", P("sealed"), "--resource",
                                   "models/tiny/key", "--kek", P("kbs.kek"), "--create-kek"});
  ASSERT_EQ(seal.exit_code, 0) << seal.err;
  auto sk = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  ASSERT_TRUE(sk.has_value());
  std::ofstream(dir_ / "sample.pem") << *sk->ToPem();
  std::ofstream(dir_ / "sample.pub") << *sk->public_key().ToPem();
  const int metrics_port = rampart::testing::FreePort();
  std::ofstream(dir_ / "kbs.yaml")
      << "attest:\n"
         "  kek: kbs.kek\n"
         "  sample_key: sample.pub\n"
         "  nodes: {registry: registry, policy: nodes.yaml, "
         "metrics: \"127.0.0.1:" +
             std::to_string(metrics_port) +
             "\"}\n"
             "  resources:\n"
             "    - {path: models/tiny/key, sealed: sealed, policy: p}\n"
             "  policies:\n"
             "    - {id: p, tee: [sample], require_attested_node: true}\n";
  auto start = [&] {
    auto kbs = std::make_unique<rampart::testing::Process>(
        std::vector<std::string>{rampart::testing::RampartBin(), "kbs", "serve", "--policy",
                                 P("kbs.yaml"), "--listen", "127.0.0.1:0", "--insecure-http",
                                 "--ledger-store", "sqlite:" + P("ledger.db"), "--ledger-signer",
                                 P("ledger.key")},
        dir_.path());
    EXPECT_TRUE(kbs->WaitForOutput("listening on")) << kbs->Stderr();
    std::smatch m;
    std::string out = kbs->Stdout();
    EXPECT_TRUE(std::regex_search(out, m, std::regex("http://127\\.0\\.0\\.1:([0-9]+)"))) << out;
    return std::pair{std::move(kbs), "http://127.0.0.1:" + m[1].str()};
  };
  auto client = [&](const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> args{
        "attest",          "client",       "--url",         url,  "--resource",
        "models/tiny/key", "--sample-key", P("sample.pem"), "-o", P("dk")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRampart(args);
  };

  auto [kbs, url] = start();
  CommandResult r =
      client(url, {"--node", "gpu-01", "--unseal", P("sealed"), "--unseal-out", P("out")});
  EXPECT_EQ(r.exit_code, 0) << r.err << kbs->Stderr();
  EXPECT_TRUE(fs::exists(dir_ / "out" / "weights.bin"));
  r = client(url, {});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("requires an attested node and the requester named none"), std::string::npos)
      << r.err;
  r = client(url, {"--node", "gpu-02"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("node gpu-02 is not enrolled"), std::string::npos) << r.err;
  // The broker's loop serves its node state on its own /metrics listener.
  auto m = rampart::testing::RawExchange(
      metrics_port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("rampart_node_attested{node=\"gpu-01\",class=\"gpu-training\"} 1\n"),
            std::string::npos)
      << m.body;
  EXPECT_EQ(kbs->Stop(SIGTERM), 0) << kbs->Stderr();

  // The class moves to a kernel this node has not booted: the broker's
  // verifier loop finds the drift and the key is refused, by name.
  synthetic::BootSpec expected = spec;
  expected.kernel = "kernel image 6.1.1";
  WritePolicy(expected);
  auto [kbs2, url2] = start();
  r = client(url2, {"--node", "gpu-01"});
  EXPECT_EQ(r.exit_code, 1);
  std::string drift = "kernel: digest sha256:" + synthetic::Sha256Hex(spec.kernel) +
                      " not in golden values for class gpu-training";
  EXPECT_NE(r.err.find("node gpu-01 is drifted: " + drift), std::string::npos) << r.err;
  EXPECT_EQ(kbs2->Stop(SIGTERM), 0) << kbs2->Stderr();

  CommandResult ledger = RunRampart({"ledger", "export", "--store", "sqlite:" + P("ledger.db")});
  ASSERT_EQ(ledger.exit_code, 0) << ledger.err;
  EXPECT_NE(ledger.out.find("\"type\":\"node.attested\""), std::string::npos) << ledger.out;
  EXPECT_NE(ledger.out.find("\"type\":\"key.released\""), std::string::npos) << ledger.out;
  EXPECT_NE(ledger.out.find("\"type\":\"node.drifted\""), std::string::npos) << ledger.out;
  EXPECT_NE(ledger.out.find(drift), std::string::npos) << ledger.out;
  EXPECT_NE(ledger.out.find("\"type\":\"key.refused\""), std::string::npos) << ledger.out;
}

}  // namespace
}  // namespace rampart::attest::tpm
