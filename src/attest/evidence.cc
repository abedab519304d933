#include "attest/evidence.h"

namespace rampart::attest {

std::string_view TeeTypeName(TeeType t) {
  switch (t) {
    case TeeType::kSgx:
      return "sgx";
    case TeeType::kTdx:
      return "tdx";
    case TeeType::kSnp:
      return "snp";
    case TeeType::kNvidiaGpu:
      return "nvidia";
    case TeeType::kSample:
      return "sample";
  }
  return "unknown";
}

Result<TeeType> ParseTeeType(std::string_view s) {
  for (TeeType t :
       {TeeType::kSgx, TeeType::kTdx, TeeType::kSnp, TeeType::kNvidiaGpu, TeeType::kSample}) {
    if (s == TeeTypeName(t)) return t;
  }
  return InvalidArgumentError("unknown TEE type '" + std::string(s) +
                              "' (sgx, tdx, snp, nvidia or sample)");
}

std::string_view TcbStatusName(TcbStatus s) {
  switch (s) {
    case TcbStatus::kUpToDate:
      return "UpToDate";
    case TcbStatus::kSwHardeningNeeded:
      return "SWHardeningNeeded";
    case TcbStatus::kConfigurationNeeded:
      return "ConfigurationNeeded";
    case TcbStatus::kConfigurationAndSwHardeningNeeded:
      return "ConfigurationAndSWHardeningNeeded";
    case TcbStatus::kOutOfDate:
      return "OutOfDate";
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return "OutOfDateConfigurationNeeded";
    case TcbStatus::kRevoked:
      return "Revoked";
    case TcbStatus::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

}  // namespace rampart::attest
