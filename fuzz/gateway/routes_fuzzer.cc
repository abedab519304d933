// Request targets and credential headers are attacker bytes: RouteTable::Match
// and Policy::Authenticate must answer every input with a match or an
// HttpError of 400/401/404/405, never crash. Input: "METHOD\nTARGET\nAUTH".
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "estate/loader.h"
#include "gateway/policy.h"

namespace {

using namespace rampart;
using namespace rampart::gateway;

constexpr char kEstate[] = R"(version: 1
name: fuzz
zones: [{name: z, kind: inference}]
services:
  - {name: chat, zone: z, kind: inference, inference: {protocol: openai, models: [m1]}}
  - {name: vis, zone: z, kind: inference, inference: {protocol: triton, models: [r50]}}
  - {name: any, zone: z, kind: inference, inference: {protocol: kserve-v2}}
identities:
  - {name: a, kind: api-client, roles: [admin], spiffe_id: "spiffe://f/a"}
gateway:
  access:
    - {roles: [admin], models: ["*"], routes: ["*", repository]}
)";

struct State {
  std::shared_ptr<const Policy> policy;
};

const State& GetState() {
  static const State s = [] {
    State st;
    auto r = estate::LoadString(kEstate, "fuzz.yaml");
    if (!r) std::abort();
    Diagnostics d;
    auto c = LoadGatewayConfig(r->estate, "/nonexistent", "127.0.0.1", &d);
    if (!c) std::abort();
    auto keys = std::make_shared<KeyStore>();
    auto p = Policy::Create(r->estate, *c, keys, nullptr);
    if (!p) std::abort();
    st.policy = *p;
    return st;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const State& st = GetState();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t a = in.find('\n');
  std::string_view method = in.substr(0, a);
  std::string_view rest = a == std::string_view::npos ? "" : in.substr(a + 1);
  std::size_t b = rest.find('\n');
  std::string_view target = rest.substr(0, b);
  std::string_view auth = b == std::string_view::npos ? "" : rest.substr(b + 1);

  auto m = st.policy->MatchRoute(method, target);
  if (!m) {
    int s = m.error().http_status;
    if (s != 400 && s != 404 && s != 405) std::abort();
  } else {
    // A matched target has no dot segment and no encoded slash.
    if (m->path.find("/../") != std::string_view::npos) std::abort();
  }
  std::string san(auth);
  Credentials c;
  c.authorization = auth;
  c.peer_sans = std::span<const std::string>(&san, 1);
  auto p = st.policy->Authenticate(c, std::chrono::system_clock::time_point{});
  if (p) std::abort();  // the store is empty: nothing authenticates with a header
  if (p.error().http_status != 401) std::abort();
  if (m) {
    Principal admin{"a", {"admin"}, AuthMethod::kMtls, "spiffe://f/a", true};
    auto t = st.policy->Authorize(admin, *m, auth);
    if (!t && t.error().http_status != 400 && t.error().http_status != 404) std::abort();
  }
  return 0;
}
