#include "attest/sample.h"

#include <algorithm>

#include "core/encoding.h"
#include "core/json.h"

namespace rampart::attest {
namespace {

constexpr std::string_view kFormat = "rampart-sample-evidence-v1";

bool IsHex(std::string_view s) {
  return !s.empty() && s.size() <= 256 && s.size() % 2 == 0 &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsName(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

Result<TcbStatus> ParseTcb(std::string_view s) {
  for (TcbStatus t :
       {TcbStatus::kUpToDate, TcbStatus::kSwHardeningNeeded, TcbStatus::kConfigurationNeeded,
        TcbStatus::kConfigurationAndSwHardeningNeeded, TcbStatus::kOutOfDate,
        TcbStatus::kOutOfDateConfigurationNeeded, TcbStatus::kRevoked, TcbStatus::kUnknown}) {
    if (s == TcbStatusName(t)) return t;
  }
  return InvalidArgumentError("sample evidence: unknown tcb_status '" + std::string(s) + "'");
}

json::object Body(const SampleStatement& s) {
  json::object m, a;
  for (const auto& [k, v] : s.measurements) m[k] = v;
  for (const auto& [k, v] : s.attributes) a[k] = v;
  return json::object{{"format", kFormat},
                      {"tee", "sample"},
                      {"measurements", std::move(m)},
                      {"report_data", HexEncode(std::span<const std::uint8_t>(s.report_data))},
                      {"tcb_status", s.tcb_status},
                      {"debug", s.debug},
                      {"attributes", std::move(a)}};
}

}  // namespace

Result<std::string> MakeSampleEvidence(const SampleStatement& s, const crypto::PrivateKey& key) {
  json::object body = Body(s);
  std::string signed_bytes = CanonicalJson(body);
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes sig, key.Sign(crypto::AsBytes(signed_bytes)));
  body["signature"] = Base64Encode(std::span<const std::uint8_t>(sig));
  return CanonicalJson(body);
}

Result<Claims> SampleVerifier::Verify(std::span<const std::uint8_t> evidence,
                                      const VerifyOptions& opts) const {
  if (evidence.size() > kMaxSampleEvidenceBytes) {
    return InvalidArgumentError("sample evidence: larger than 64 KiB");
  }
  JsonLimits lim;
  lim.max_bytes = kMaxSampleEvidenceBytes;
  lim.max_depth = 4;
  RAMPART_ASSIGN_OR_RETURN(json::value v,
                           ParseJson(crypto::AsString(evidence), lim, "sample evidence"));
  if (!v.is_object()) return InvalidArgumentError("sample evidence: must be a JSON object");
  json::object o = v.get_object();
  for (const auto& kv : o) {
    static const std::vector<std::string_view> kKnown = {
        "format",     "tee",   "measurements", "report_data",
        "tcb_status", "debug", "attributes",   "signature"};
    if (std::find(kKnown.begin(), kKnown.end(), std::string_view(kv.key())) == kKnown.end())
      return InvalidArgumentError("sample evidence: unknown member '" + std::string(kv.key()) +
                                  "'");
  }
  auto fmt = GetString(o, "format");
  if (!fmt || *fmt != kFormat)
    return InvalidArgumentError("sample evidence: format must be " + std::string(kFormat));
  auto tee = GetString(o, "tee");
  if (!tee || *tee != "sample")
    return InvalidArgumentError("sample evidence: tee must be \"sample\"");
  auto sig_b64 = GetString(o, "signature");
  if (!sig_b64) return InvalidArgumentError("sample evidence: " + sig_b64.error().message());
  auto sig = Base64Decode(*sig_b64);
  if (!sig) return InvalidArgumentError("sample evidence: signature is not base64");
  o.erase("signature");
  if (!key_.Verify(crypto::AsBytes(CanonicalJson(o)), *sig).ok()) {
    return PermissionDeniedError(
        "sample evidence: signature does not verify with the pinned sample key");
  }
  Claims c;
  c.tee = TeeType::kSample;
  auto ms = GetObject(o, "measurements");
  if (!ms) return InvalidArgumentError("sample evidence: " + ms.error().message());
  for (const auto& kv : **ms) {
    if (!IsName(kv.key()) || !kv.value().is_string() || !IsHex(kv.value().get_string()))
      return InvalidArgumentError("sample evidence: measurement '" + std::string(kv.key()) +
                                  "' must be a lowercase hex string");
    c.measurements.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  auto rd = GetString(o, "report_data");
  if (!rd) return InvalidArgumentError("sample evidence: " + rd.error().message());
  auto rdb = HexDecode(*rd);
  if (!rdb || rdb->size() != 64)
    return InvalidArgumentError("sample evidence: report_data must be 64 bytes in hex");
  c.report_data = std::move(*rdb);
  auto tcb = GetString(o, "tcb_status");
  if (!tcb) return InvalidArgumentError("sample evidence: " + tcb.error().message());
  RAMPART_ASSIGN_OR_RETURN(c.tcb_status, ParseTcb(*tcb));
  auto dbg = GetBool(o, "debug");
  if (!dbg) return InvalidArgumentError("sample evidence: " + dbg.error().message());
  c.debug = *dbg;
  if (auto at = GetObject(o, "attributes"); at) {
    for (const auto& kv : **at) {
      if (!IsName(kv.key()) || !kv.value().is_string())
        return InvalidArgumentError("sample evidence: attribute '" + std::string(kv.key()) +
                                    "' must be a string");
      c.attributes.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
    }
  }
  c.evidence_digest = "sha256:" + HexEncode(crypto::Sha256(evidence));
  if (opts.expected_report_data &&
      !crypto::ConstantTimeEqual(*opts.expected_report_data, c.report_data)) {
    return PermissionDeniedError("report data does not match the nonce");
  }
  return c;
}

}  // namespace rampart::attest
