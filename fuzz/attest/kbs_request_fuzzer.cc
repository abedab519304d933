// The key broker's request bodies and resource paths (untrusted HTTP input):
// the first bytes pick the step (auth, attest on a fresh session, resource
// with a junk token); no input may crash or release a key.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attest/broker.h"
#include "attest/sample.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  using namespace rampart::attest;
  static FakeClock clock;
  static const crypto::PrivateKey sample =
      *crypto::PrivateKey::FromRawEd25519Seed(std::vector<std::uint8_t>(32, 7));
  static KeyBroker* broker = [] {
    BrokerConfig c;
    c.limits.max_sessions = 1 << 20;
    ResourcePolicy p;
    p.id = "p";
    p.tee = {TeeType::kSample};
    c.policies["p"] = p;
    BrokerResource r;
    r.path = "models/m/key";
    r.policy = "p";
    r.secret.assign(32, 1);
    c.resources[r.path] = r;
    VerifierSet v;
    v[TeeType::kSample] = std::make_shared<SampleVerifier>(sample.public_key());
    return new KeyBroker(std::move(c), std::move(v), nullptr, &clock);
  }();
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)broker->Auth(text);
      break;
    case 1: {
      auto s = broker->Auth(R"({"tee":"sample"})");
      if (s && broker->Attest(s->session_id, text)) std::abort();  // nothing unsigned attests
      break;
    }
    case 2: {
      std::size_t nl = text.find('\n');
      std::string_view token = text.substr(0, nl);
      std::string_view path = nl == std::string_view::npos ? "models/m/key" : text.substr(nl + 1);
      if (broker->Resource(token, path)) std::abort();  // no token was issued
      break;
    }
  }
  clock.Advance(std::chrono::seconds(400));  // sessions expire: memory stays bounded
  return 0;
}
