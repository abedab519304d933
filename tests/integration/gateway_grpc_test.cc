// gRPC through the gateway: a real gRPC KServe-v2 server and client (Debian's
// python3-grpcio, tests/integration/grpc/kserve_grpc.py) on both sides of the
// real `rampart gateway serve`. A Triton-shaped client gets UNAUTHENTICATED
// without a key, its inference with one, PERMISSION_DENIED for a model it may
// not use (also inside a stream), RESOURCE_EXHAUSTED past its rate limit —
// and the upstream sees only the calls the gateway let through. Malformed
// gRPC framing is sent raw (testing/h2_client.h).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "core/json.h"
#include "testing/h2_client.h"
#include "testing/testing.h"

namespace rampart {
namespace {

using namespace std::chrono_literals;

constexpr char kEstate[] = R"(version: 1
name: grpctest
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: triton
    zone: dmz
    kind: inference
    inference: {protocol: triton, models: [resnet50, yolo-v8, secret-model]}
    upstream: http://127.0.0.1:1
identities:
  - {name: gateway-sa, kind: workload}
  - {name: vision-app, kind: api-client, roles: [vision-user]}
  - {name: ops, kind: person, roles: [inference-admin]}
  - {name: limited, kind: api-client, roles: [vision-user]}
gateway:
  listen: 127.0.0.1:@PORT@
  admin: {enabled: false}
  threads: 2
  admin_roles: [inference-admin]
  auth: {keys_file: @DIR@/keys.json}
  access:
    - {name: vision, roles: [vision-user], models: [resnet50, yolo-v8],
       routes: [infer, model_metadata, model_ready, health]}
    - {name: ops, roles: [inference-admin], models: ["*"], routes: ["*", repository]}
  rate_limits:
    identities:
      limited: {requests_per_minute: 2, burst: 2}
  upstreams:
    triton: {grpc_url: "h2c://127.0.0.1:@GRPC@", response_timeout_ms: 5000}
  access_log: @DIR@/access.log
  audit: {enabled: false}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  return s;
}

bool HaveGrpcPeer() {
  return testing::Run({"/usr/bin/python3", "-c", "import grpc, google.protobuf"}).exit_code == 0 &&
         testing::Run({"/bin/sh", "-c", "command -v protoc"}).exit_code == 0;
}

class GatewayGrpc : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(HaveGrpcPeer(),
                  "python3-grpcio and protobuf-compiler (scripts/install-deps.sh installs them)");
    script_ = (testing::SourceDir() / "tests/integration/grpc/kserve_grpc.py").string();
    upstream_ = std::make_unique<testing::Process>(
        std::vector<std::string>{"/usr/bin/python3", script_, "server", dir_.path().string()},
        dir_.path());
    ASSERT_TRUE(upstream_->WaitForOutput("listening ")) << upstream_->Stderr();
    std::string out = upstream_->Stdout();
    grpc_port_ = std::atoi(out.substr(out.find("listening ") + 10).c_str());
    ASSERT_GT(grpc_port_, 0) << out;
    port_ = testing::FreePort();
    std::string e = Replace(kEstate, "@PORT@", std::to_string(port_));
    e = Replace(e, "@GRPC@", std::to_string(grpc_port_));
    e = Replace(e, "@DIR@", dir_.path().string());
    estate_ = dir_.Write("estate.yaml", e);
    vision_ = Key("vision-app");
    ops_ = Key("ops");
    limited_ = Key("limited");
    gw_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "serve", "--estate",
                                 estate_.string(), "--var-dir", (dir_ / "var").string()},
        dir_.path());
    ASSERT_TRUE(gw_->WaitForOutput("gateway: listening on")) << gw_->Stderr();
  }

  std::string Key(const std::string& identity) {
    auto r = testing::RunRampart(
        {"gateway", "keys", "create", "--identity", identity, "--estate", estate_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string k = r.out;
    while (!k.empty() && (k.back() == '\n' || k.back() == '\r')) k.pop_back();
    return k;
  }

  // One call by the real gRPC client through the gateway.
  json::object Call(const std::string& method, const std::string& key,
                    const std::string& model = "", const std::string& models = "", int repeat = 1) {
    std::vector<std::string> argv = {"/usr/bin/python3", script_, "client",
                                     "127.0.0.1:" + std::to_string(port_), method};
    if (!key.empty()) argv.insert(argv.end(), {"--key", key});
    if (!model.empty()) argv.insert(argv.end(), {"--model", model});
    if (!models.empty()) argv.insert(argv.end(), {"--models", models});
    if (repeat > 1) argv.insert(argv.end(), {"--repeat", std::to_string(repeat)});
    auto r = testing::Run(argv);
    auto v = ParseJson(r.out);
    EXPECT_TRUE(v && v->is_object()) << r.out << r.err;
    return v && v->is_object() ? v->as_object() : json::object{};
  }

  // The calls the upstream received: (method, model, identity).
  std::vector<std::array<std::string, 3>> UpstreamCalls() {
    std::vector<std::array<std::string, 3>> out;
    std::ifstream in(dir_ / "calls.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto v = ParseJson(line);
      if (!v || !v->is_object()) continue;
      auto& o = v->as_object();
      out.push_back({std::string(o["method"].as_string()), std::string(o["model"].as_string()),
                     std::string(o["identity"].as_string())});
      EXPECT_FALSE(o["authorization"].as_bool()) << "the upstream saw the client's credentials";
    }
    return out;
  }

  static int Code(const json::object& o) {
    auto it = o.find("code");
    return it == o.end() ? -1 : static_cast<int>(it->value().to_number<std::int64_t>());
  }

  testing::TempDir dir_;
  std::filesystem::path estate_;
  std::string script_, vision_, ops_, limited_;
  std::unique_ptr<testing::Process> upstream_, gw_;
  int grpc_port_ = 0, port_ = 0;
};

TEST_F(GatewayGrpc, TritonClientIsAuthenticatedAuthorizedAndServedOnlyThroughTheGateway) {
  // No key: UNAUTHENTICATED, nothing reaches the upstream.
  json::object anonymous = Call("ModelInfer", "", "resnet50");
  EXPECT_EQ(Code(anonymous), 16) << ToJson(anonymous);
  EXPECT_EQ(Code(Call("ModelInfer", "rk_gw_nope", "resnet50")), 16);
  // A model this client may not use: PERMISSION_DENIED.
  json::object denied = Call("ModelInfer", vision_, "secret-model");
  EXPECT_EQ(Code(denied), 7) << ToJson(denied);
  // Model management is for admins only.
  EXPECT_EQ(Code(Call("RepositoryModelLoad", vision_, "resnet50")), 7);
  EXPECT_TRUE(UpstreamCalls().empty());

  // With a key: the inference, computed by the real upstream.
  json::object ok = Call("ModelInfer", vision_, "resnet50");
  ASSERT_EQ(Code(ok), 0) << ToJson(ok) << gw_->Stderr();
  EXPECT_EQ(ok["response"].as_object()["model"].as_string(), "resnet50");
  EXPECT_EQ(ToJson(ok["response"].as_object()["outputs"]), "[[2E0,4E0,6E0]]");
  EXPECT_EQ(Code(Call("ModelReady", vision_, "yolo-v8")), 0);
  EXPECT_EQ(Code(Call("ModelMetadata", vision_, "resnet50")), 0);
  EXPECT_EQ(Code(Call("ServerLive", vision_)), 0);
  EXPECT_EQ(Code(Call("RepositoryModelLoad", ops_, "resnet50")), 0);

  // A stream: every message is authorized; one for a forbidden model ends it.
  json::object stream = Call("ModelStreamInfer", vision_, "", "resnet50,yolo-v8,resnet50");
  ASSERT_EQ(Code(stream), 0) << ToJson(stream);
  EXPECT_EQ(ToJson(stream["response"]), R"(["resnet50","yolo-v8","resnet50"])");
  json::object bad_stream = Call("ModelStreamInfer", vision_, "", "resnet50,secret-model");
  EXPECT_EQ(Code(bad_stream), 7) << ToJson(bad_stream);

  auto calls = UpstreamCalls();
  for (const auto& c : calls) {
    EXPECT_NE(c[1], "secret-model") << c[0];
    EXPECT_NE(c[2], "") << c[0];  // the gateway named the identity
  }
  // Five unary calls and the stream's three messages; of the refused
  // stream, its first (allowed) message reaches the upstream only when it
  // left the client before the forbidden one (else the gateway refused the
  // batch before opening the upstream stream).
  EXPECT_GE(calls.size(), 8u);
  EXPECT_LE(calls.size(), 9u);
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

// Thousands of calls on one client connection, hence one upstream
// connection: every response's bytes are acknowledged to the upstream, also
// those of a call whose stream ended before the gateway relayed its data
// (else the connection's flow-control window runs dry after ~64 KiB of
// responses and every later call stalls until its deadline).
TEST_F(GatewayGrpc, ManyCallsOnOneConnectionNeverRunOutOfWindow) {
  json::object r = Call("ModelInfer", vision_, "resnet50", "", 2500);
  ASSERT_EQ(Code(r), 0) << ToJson(r) << gw_->Stderr();
  EXPECT_EQ(r["calls"].to_number<std::int64_t>(), 2500);
}

TEST_F(GatewayGrpc, RateLimitsAnswerResourceExhaustedWithRetryPushback) {
  int ok = 0, exhausted = 0;
  json::object last;
  for (int i = 0; i < 4; ++i) {
    json::object r = Call("ModelInfer", limited_, "resnet50");
    if (Code(r) == 0) ++ok;
    if (Code(r) == 8) {
      ++exhausted;
      last = r;
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(exhausted, 2);
  EXPECT_NE(ToJson(last).find("grpc-retry-pushback-ms"), std::string::npos) << ToJson(last);
}

TEST_F(GatewayGrpc, MalformedCallsGetTheirStatusAndNeverReachTheUpstream) {
  testing::H2Client c(port_);
  testing::Headers h = {{"content-type", "application/grpc"},
                        {"te", "trailers"},
                        {"authorization", "Bearer " + vision_}};
  auto frame = [](const std::string& msg, std::uint32_t declared) {
    std::string f(1, '\0');
    for (int s = 24; s >= 0; s -= 8) f.push_back(static_cast<char>(declared >> s));
    return f + msg;
  };
  std::string model = std::string("\x0a\x08", 2) + "resnet50";  // field 1, "resnet50"
  const std::string path = "/inference.GRPCInferenceService/ModelInfer";
  struct Case {
    std::string name, body;
    int code;
  };
  std::vector<Case> cases = {
      {"length prefix lies", frame(model, 100), 3},
      {"model_name missing", frame(std::string("\x12\x01x", 3), 3), 3},
      {"model_name repeated", frame(model + model, 20), 3},
      {"model_name not a string", frame(std::string("\x08\x01", 2), 2), 3},
      {"two messages in a unary call", frame(model, 10) + frame(model, 10), 3},
      {"compressed", std::string("\x01", 1) + frame(model, 10).substr(1), 3},
      {"truncated varint", frame(std::string("\x0a\xff", 2), 2), 3},
  };
  for (const Case& k : cases) {
    testing::H2Response r = c.Exchange("POST", path, h, k.body);
    EXPECT_EQ(r.status, 200) << k.name;
    std::string status =
        r.Header("grpc-status").empty() ? r.Trailer("grpc-status") : r.Header("grpc-status");
    EXPECT_EQ(status, std::to_string(k.code)) << k.name;
  }
  // An unknown method of the service: UNIMPLEMENTED; not gRPC at all: 415.
  testing::H2Response unknown =
      c.Exchange("POST", "/inference.GRPCInferenceService/Shutdown", h, frame(model, 10));
  EXPECT_EQ(unknown.Header("grpc-status"), "12");
  testing::H2Response not_grpc =
      c.Exchange("POST", path, {{"content-type", "application/json"}}, "{}");
  EXPECT_EQ(not_grpc.status, 415);
  EXPECT_TRUE(UpstreamCalls().empty());
  // The same connection still carries a good call.
  testing::H2Response good = c.Exchange("POST", path, h, frame(model, 10));
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.Trailer("grpc-status"), "0") << good.body;
  EXPECT_EQ(UpstreamCalls().size(), 1u);
}

}  // namespace
}  // namespace rampart
