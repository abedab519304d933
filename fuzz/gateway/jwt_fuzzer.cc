// JWT verification of untrusted bearer tokens. The first byte picks a mode:
//   even: the rest is a compact JWS, verified as is against a fixed JWKS;
//   odd:  the rest is "<header JSON>\n<claims JSON>", signed here with the
//         set's Ed25519 key (RFC 8037 A.1) so that fuzzed headers and claims
//         get past the signature and the claim checks run on them.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/encoding.h"
#include "gateway/jwks.h"
#include "gateway/jwt.h"

namespace {

constexpr std::string_view kJwks = R"({"keys":[
{"kty":"RSA","kid":"rsa-1","use":"sig","alg":"RS256","e":"AQAB","n":"44Ec4UOGAe7eqxXaPDmnGxtord3EQFGrfbP5e8z6byKbsc1RxjWt5_z0ky9-PTT0xAI56SRKL25CUYRgxP_ZgEma07xgziVIVG6_JjRRe2NdTUgLV2AMNVsdDWjjuAigiwkL3vePZ8kpbba7-kujb361zEQLDdBbGrhvZA8Xb4yV-40BZXXXz5mez3aQN9UOtlPWXjUf0QfParwmVVq6NvoQFZ5WMPKXWWAyx-DuWQVoOgM1tRlKBqmNBM2tiv4gsqWhxV6cZgdQNffzvWYniJKnHyNlyAj8YQfrigkldLZjGF4hGbldxkamviyrEdCuixcowTxfoTgnl23hCmZ41Q"},
{"kty":"EC","kid":"ec-1","crv":"P-256","x":"svc_UMN6yiM-Spv-RNZIhh4-nfY33eOBBPJh163m5ps","y":"XOFXrS6djQd51o1idnLBQeHREdfQOZpxlqRS310oVGY"},
{"kty":"OKP","kid":"ed-1","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";

struct Fixture {
  Fixture()
      : verifier(Policy(), *rampart::gateway::ParseJwks(kJwks)),
        signer(*rampart::crypto::PrivateKey::FromRawEd25519Seed(
            *rampart::Base64UrlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"))) {
    verifier.SetUnknownKidHook([] {});
  }
  static rampart::gateway::JwtPolicy Policy() {
    rampart::gateway::JwtPolicy p;
    p.issuers = {"https://idp.example"};
    p.audiences = {"rampart"};
    return p;
  }
  rampart::gateway::JwtVerifier verifier;
  rampart::crypto::PrivateKey signer;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  if (size == 0) return 0;
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string token;
  if (data[0] % 2 == 0) {
    token = std::string(in);
  } else {
    std::size_t nl = in.find('\n');
    if (nl == std::string_view::npos) return 0;
    std::string input = rampart::Base64UrlEncode(in.substr(0, nl)) + "." +
                        rampart::Base64UrlEncode(in.substr(nl + 1));
    auto sig = f.signer.Sign(rampart::crypto::AsBytes(input));
    if (!sig) std::abort();
    token = input + "." + rampart::Base64UrlEncode(*sig);
  }
  auto p = f.verifier.Verify(token, now);
  if (p) {
    // Anything accepted names a subject, the accepted issuer and a live expiry.
    if (p->subject.empty() || p->issuer != "https://idp.example") std::abort();
    if (p->expires + std::chrono::seconds(60) <= now) std::abort();
  } else if (p.error().code() != rampart::StatusCode::kUnauthenticated) {
    std::abort();
  }
  return 0;
}
