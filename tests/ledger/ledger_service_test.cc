// The ledger as a user runs it: the real `rampart` binary serving HTTP on
// loopback, real clients, kill -9, the HTTP audit sink, `rampart serve`.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "core/http_audit_sink.h"
#include "core/json.h"
#include "http_client.h"
#include "ledger/api_key.h"
#include "testing/testing.h"

namespace rampart::ledger {
namespace {

using testing_http::Request;

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

class LedgerServer : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      store_ = "sqlite:" + (dir_ / "ledger.db").string();
    } else {
      const char* pg = std::getenv("RAMPART_TEST_PG_URL");
      RAMPART_NEEDS(pg != nullptr && *pg != '\0',
                    "PostgreSQL: RAMPART_TEST_PG_URL is not set; run eval \"$(bash "
                    "scripts/test-services.sh start)\"");
      std::random_device rd;
      schema_ = "ledger_it_" + std::to_string(getpid()) + "_" + std::to_string(rd() % 1000000);
      store_ = std::string(pg) + (std::string(pg).find('?') == std::string::npos ? "?" : "&") +
               "schema=" + schema_;
    }
    auto k = GenerateApiKey("orchestrator-sa");
    ASSERT_TRUE(k.has_value());
    key_ = *k;
  }

  std::unique_ptr<testing::Process> Start(int port) {
    auto p = std::make_unique<testing::Process>(
        std::vector<std::string>{
            testing::RampartBin(), "ledger", "serve", "--store", store_, "--key",
            (dir_ / "ledger.key").string(), "--origin", "test.rampart/ledger", "--listen",
            "127.0.0.1:" + std::to_string(port), "--api-key",
            "orchestrator-sa=" + key_.record.salted_hash, "--checkpoint-interval-ms", "50"},
        dir_.path());
    EXPECT_TRUE(p->WaitForOutput("listening on")) << p->Stderr();
    return p;
  }

  testing::CommandResult Cli(std::vector<std::string> args) {
    args.push_back("--store");
    args.push_back(store_);
    return testing::RunRampart(args);
  }

  testing::TempDir dir_;
  std::string store_, schema_;
  NewApiKey key_;
};

json::object Body(const testing_http::HttpReply& r) {
  auto v = ParseJson(r.body);
  return v && v->is_object() ? v->get_object() : json::object{};
}

// Tests of what does not depend on the store (the HTTP API, the audit sink)
// run on SQLite only: the suite is instantiated for that one backend.
class LedgerServerSqlite : public LedgerServer {};

TEST_P(LedgerServerSqlite, ApiAuthenticatesValidatesAndProves) {
  int port = testing::FreePort();
  auto p = Start(port);
  std::string entry = R"({"type":"dataset.ingested","actor":"etl-sa","subjects":[{"digest":")" +
                      Digest('a') + R"(","name":"raw"}]})";
  // Authentication.
  EXPECT_EQ(Request(port, "POST", "/v1/entries", entry).status, 401);
  EXPECT_EQ(Request(port, "POST", "/v1/entries", entry, "rk_wrong").status, 401);
  // Bad input: a clear 4xx, nothing appended.
  EXPECT_EQ(Request(port, "POST", "/v1/entries", "{not json", key_.token).status, 400);
  auto unknown =
      Request(port, "POST", "/v1/entries", R"({"type":"model.sigend","actor":"a"})", key_.token);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("model.signed"), std::string::npos) << unknown.body;
  EXPECT_EQ(Request(port, "POST", "/v1/entries",
                    R"({"type":"alert","actor":"a","severity":"high","message":7})", key_.token)
                .status,
            400);
  std::string big = R"({"type":"x-big","actor":"a","pad":")" + std::string(70000, 'x') + "\"}";
  EXPECT_EQ(Request(port, "POST", "/v1/entries", big, key_.token).status, 413);
  std::string half_bad = "[" + entry + R"(,{"type":"alert","actor":"a"}])";
  EXPECT_EQ(Request(port, "POST", "/v1/entries", half_bad, key_.token).status, 400);
  auto cp0 = Request(port, "GET", "/v1/checkpoint");
  ASSERT_EQ(cp0.status, 200);
  EXPECT_NE(cp0.body.find("test.rampart/ledger\n0\n"), std::string::npos) << cp0.body;

  // A batch, with proofs once a checkpoint covers it.
  std::string batch = "[" + entry + "," +
                      R"({"type":"training.finished","actor":"orchestrator-sa","inputs":[")" +
                      Digest('a') + R"("],"outputs":[")" + Digest('b') + R"("]}])";
  auto ok = Request(port, "POST", "/v1/entries?wait=checkpoint", batch, key_.token);
  ASSERT_EQ(ok.status, 201) << ok.body;
  json::object out = Body(ok);
  ASSERT_EQ(out["entries"].as_array().size(), 2u);
  EXPECT_EQ(out["entries"].as_array()[1].as_object()["index"].to_number<int>(), 1);
  ASSERT_TRUE(out.contains("checkpoint")) << ok.body;
  EXPECT_TRUE(out["entries"].as_array()[0].as_object().contains("proof"));

  auto got = Request(port, "GET", "/v1/entries/1");
  ASSERT_EQ(got.status, 200);
  json::object e = Body(got)["entry"].as_object();
  EXPECT_EQ(e["submitter"].as_string(), "orchestrator-sa");  // the authenticated identity
  EXPECT_EQ(Request(port, "GET", "/v1/entries/99").status, 404);
  EXPECT_EQ(Request(port, "GET", "/v1/entries/abc").status, 400);
  auto found = Request(port, "GET", "/v1/find?digest=" + Digest('a'));
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(Body(found)["entries"].as_array().size(), 2u);
  EXPECT_EQ(Request(port, "GET", "/v1/find?digest=md5:abc").status, 400);
  auto incl = Request(port, "GET", "/v1/proof/inclusion?index=0&size=2");
  ASSERT_EQ(incl.status, 200) << incl.body;
  EXPECT_EQ(Body(incl)["proof"].as_array().size(), 1u);
  EXPECT_EQ(Request(port, "GET", "/v1/proof/inclusion?index=5&size=2").status, 400);
  auto cons = Request(port, "GET", "/v1/proof/consistency?from=1&to=2");
  ASSERT_EQ(cons.status, 200) << cons.body;
  EXPECT_EQ(Request(port, "GET", "/v1/proof/consistency?from=0&to=2").status, 400);
  EXPECT_EQ(Request(port, "GET", "/v1/nope").status, 404);
  EXPECT_EQ(Request(port, "DELETE", "/v1/entries/1").status, 400);
  EXPECT_EQ(p->Stop(SIGTERM), 0) << p->Stderr();

  // Offline: prove + verify-proof with only the public key.
  auto init = Cli({"ledger", "init", "--key", (dir_ / "ledger.key").string(), "--format", "json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto vkey = ParseJson(init.out)->as_object()["vkey"].as_string();
  auto pub = dir_.Write("ledger.pub", std::string(vkey) + "\n");
  auto prove = Cli({"ledger", "prove", "1", "-o", (dir_ / "bundle.json").string()});
  ASSERT_EQ(prove.exit_code, 0) << prove.err;
  auto vp = testing::RunRampart(
      {"ledger", "verify-proof", (dir_ / "bundle.json").string(), "--pub", pub.string()});
  EXPECT_EQ(vp.exit_code, 0) << vp.err;
  EXPECT_NE(vp.out.find("proof OK"), std::string::npos);
}

// kill -9 during sustained appends: every acknowledged entry survives and
// the log verifies.
// A storage URL may carry a password; what the ledger logs and prints never
// does (RedactUrl).
TEST_P(LedgerServer, StorageUrlIsLoggedWithoutItsPassword) {
  if (GetParam() == "postgres") {
    // The test server trusts loopback, so any password connects.
    const std::size_t user = store_.find("://") + 3;
    const std::size_t at = store_.find('@', user);
    ASSERT_NE(at, std::string::npos) << store_;
    std::string name = store_.substr(user, at - user);
    name = name.substr(0, name.find(':'));
    store_ =
        store_.substr(0, user) + name + ":hunter2@" + store_.substr(at + 1) + "&password=hunter2";
  }
  auto init = Cli({"ledger", "init", "--key", (dir_ / "ledger.key").string(), "--origin",
                   "test.rampart/ledger"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.err.find("ledger ready at"), std::string::npos) << init.err;
  auto p = Start(testing::FreePort());
  ASSERT_TRUE(p->WaitForOutput("verifier key")) << p->Stderr();
  EXPECT_EQ(p->Stop(SIGTERM), 0) << p->Stderr();
  for (const std::string& out : {init.err, init.out, p->Stderr()}) {
    EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  }
  if (GetParam() == "postgres") {
    EXPECT_NE(init.err.find(":REDACTED@"), std::string::npos) << init.err;
    EXPECT_NE(p->Stderr().find("password=REDACTED"), std::string::npos) << p->Stderr();
  }
}

TEST_P(LedgerServer, KillDashNineLosesNoAcknowledgedEntry) {
  int port = testing::FreePort();
  auto p = Start(port);
  std::mutex mu;
  std::map<std::uint64_t, std::pair<int, int>> acked;  // index -> (thread, seq)
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      for (int seq = 0; !stop; ++seq) {
        std::string batch = "[";
        for (int i = 0; i < 5; ++i) {
          if (i > 0) batch += ",";
          batch += R"({"type":"x-crash.test","actor":"t)" + std::to_string(t) + R"(","seq":)" +
                   std::to_string(seq * 5 + i) + "}";
        }
        batch += "]";
        auto r = Request(port, "POST", "/v1/entries", batch, key_.token);
        if (r.status != 201) {
          if (r.status == 0) return;  // the server is gone
          continue;
        }
        auto v = ParseJson(r.body);
        if (!v) continue;
        std::lock_guard lock(mu);
        int i = 0;
        for (const auto& e : v->as_object()["entries"].as_array()) {
          acked[e.as_object().at("index").to_number<std::uint64_t>()] = {t, seq * 5 + i++};
        }
      }
    });
  }
  // Killed mid-stream once enough is acknowledged (not after a fixed time: a
  // loaded machine may acknowledge little in the first seconds).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (acked.size() > 150) break;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  p->Stop(SIGKILL);
  stop = true;
  for (auto& c : clients) c.join();
  ASSERT_GT(acked.size(), 100u) << "too few appends to make the test meaningful";

  // Restart on the same storage: the ledger opens (its tree matches its
  // checkpoints) and appends continue where they stopped.
  auto p2 = Start(port);
  auto r =
      Request(port, "POST", "/v1/entries", R"({"type":"x-after.restart","actor":"t"})", key_.token);
  EXPECT_EQ(r.status, 201) << r.body << p2->Stderr();
  EXPECT_EQ(p2->Stop(SIGTERM), 0);

  auto exported = Cli({"ledger", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::map<std::uint64_t, std::pair<int, int>> stored;
  std::size_t pos = 0;
  while (pos < exported.out.size()) {
    std::size_t nl = exported.out.find('\n', pos);
    auto v = ParseJson(exported.out.substr(pos, nl - pos));
    pos = nl == std::string::npos ? exported.out.size() : nl + 1;
    if (!v || !v->as_object().contains("index")) continue;
    auto& e = v->as_object()["entry"].as_object();
    if (e["type"].as_string() != "x-crash.test") continue;
    stored[v->as_object()["index"].to_number<std::uint64_t>()] = {
        std::stoi(std::string(e["actor"].as_string().subview(1))), e["seq"].to_number<int>()};
  }
  std::size_t missing = 0;
  for (const auto& [idx, who] : acked) {
    auto it = stored.find(idx);
    if (it == stored.end() || it->second != who) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged entries";
  auto verify = Cli({"ledger", "verify", "--key", (dir_ / "ledger.key").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_P(LedgerServerSqlite, HttpAuditSinkBuffersWhileTheLedgerIsDownAndNeverDropsSilently) {
  int port = testing::FreePort();
  auto p = Start(port);
  HttpAuditSinkOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port);
  o.api_key = key_.token;
  o.max_buffered_events = 20;
  o.max_backoff = std::chrono::milliseconds(200);
  auto sink = MakeHttpAuditSink(o);
  ASSERT_TRUE(sink.has_value()) << sink.error().ToString();
  auto event = [](int i) {
    AuditEvent e;
    e.type = "model.deployed";
    e.actor = "gateway-sa";
    e.time = std::chrono::system_clock::now();
    e.subjects.push_back({Digest('c'), "chat"});
    e.fields["endpoint"] = "vllm-" + std::to_string(i);
    return e;
  };
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*sink)->Append(event(i)).ok());
  AuditEvent bad = event(99);
  bad.type = "not-a-type";
  ASSERT_TRUE((*sink)->Append(bad).ok());
  ASSERT_TRUE((*sink)->Flush(std::chrono::seconds(10)).ok());
  EXPECT_EQ((*sink)->delivered(), 10u);
  EXPECT_EQ((*sink)->rejected(), 1u);

  // The ledger goes down: the sink keeps at most 20 events, then pushes back.
  ASSERT_EQ(p->Stop(SIGTERM), 0);
  int accepted = 0;
  Status refused;
  for (int i = 0; i < 30 && refused.ok(); ++i) {
    refused = (*sink)->Append(event(100 + i));
    if (refused.ok()) ++accepted;
  }
  EXPECT_EQ(accepted, 20);
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE((*sink)->Flush(std::chrono::milliseconds(300)).ok());

  // Back up: everything buffered is delivered.
  auto p2 = Start(port);
  ASSERT_TRUE((*sink)->Flush(std::chrono::seconds(15)).ok());
  EXPECT_EQ((*sink)->delivered(), 30u);
  auto found = Request(port, "GET", "/v1/find?digest=" + Digest('c'));
  EXPECT_EQ(Body(found)["entries"].as_array().size(), 30u);
  EXPECT_EQ(p2->Stop(SIGTERM), 0);
}

INSTANTIATE_TEST_SUITE_P(Ledger, LedgerServer, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Ledger, LedgerServerSqlite, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

TEST(LedgerServeTest, RampartServeRunsTheLedgerFromTheEstate) {
  testing::TempDir dir;
  auto k = GenerateApiKey("orchestrator-sa");
  ASSERT_TRUE(k.has_value());
  int port = testing::FreePort();
  std::string estate = R"(version: 1
name: mini
zones:
  - {name: mlops, kind: mlops, cidrs: [10.40.0.0/16]}
services:
  - {name: ledger, zone: mlops, kind: ledger, ports: [tcp/7000], addresses: [10.40.0.30/32]}
identities:
  - {name: orchestrator-sa, kind: service-account}
ledger:
  origin: mini.example/ledger
  listen: 127.0.0.1:)" +
                       std::to_string(port) + R"(
  api_keys:
    - {identity: orchestrator-sa, hash: ")" +
                       k->record.salted_hash + R"("}
)";
  auto file = dir.Write("estate.yaml", estate);
  testing::Process p(
      {testing::RampartBin(), "serve", "-e", file.string(), "--var-dir", (dir / "var").string()},
      dir.path());
  ASSERT_TRUE(p.WaitForOutput("service(s) running")) << p.Stderr();
  auto r = Request(port, "POST", "/v1/entries",
                   R"({"type":"policy.changed","actor":"ml-admin","policy":"gateway"})", k->token);
  EXPECT_EQ(r.status, 201) << r.body;
  auto cp = Request(port, "GET", "/v1/checkpoint");
  EXPECT_NE(cp.body.find("mini.example/ledger\n"), std::string::npos) << cp.body;
  EXPECT_TRUE(std::filesystem::exists(dir / "var/ledger.key"));
  EXPECT_EQ(p.Stop(SIGTERM), 0) << p.Stderr();

  // A typo in the section is reported with its line.
  auto bad = dir.Write("bad.yaml", estate + "  checkpoint_intervl_ms: 5\n");
  auto rr = testing::RunRampart({"serve", "-e", bad.string(), "--var-dir", (dir / "var").string()});
  EXPECT_NE(rr.exit_code, 0);
  EXPECT_NE(rr.err.find("checkpoint_intervl_ms"), std::string::npos) << rr.err;

  // listen: the one HOST:PORT parser (core/host_port.h) refuses what the
  // ledger's own took: a port with trailing junk, no host, a port over 65535.
  std::string head = estate.substr(0, estate.find("  listen:"));
  for (const char* listen : {"127.0.0.1:70x", ":7000", "127.0.0.1:70000", "127.0.0.1"}) {
    auto f = dir.Write("listen.yaml", head + "  listen: \"" + listen + "\"\n");
    rr = testing::RunRampart({"serve", "-e", f.string(), "--var-dir", (dir / "var").string()});
    EXPECT_EQ(rr.exit_code, 2) << listen << ": " << rr.err;
    EXPECT_NE(rr.err.find("listen.yaml:"), std::string::npos) << listen << ": " << rr.err;
    EXPECT_NE(rr.err.find("listen must be HOST:PORT"), std::string::npos) << rr.err;
  }
}

TEST(LedgerServeTest, ListenFlagIsParsedStrictly) {
  testing::TempDir dir;
  for (const char* listen : {"127.0.0.1:80x", "127.0.0.1:-1", ":8080", "127.0.0.1:99999"}) {
    auto r = testing::RunRampart({"ledger", "serve", "--listen", listen, "--store",
                                  "sqlite:" + (dir / "l.db").string(), "--key",
                                  (dir / "l.key").string()});
    EXPECT_EQ(r.exit_code, 2) << listen << ": " << r.err;
    EXPECT_NE(r.err.find("--listen must be HOST:PORT"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "l.db"));  // refused before anything is created
}

}  // namespace
}  // namespace rampart::ledger

namespace rampart::ledger {
namespace {

// mTLS: a client certificate whose SAN URI is an estate identity's SPIFFE ID
// may append; no certificate and no key may not. Certificates are made by the
// openssl CLI, requests sent by curl.
TEST(LedgerTlsTest, ClientCertificateMapsToAnEstateIdentity) {
  testing::TempDir dir;
  auto sh = [&](const std::string& cmd) {
    auto r = testing::Run({"/bin/sh", "-c", "cd '" + dir.path().string() + "' && " + cmd});
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
    return r;
  };
  RAMPART_NEEDS(
      testing::Run({"/bin/sh", "-c", "command -v openssl && command -v curl"}).exit_code == 0,
      "openssl and curl (scripts/install-deps.sh installs them)");
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  sh("openssl req -x509 " + ec +
     " -keyout ca.key -out ca.pem -days 1 -subj /CN=test-ca 2>/dev/null");
  dir.Write("server.ext", "subjectAltName=IP:127.0.0.1\n");
  dir.Write("client.ext", "subjectAltName=URI:spiffe://acme.ai/ns/mlops/sa/orchestrator\n");
  dir.Write("stranger.ext", "subjectAltName=URI:spiffe://acme.ai/ns/x/sa/stranger\n");
  for (const std::string name : {"server", "client", "stranger"}) {
    sh("openssl req " + ec + " -keyout " + name + ".key -out " + name + ".csr -subj /CN=" + name +
       " 2>/dev/null && openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key " +
       "-CAcreateserial -out " + name + ".pem -days 1 -extfile " + name + ".ext 2>/dev/null");
  }
  int port = testing::FreePort();
  std::string estate = R"(version: 1
name: tls
zones:
  - {name: mlops, kind: mlops, cidrs: [10.40.0.0/16]}
services:
  - {name: ledger, zone: mlops, kind: ledger, ports: [tcp/7000]}
identities:
  - {name: orchestrator-sa, kind: service-account, spiffe_id: "spiffe://acme.ai/ns/mlops/sa/orchestrator"}
ledger:
  listen: 127.0.0.1:)" +
                       std::to_string(port) + R"(
  tls: {cert: )" + (dir / "server.pem").string() +
                       ", key: " + (dir / "server.key").string() +
                       ", client_ca: " + (dir / "ca.pem").string() + "}\n";
  auto file = dir.Write("estate.yaml", estate);
  testing::Process p(
      {testing::RampartBin(), "serve", "-e", file.string(), "--var-dir", (dir / "var").string()},
      dir.path());
  ASSERT_TRUE(p.WaitForOutput("listening on https://")) << p.Stderr();
  std::string url = "https://127.0.0.1:" + std::to_string(port) + "/v1/entries";
  std::string body = R"({"type":"policy.changed","actor":"ml-admin","policy":"gateway"})";
  dir.Write("body.json", body);
  auto curl = [&](const std::string& who) {
    std::string cert = who.empty() ? "" : " --cert " + who + ".pem --key " + who + ".key";
    return testing::Run({"/bin/sh", "-c",
                         "cd '" + dir.path().string() +
                             "' && curl -sS -o out.json -w '%{http_code}' " + "--cacert ca.pem" +
                             cert + " -H 'Content-Type: application/json' " +
                             "--data-binary @body.json " + url});
  };
  auto ok = curl("client");
  EXPECT_EQ(ok.out, "201") << ok.err;
  auto stored = testing::Run({"/bin/sh", "-c",
                              "curl -sS --cacert '" + (dir / "ca.pem").string() +
                                  "' https://127.0.0.1:" + std::to_string(port) + "/v1/entries/0"});
  EXPECT_NE(stored.out.find("\"submitter\":\"orchestrator-sa\""), std::string::npos) << stored.out;
  // The HTTP audit sink over TLS, authenticated by its client certificate alone.
  HttpAuditSinkOptions so;
  so.url = "https://127.0.0.1:" + std::to_string(port);
  so.ca_file = (dir / "ca.pem").string();
  so.client_cert_file = (dir / "client.pem").string();
  so.client_key_file = (dir / "client.key").string();
  auto sink = MakeHttpAuditSink(so);
  ASSERT_TRUE(sink.has_value()) << sink.error().ToString();
  AuditEvent ev;
  ev.type = "key.released";
  ev.actor = "orchestrator-sa";
  ev.fields["key_id"] = "dataset-key-1";
  ASSERT_TRUE((*sink)->Append(ev).ok());
  ASSERT_TRUE((*sink)->Flush(std::chrono::seconds(10)).ok());
  EXPECT_EQ((*sink)->delivered(), 1u);
  EXPECT_EQ(curl("").out, "401");          // no certificate, no key
  EXPECT_EQ(curl("stranger").out, "401");  // a valid certificate of no estate identity
  EXPECT_EQ(p.Stop(SIGTERM), 0) << p.Stderr();
}

}  // namespace
}  // namespace rampart::ledger

namespace rampart::ledger {
namespace {

// The CLI end to end, as a user would run it, including an edit made behind
// the ledger's back with the sqlite3 shell.
TEST(LedgerCliTest, InitAppendQueryProveAndDetectTampering) {
  testing::TempDir dir;
  std::string store = "sqlite:" + (dir / "l.db").string();
  std::string key = (dir / "l.key").string();
  auto run = [&](std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), "ledger");
    args.push_back("--store");
    args.push_back(store);
    return testing::RunRampart(args, input);
  };
  auto get_missing = run({"get", "0"});
  EXPECT_EQ(get_missing.exit_code, 2);
  EXPECT_NE(get_missing.err.find("rampart ledger init"), std::string::npos) << get_missing.err;

  auto init = run({"init", "--key", key, "--origin", "cli.example/ledger", "--format", "json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  std::string vkey(ParseJson(init.out)->as_object()["vkey"].as_string());
  auto pub = dir.Write("l.pub", vkey + "\n");

  std::string ds = Digest('d'), model = Digest('e');
  auto a1 = run({"append", "--key", key},
                R"({"type":"dataset.ingested","actor":"etl-sa","subjects":[{"digest":")" + ds +
                    R"(","name":"corpus"}]})");
  ASSERT_EQ(a1.exit_code, 0) << a1.err;
  auto entries = dir.Write("e.json", R"([{"type":"training.finished","actor":"orch","inputs":[")" +
                                         ds + R"("],"outputs":[")" + model + R"("]},
    {"type":"model.registered","actor":"registry-sa","subjects":[{"digest":")" +
                                         model + R"(","name":"chat-7b"}],"version":"1"}])");
  auto a2 = run({"append", "--key", key, entries.string(), "--format", "json"});
  ASSERT_EQ(a2.exit_code, 0) << a2.err;
  EXPECT_EQ(ParseJson(a2.out)->as_object()["tree_size"].to_number<int>(), 3);

  // Bad input names the file and position, and appends nothing.
  auto bad = dir.Write("bad.json", "{\"type\": \"alert\",\n  \"actor\": }");
  auto r = run({"append", "--key", key, bad.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;

  auto find = run({"find", "--digest", model, "--format", "json"});
  ASSERT_EQ(find.exit_code, 0) << find.err;
  EXPECT_EQ(ParseJson(find.out)->as_object()["entries"].as_array().size(), 2u);
  auto lineage = run({"lineage", model});
  ASSERT_EQ(lineage.exit_code, 0) << lineage.err;
  EXPECT_NE(lineage.out.find(ds), std::string::npos) << lineage.out;
  EXPECT_NE(lineage.out.find("corpus"), std::string::npos) << lineage.out;

  auto prove = run({"prove", "2", "-o", (dir / "p.json").string()});
  ASSERT_EQ(prove.exit_code, 0) << prove.err;
  auto vp = testing::RunRampart(
      {"ledger", "verify-proof", (dir / "p.json").string(), "--pub", pub.string()});
  EXPECT_EQ(vp.exit_code, 0) << vp.err;
  // A forged bundle: the entry changed.
  auto text = testing::Run({"/bin/cat", (dir / "p.json").string()}).out;
  std::size_t at = text.find("\"version\": \"1\"");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 14, "\"version\": \"2\"");
  auto forged = dir.Write("forged.json", text);
  auto vf = testing::RunRampart({"ledger", "verify-proof", forged.string(), "--pub", pub.string()});
  EXPECT_EQ(vf.exit_code, 1) << vf.out << vf.err;

  auto ok = run({"verify", "--pub", pub.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("ledger OK: 3 entries"), std::string::npos) << ok.out;

  // An administrator edits entry 1 directly in the database.
  RAMPART_NEEDS(testing::Run({"/bin/sh", "-c", "command -v sqlite3"}).exit_code == 0,
                "the sqlite3 shell (scripts/install-deps.sh installs it)");
  auto sql =
      testing::Run({"sqlite3", (dir / "l.db").string(),
                    "UPDATE entries SET data = replace(data, 'orch', 'mallory') WHERE idx = 1"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  auto tampered = run({"verify", "--pub", pub.string(), "--format", "json"});
  EXPECT_EQ(tampered.exit_code, 1) << tampered.out << tampered.err;
  EXPECT_EQ(ParseJson(tampered.out)->as_object()["first_bad_index"].to_number<int>(), 1)
      << tampered.out;
  auto text_report = run({"verify", "--key", key});
  EXPECT_NE(text_report.out.find("first index that no longer matches is 1"), std::string::npos)
      << text_report.out;
}

}  // namespace
}  // namespace rampart::ledger
