// Verification time per evidence type with collateral cached (read from a
// local directory, never fetched), against the floor of one ECDSA
// verification of the same evidence measured in the same run. The published
// reference verifiers (go-sev-guest, Intel's QVL, nvtrust) are not installed
// here, so the baseline is OpenSSL's signature check alone.
//
// Run from the repository root (bench/attest/run.sh): reads ../shared/testdata/attest.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "attest/dcap.h"
#include "attest/nvidia.h"
#include "attest/snp.h"
#include "attest/x509_util.h"
#include "core/file.h"

namespace {

using namespace rampart;
using namespace rampart::attest;
namespace fs = std::filesystem;
const fs::path kData = "../shared/testdata/attest";

std::vector<std::uint8_t> Bytes(const fs::path& p) {
  auto r = ReadFile(p);
  if (!r) return {};
  return {r->begin(), r->end()};
}
std::chrono::system_clock::time_point At2024() {
  return std::chrono::sys_days(std::chrono::year(2024) / 1 / 1);
}

void BM_SnpVerify(benchmark::State& state) {
  auto report = Bytes(kData / "snp-google/attestation.bin");
  auto roots = SnpRootsFromPem(*ReadFile(kData / "snp-google/trust/ask_ark_milan.pem"));
  auto vcek = ReadFile(kData / "snp-google/vcek.testcer");
  roots->endorsement_keys = {*ParseCertificate(crypto::AsBytes(*vcek))};
  auto v = MakeSnpVerifier(*roots);
  VerifyOptions opts;
  opts.now = At2024();
  for (auto _ : state) {
    auto c = v->Verify(report, opts);
    if (!c) state.SkipWithError(c.error().message().c_str());
    benchmark::DoNotOptimize(c);
  }
}

void BM_SnpSignatureFloor(benchmark::State& state) {
  auto report = Bytes(kData / "snp-google/attestation.bin");
  auto r = ParseSnpReport(report);
  auto vcek = ReadFile(kData / "snp-google/vcek.testcer");
  auto key = ParseCertificate(crypto::AsBytes(*vcek))->public_key();
  crypto::Bytes sig(r->sig_r.begin(), r->sig_r.end());
  sig.insert(sig.end(), r->sig_s.begin(), r->sig_s.end());
  for (auto _ : state) {
    Status s = key->Verify(std::span(report).first(kSnpSignedSize), sig,
                           crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha384);
    if (!s.ok()) state.SkipWithError("signature");
  }
}

void BM_SgxVerify(benchmark::State& state) {
  const fs::path dir = kData / "sgx-intel-qvl";
  static fs::path col = fs::temp_directory_path() / "rampart-attest-bench-sgx";
  fs::remove_all(col);
  fs::create_directories(col);
  for (const char* f :
       {"tcbInfo.json", "qeIdentity.json", "tcbSignChain.pem", "intermediateCaCrl.der",
        "rootCaCrl.der", "pckCert.pem", "pckSignChain.pem"}) {
    fs::copy_file(dir / f, col / f);
  }
  auto quote = Bytes(dir / "quote.dat");
  auto v =
      MakeDcapVerifier(TeeType::kSgx, *DcapRootsFromPem(*ReadFile(dir / "trustedRootCaCert.pem")));
  VerifyOptions opts;
  opts.now = At2024();
  opts.collateral_dir = col;
  for (auto _ : state) {
    auto c = v->Verify(quote, opts);
    if (!c) state.SkipWithError(c.error().message().c_str());
    benchmark::DoNotOptimize(c);
  }
  fs::remove_all(col);
}

// Google's production TDX quote: every check runs (signatures, PCK chain
// with CRLs, TD QE identity, TDX module); the answer is the refusal at the
// TCB level (docs/design/attest-verifiers.md), reached after all the work.
void BM_TdxVerify(benchmark::State& state) {
  const fs::path dir = kData / "tdx-google";
  static fs::path col = fs::temp_directory_path() / "rampart-attest-bench-tdx";
  fs::remove_all(col);
  fs::create_directories(col);
  fs::copy_file(dir / "sample_tcbInfo_response", col / "tcbInfo.json");
  fs::copy_file(dir / "sample_qeIdentity_response", col / "qeIdentity.json");
  fs::copy_file(dir / "pckcrl", col / "pckcrl");
  fs::copy_file(dir / "rootcrl.der", col / "rootcrl.der");
  fs::copy_file("tests/attest/testdata/intel_sgx_tcb_signing.pem", col / "tcbSignChain.pem");
  auto quote = Bytes(dir / "tdx_prod_quote_SPR_E4.dat");
  quote.resize(4935);
  auto v = MakeDcapVerifier(TeeType::kTdx, *DcapRootsFromPem(*ReadFile(dir / "trusted_root.pem")));
  VerifyOptions opts;
  opts.now = std::chrono::sys_days(std::chrono::year(2023) / 7 / 1);
  opts.collateral_dir = col;
  for (auto _ : state) {
    auto c = v->Verify(quote, opts);
    if (c || c.error().message().find("TCB level:") != 0) {
      state.SkipWithError(c ? "accepted" : c.error().message().c_str());
    }
    benchmark::DoNotOptimize(c);
  }
  fs::remove_all(col);
}

void BM_TdxSignatureFloor(benchmark::State& state) {
  auto quote = Bytes(kData / "tdx-google/tdx_prod_quote_SPR_E4.dat");
  quote.resize(4935);
  auto q = ParseDcapQuote(quote);
  auto key = crypto::PublicKey::FromEcPoint(crypto::KeyType::kEcdsaP256,
                                            std::span(q->attest_key).first(32),
                                            std::span(q->attest_key).subspan(32));
  for (auto _ : state) {
    Status s = key->Verify(std::span(quote).first(q->signed_size), q->signature,
                           crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha256);
    if (!s.ok()) state.SkipWithError("signature");
  }
}

void BM_SgxSignatureFloor(benchmark::State& state) {
  auto quote = Bytes(kData / "sgx-intel-qvl/quote.dat");
  auto q = ParseDcapQuote(quote);
  auto key = crypto::PublicKey::FromEcPoint(crypto::KeyType::kEcdsaP256,
                                            std::span(q->attest_key).first(32),
                                            std::span(q->attest_key).subspan(32));
  for (auto _ : state) {
    Status s = key->Verify(std::span(quote).first(q->signed_size), q->signature,
                           crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha256);
    if (!s.ok()) state.SkipWithError("signature");
  }
}

void BM_NvidiaRimVerify(benchmark::State& state) {
  const fs::path dir = kData / "nvidia-nvtrust";
  auto roots = NvidiaRootsFromPem(*ReadFile(dir / "verifier_device_root.pem"),
                                  *ReadFile(dir / "verifier_RIM_root.pem"));
  auto xml = *ReadFile(dir / "samples/1010_0200_882_96005E0001_PROD.swidtag");
  for (auto _ : state) {
    auto rim = VerifyRim(xml, roots->rim_roots, At2024());
    if (!rim) state.SkipWithError(rim.error().message().c_str());
    benchmark::DoNotOptimize(rim);
  }
}

// The report's device chain, signature and nonce (the sample has no RIM for
// its driver, so a full verification stops at the RIM lookup: this is
// everything before it, the part that runs per report).
void BM_NvidiaReportVerify(benchmark::State& state) {
  const fs::path dir = kData / "nvidia-nvtrust";
  auto roots = NvidiaRootsFromPem(*ReadFile(dir / "verifier_device_root.pem"),
                                  *ReadFile(dir / "verifier_RIM_root.pem"));
  static fs::path col = fs::temp_directory_path() / "rampart-attest-bench-nv";
  fs::remove_all(col);
  fs::create_directories(col);
  fs::copy_file(dir / "samples/hopperCertChain.txt", col / "gpu_cert_chain.pem");
  auto ev = Bytes(dir / "samples/hopperAttestationReport.txt");
  auto v = MakeNvidiaVerifier(*roots);
  VerifyOptions opts;
  opts.now = At2024();
  opts.collateral_dir = col;
  for (auto _ : state) {
    auto c = v->Verify(ev, opts);
    if (c || c.error().message().find("no driver RIM") == std::string::npos) {
      state.SkipWithError("unexpected result");
    }
    benchmark::DoNotOptimize(c);
  }
  fs::remove_all(col);
}

void BM_NvidiaSignatureFloor(benchmark::State& state) {
  const fs::path dir = kData / "nvidia-nvtrust";
  auto bytes = *NvidiaReportBytes(Bytes(dir / "samples/hopperAttestationReport.txt"));
  auto r = ParseNvidiaReport(bytes);
  auto key =
      crypto::Certificate::FromPem(*ReadFile(dir / "samples/hopperCertChain.txt"))->public_key();
  for (auto _ : state) {
    Status s = key->Verify(std::span(bytes).first(r->signed_size), r->signature,
                           crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha384);
    if (!s.ok()) state.SkipWithError("signature");
  }
}

BENCHMARK(BM_SnpVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SnpSignatureFloor)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SgxVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SgxSignatureFloor)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TdxVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TdxSignatureFloor)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NvidiaReportVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NvidiaRimVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NvidiaSignatureFloor)->Unit(benchmark::kMicrosecond);

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (!r.error_occurred) times_[r.benchmark_name()] = r.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Ratios() const {
    auto ratio = [&](const char* what, const char* a, const char* b) {
      auto ia = times_.find(a), ib = times_.find(b);
      if (ia == times_.end() || ib == times_.end()) return;
      std::printf("%-44s %8.1f us CPU = %5.1fx one signature check (%.1f us)\n", what, ia->second,
                  ia->second / ib->second, ib->second);
    };
    std::printf(
        "\nverification per evidence (collateral cached on disk), CPU time (the wall time\n"
        "of a shared machine varies with its load), same run:\n");
    ratio("snp: full verification", "BM_SnpVerify", "BM_SnpSignatureFloor");
    ratio("sgx: full verification (DCAP, QVL sample)", "BM_SgxVerify", "BM_SgxSignatureFloor");
    ratio("tdx: every check to the TCB level (Google)", "BM_TdxVerify", "BM_TdxSignatureFloor");
    ratio("nvidia: report (chain, signature, nonce)", "BM_NvidiaReportVerify",
          "BM_NvidiaSignatureFloor");
    ratio("nvidia: one RIM (XML C14N, digest, chain)", "BM_NvidiaRimVerify",
          "BM_NvidiaSignatureFloor");
    std::printf(
        "reference verifiers (go-sev-guest, Intel QVL, nvtrust) are not installed here: "
        "no comparison with them\n");
  }

 private:
  std::map<std::string, double> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (!fs::exists(kData / "snp-google/attestation.bin")) {
    std::fprintf(stderr, "bench/attest: needs %s (run from the repository root)\n", kData.c_str());
    return 2;
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.Ratios();
  benchmark::Shutdown();
  return 0;
}
