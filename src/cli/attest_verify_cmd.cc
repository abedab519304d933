// `rampart attest verify EVIDENCE --type sgx|tdx|snp|nvidia --roots PEM
// [--collateral DIR] [--at TIME] [--report-data HEX] [--format json|text]`:
// verifies TEE evidence offline and prints its claims, or the first check
// that failed (exit 1); unreadable or malformed input exits 2.
#include <chrono>
#include <cstdio>

#include "attest/claims_json.h"
#include "attest/dcap.h"
#include "attest/evidence.h"
#include "attest/nvidia.h"
#include "attest/snp.h"
#include "cli/cli.h"
#include "core/encoding.h"
#include "core/file.h"

namespace rampart::cli {
namespace {

struct VerifyArgs {
  std::string evidence;
  std::string type;
  std::vector<std::string> roots;
  std::vector<std::string> rim_roots;
  std::string collateral;
  std::string at;
  std::string report_data;
  std::string format = "json";
};

// "2024-01-31", "2024-01-31T12:00:00Z" → a time point.
Result<std::chrono::system_clock::time_point> ParseAt(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char z = 0;
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z);
  bool date_only = n == 3 && s.size() == 10;
  if (!date_only && (n != 7 || z != 'Z')) {
    return InvalidArgumentError("--at '" + s + "': expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  }
  std::chrono::year_month_day ymd{std::chrono::year(y),
                                  std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60)
    return InvalidArgumentError("--at '" + s + "': not a valid time");
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(sec);
}

Result<std::string> ReadAll(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) {
    auto r = ReadFile(f, 1 << 20);
    if (!r) return r.error().WithContext("--roots");
    out += *r + "\n";
  }
  return out;
}

Result<std::unique_ptr<attest::EvidenceVerifier>> MakeVerifier(const VerifyArgs& a,
                                                               attest::TeeType t) {
  if (a.roots.empty()) {
    return InvalidArgumentError(
        "name the pinned roots with --roots PEM (AMD ARK/ASK, the Intel SGX root CA, NVIDIA's "
        "device root): they are never taken from the collateral");
  }
  RAMPART_ASSIGN_OR_RETURN(std::string pem, ReadAll(a.roots));
  switch (t) {
    case attest::TeeType::kSnp: {
      auto r = attest::SnpRootsFromPem(pem);
      if (!r) return r.error().WithContext("--roots");
      return attest::MakeSnpVerifier(std::move(*r));
    }
    case attest::TeeType::kSgx:
    case attest::TeeType::kTdx: {
      auto r = attest::DcapRootsFromPem(pem);
      if (!r) return r.error().WithContext("--roots");
      return attest::MakeDcapVerifier(t, std::move(*r));
    }
    case attest::TeeType::kNvidiaGpu: {
      if (a.rim_roots.empty()) {
        return InvalidArgumentError("name NVIDIA's RIM signing root with --rim-roots PEM");
      }
      RAMPART_ASSIGN_OR_RETURN(std::string rim_pem, ReadAll(a.rim_roots));
      auto r = attest::NvidiaRootsFromPem(pem, rim_pem);
      if (!r) return r.error().WithContext("--roots");
      return attest::MakeNvidiaVerifier(std::move(*r));
    }
    default:
      return InvalidArgumentError("--type " + a.type +
                                  ": `attest verify` takes sgx, tdx, snp or nvidia evidence");
  }
}

std::string ClaimsText(const attest::Claims& c) {
  std::string out = "tee: " + std::string(attest::TeeTypeName(c.tee)) + "\n";
  out += "tcb_status: " + std::string(attest::TcbStatusName(c.tcb_status)) + "\n";
  for (const auto& a : c.advisory_ids) out += "advisory: " + a + "\n";
  out += std::string("debug: ") + (c.debug ? "true" : "false") + "\n";
  for (const auto& [k, v] : c.measurements) out += "measurement " + k + ": " + v + "\n";
  out += "report_data: " + HexEncode(c.report_data) + "\n";
  for (const auto& [k, v] : c.attributes) out += k + ": " + v + "\n";
  out += "evidence: " + c.evidence_digest + "\n";
  return out;
}

int Verify(const VerifyArgs& a) {
  auto type = attest::ParseTeeType(a.type);
  if (!type) return ReportError(type.error());
  auto verifier = MakeVerifier(a, *type);
  if (!verifier) return ReportError(verifier.error());
  attest::VerifyOptions opts;
  opts.now = std::chrono::system_clock::now();
  if (!a.at.empty()) {
    auto at = ParseAt(a.at);
    if (!at) return ReportError(at.error());
    opts.now = *at;
  }
  opts.collateral_dir = a.collateral;
  if (!a.report_data.empty()) {
    auto rd = HexDecode(a.report_data);
    if (!rd) return ReportError(InvalidArgumentError("--report-data: not hex"));
    opts.expected_report_data = std::move(*rd);
  }
  auto bytes = ReadFile(a.evidence, 16 << 20);
  if (!bytes) return ReportError(bytes.error());
  auto claims = (*verifier)->Verify(crypto::AsBytes(*bytes), opts);
  if (!claims) {
    return ReportError(
        claims.error().WithContext(a.evidence + ": " + a.type + " evidence refused"));
  }
  PrintOut(a.format == "text" ? ClaimsText(*claims) : attest::ClaimsToJson(*claims));
  return kExitOk;
}

}  // namespace

void RegisterAttestVerifyCommand(CLI::App& attest_app, CommandContext& ctx) {
  static VerifyArgs args;
  auto* verify = attest_app.add_subcommand(
      "verify", "Verify TEE evidence offline against pinned roots; print its claims");
  verify
      ->add_option("evidence", args.evidence,
                   "Evidence file: an SNP report, an SGX/TDX quote, an NVIDIA GPU report")
      ->required();
  verify->add_option("--type", args.type, "sgx, tdx, snp or nvidia")
      ->required()
      ->check(CLI::IsMember({"sgx", "tdx", "snp", "nvidia"}));
  verify->add_option("--roots", args.roots, "Pinned root certificates, PEM (repeatable)");
  verify->add_option("--rim-roots", args.rim_roots,
                     "NVIDIA: the RIM signing root, PEM (repeatable)");
  verify->add_option(
      "--collateral", args.collateral,
      "Cached collateral: VCEK/VLEK, TCB info, QE identity, CRLs, RIMs, GPU cert chain");
  verify->add_option("--at", args.at, "Verify at this time (YYYY-MM-DD[THH:MM:SSZ]); default now");
  verify->add_option("--report-data", args.report_data,
                     "The report data the evidence must carry (hex)");
  verify->add_option("--format", args.format, "json (default) or text")
      ->check(CLI::IsMember({"json", "text"}));
  verify->callback([&ctx] { ctx.exit_code = Verify(args); });
}

}  // namespace rampart::cli
