// Node attestation benchmark, one core.
//
// 1. VerifyNode on a quote (RSA-2048 RSASSA and ECDSA P-256 AKs) over a
//    1,000-event crypto-agile UEFI log (SHA-1 and SHA-256 banks) and a
//    1,000-entry IMA list, with golden values: parse, signature, nonce,
//    replay, PCR digest, facts, drift. Target: < 5 ms.
// 2. The baseline, same run, same bytes: OpenSSL's signature verify of the
//    quote plus one SHA-256 pass over the log and IMA bytes — the least any
//    verifier must do.
// 3. What a verifier loop polling 10,000 nodes every minute costs, derived
//    from (1): the share of one core.
//
// Usage: node_bench
#include <openssl/evp.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <vector>

#include "attest/tpm/node_verify.h"
#include "synthetic.h"

namespace {

using namespace rampart;
using namespace rampart::attest::tpm;

double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Median microseconds of this thread's CPU time for `fn` over `reps` runs:
// CPU time, not wall time, because the benchmark machine is shared and a
// wall clock counts the time other processes held the core.
double MedianUs(int reps, const std::function<void()>& fn) {
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    double a = ThreadCpuUs();
    fn();
    t.push_back(ThreadCpuUs() - a);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Fixture {
  NodeEvidence ev;
  Bytes nonce{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  std::optional<crypto::PublicKey> ak;
  NodeClass cls;
  std::size_t events = 0;
};

Fixture Make(crypto::KeyType type) {
  synthetic::EventLogBuilder b({kAlgSha1, kAlgSha256});
  synthetic::BootSpec spec;
  spec.extra_events = 1000 - 20;  // WriteBoot writes 20 events of its own
  synthetic::WriteBoot(spec, &b);
  std::string ima;
  for (int i = 0; i < 1000; ++i)
    ima += synthetic::MakeImaLine("/usr/lib/node/file" + std::to_string(i), std::to_string(i)).line;
  Fixture f;
  f.ev.event_log = b.bytes();
  f.ev.ima = Bytes(ima.begin(), ima.end());
  auto log = ParseEventLog(f.ev.event_log);
  f.events = log->events.size();
  PcrValues pcrs = ReplayEventLog(*log);
  ReplayImaLog(*ParseImaLog(*f.ev.ima), &pcrs);
  synthetic::QuoteSpec q;
  q.nonce = f.nonce;
  q.pcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  Bytes concat;
  for (int p : q.pcrs) synthetic::Append(&concat, pcrs[kAlgSha256][p]);
  q.pcr_digest = TpmDigest(kAlgSha256, concat);
  auto key = crypto::PrivateKey::Generate(type);
  f.ev.quote = synthetic::MarshalAttest(q);
  f.ev.signature = synthetic::SignAttest(*key, f.ev.quote);
  f.ak = key->public_key();
  f.cls.name = "gpu-training";
  f.cls.secure_boot_required = true;
  f.cls.kernel = std::set<std::string, std::less<>>{"sha256:" + synthetic::Sha256Hex(spec.kernel)};
  f.cls.files["/usr/lib/node/file7"] = {"sha256:" + synthetic::Sha256Hex("7")};
  return f;
}

void Run(const char* name, crypto::KeyType type) {
  Fixture f = Make(type);
  NodeVerdict check = VerifyNode(f.ev, *f.ak, f.nonce, &f.cls);
  if (!check.ok()) {
    std::fprintf(stderr, "node bench: the fixture does not verify: %s\n",
                 check.refusal.message().c_str());
    std::exit(1);
  }
  double ours = MedianUs(200, [&] {
    NodeVerdict v = VerifyNode(f.ev, *f.ak, f.nonce, &f.cls);
    if (!v.ok()) std::abort();
  });
  // Baseline: OpenSSL verify of the same signature + SHA-256 over the logs.
  auto sig = ParseSignature(f.ev.signature);
  Bytes der = sig->rsa;
  if (sig->sig_alg == kAlgEcdsa) {
    Bytes raw = sig->ecc_r;
    raw.insert(raw.end(), sig->ecc_s.begin(), sig->ecc_s.end());
    der = *crypto::EcdsaRawToDer(raw);
  }
  double base = MedianUs(200, [&] {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, f.ak->get());
    int ok = EVP_DigestVerify(ctx, der.data(), der.size(), f.ev.quote.data(), f.ev.quote.size());
    EVP_MD_CTX_free(ctx);
    unsigned char md[32];
    unsigned int n = 0;
    EVP_MD_CTX* h = EVP_MD_CTX_new();
    EVP_DigestInit_ex(h, EVP_sha256(), nullptr);
    EVP_DigestUpdate(h, f.ev.event_log.data(), f.ev.event_log.size());
    EVP_DigestUpdate(h, f.ev.ima->data(), f.ev.ima->size());
    EVP_DigestFinal_ex(h, md, &n);
    EVP_MD_CTX_free(h);
    if (ok != 1) std::abort();
  });
  double t_quote =
      MedianUs(100, [&] { (void)VerifyQuote(f.ev.quote, f.ev.signature, *f.ak, f.nonce); });
  double t_log = MedianUs(100, [&] { (void)ReplayEventLog(*ParseEventLog(f.ev.event_log)); });
  double t_ima = MedianUs(100, [&] {
    PcrValues v;
    v[kAlgSha256];
    ReplayImaLog(*ParseImaLog(*f.ev.ima), &v);
  });
  std::printf(
      "%-22s parts: quote %.1f us, UEFI log parse+replay %.1f us, IMA parse+replay %.1f us\n", name,
      t_quote, t_log, t_ima);
  std::printf("%-22s quote + %zu-event UEFI log + %zu IMA entries: %8.1f us  (target < 5000 us)\n",
              name, f.events, check.ima.entries.size(), ours);
  std::printf(
      "%-22s baseline, OpenSSL verify + SHA-256 over the same bytes: %8.1f us  ratio %.1fx\n", "",
      base, ours / base);
  std::printf("%-22s 10,000 nodes polled every 60 s: %.1f%% of one core\n", "",
              ours * 10000.0 / 60e6 * 100.0);
}

}  // namespace

int main() {
  Run("RSA-2048 RSASSA AK", crypto::KeyType::kRsa);
  Run("ECDSA P-256 AK", crypto::KeyType::kEcdsaP256);
  return 0;
}
