#include "attest/tpm/event_log.h"

#include <cstdio>
#include <cstring>

#include "attest/tpm/byte_reader.h"
#include "core/encoding.h"

namespace rampart::attest::tpm {
namespace {

constexpr std::size_t kPcrCount = 24;
constexpr std::uint32_t kMaxAlgorithms = 16;
constexpr char kSpecIdSignature[] = "Spec ID Event03";  // with its NUL: 16 bytes
constexpr char kStartupLocality[] = "StartupLocality";  // with its NUL: 16 bytes

std::string Where(std::size_t offset, std::size_t index) {
  return " (event " + std::to_string(index) + " at offset " + std::to_string(offset) + ")";
}

// UTF-16LE to text, ASCII only (variable names, CRTM versions); others as '?'.
std::string Utf16Ascii(ByteView b) {
  std::string out;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
    std::uint16_t c = static_cast<std::uint16_t>(b[i] | (b[i + 1] << 8));
    if (c == 0) break;
    out.push_back(c < 0x80 && c >= 0x20 ? static_cast<char>(c) : '?');
  }
  return out;
}

std::string Printable(ByteView b) {
  std::string out;
  for (std::uint8_t c : b) {
    if (c == 0) break;
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  return out;
}

Status ParseSpecId(ByteView data, EventLog* log) {
  ByteReader r(data, "event_log.spec_id", /*little_endian=*/true);
  RAMPART_ASSIGN_OR_RETURN(auto sig, r.Take(16, "signature"));
  if (std::memcmp(sig.data(), kSpecIdSignature, 16) != 0)
    return r.Error(0, "signature",
                   "not \"Spec ID Event03\": not a crypto-agile log (SHA-1-only logs are refused)");
  RAMPART_RETURN_IF_ERROR(r.U32("platformClass").status());
  RAMPART_RETURN_IF_ERROR(r.U8("specVersionMinor").status());
  RAMPART_ASSIGN_OR_RETURN(std::uint8_t major, r.U8("specVersionMajor"));
  if (major != 2)
    return r.Error("specVersionMajor", "version " + std::to_string(major) + ", expected 2");
  RAMPART_RETURN_IF_ERROR(r.U8("specErrata").status());
  RAMPART_RETURN_IF_ERROR(r.U8("uintnSize").status());
  std::size_t at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(std::uint32_t n, r.U32("numberOfAlgorithms"));
  if (n == 0 || n > kMaxAlgorithms)
    return r.Error(at, "numberOfAlgorithms", std::to_string(n) + ", expected 1..16");
  for (std::uint32_t i = 0; i < n; ++i) {
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(std::uint16_t alg, r.U16("digestSizes.algorithmId"));
    RAMPART_ASSIGN_OR_RETURN(std::uint16_t size, r.U16("digestSizes.digestSize"));
    std::size_t known = TpmDigestSize(alg);
    if (known != 0 && known != size)
      return r.Error(at, "digestSizes",
                     AlgName(alg) + " declared with " + std::to_string(size) + " bytes, it has " +
                         std::to_string(known));
    if (size == 0 || size > 64)
      return r.Error(
          at, "digestSizes",
          "digest size " + std::to_string(size) + " for " + AlgName(alg) + ", expected 1..64");
    for (const auto& [a, s] : log->algorithms)
      if (a == alg) return r.Error(at, "digestSizes", AlgName(alg) + " declared twice");
    log->algorithms.emplace_back(alg, size);
  }
  RAMPART_ASSIGN_OR_RETURN(std::uint8_t vendor, r.U8("vendorInfoSize"));
  RAMPART_RETURN_IF_ERROR(r.Take(vendor, "vendorInfo").status());
  return OkStatus();
}

std::string BestDigest(const LogEvent& e) {
  for (std::uint16_t alg : {kAlgSha256, kAlgSha384, kAlgSha512, kAlgSha1}) {
    auto it = e.digests.find(alg);
    if (it != e.digests.end()) return AlgName(alg) + ":" + HexEncode(it->second);
  }
  return "";
}

}  // namespace

std::string EventTypeName(std::uint32_t type) {
  switch (type) {
    case 0x0:
      return "EV_PREBOOT_CERT";
    case kEvPostCode:
      return "EV_POST_CODE";
    case 0x2:
      return "EV_UNUSED";
    case kEvNoAction:
      return "EV_NO_ACTION";
    case kEvSeparator:
      return "EV_SEPARATOR";
    case kEvAction:
      return "EV_ACTION";
    case kEvEventTag:
      return "EV_EVENT_TAG";
    case kEvSCrtmContents:
      return "EV_S_CRTM_CONTENTS";
    case kEvSCrtmVersion:
      return "EV_S_CRTM_VERSION";
    case 0x9:
      return "EV_CPU_MICROCODE";
    case 0xA:
      return "EV_PLATFORM_CONFIG_FLAGS";
    case 0xB:
      return "EV_TABLE_OF_DEVICES";
    case 0xC:
      return "EV_COMPACT_HASH";
    case kEvIpl:
      return "EV_IPL";
    case 0xE:
      return "EV_IPL_PARTITION_DATA";
    case 0xF:
      return "EV_NONHOST_CODE";
    case 0x10:
      return "EV_NONHOST_CONFIG";
    case 0x11:
      return "EV_NONHOST_INFO";
    case 0x12:
      return "EV_OMIT_BOOT_DEVICE_EVENTS";
    case kEvEfiVariableDriverConfig:
      return "EV_EFI_VARIABLE_DRIVER_CONFIG";
    case kEvEfiVariableBoot:
      return "EV_EFI_VARIABLE_BOOT";
    case kEvEfiBootServicesApplication:
      return "EV_EFI_BOOT_SERVICES_APPLICATION";
    case kEvEfiBootServicesDriver:
      return "EV_EFI_BOOT_SERVICES_DRIVER";
    case 0x80000005:
      return "EV_EFI_RUNTIME_SERVICES_DRIVER";
    case 0x80000006:
      return "EV_EFI_GPT_EVENT";
    case kEvEfiAction:
      return "EV_EFI_ACTION";
    case kEvEfiPlatformFirmwareBlob:
      return "EV_EFI_PLATFORM_FIRMWARE_BLOB";
    case 0x80000009:
      return "EV_EFI_HANDOFF_TABLES";
    case kEvEfiPlatformFirmwareBlob2:
      return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
    case 0x8000000B:
      return "EV_EFI_HANDOFF_TABLES2";
    case 0x8000000C:
      return "EV_EFI_VARIABLE_BOOT2";
    case 0x80000010:
      return "EV_EFI_HCRTM_EVENT";
    case kEvEfiVariableAuthority:
      return "EV_EFI_VARIABLE_AUTHORITY";
    case 0x800000E1:
      return "EV_EFI_SPDM_FIRMWARE_BLOB";
    default: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%08x", type);
      return buf;
    }
  }
}

Result<EventLog> ParseEventLog(ByteView data, const EventLogLimits& limits) {
  if (data.size() > limits.max_bytes)
    return ResourceExhaustedError("event_log.size: " + std::to_string(data.size()) +
                                  " bytes, the limit is " + std::to_string(limits.max_bytes));
  ByteReader r(data, "event_log", /*little_endian=*/true);
  EventLog log;
  // The first record: TCG_PCR_EVENT (SHA-1 format) carrying the Spec ID event.
  RAMPART_ASSIGN_OR_RETURN(std::uint32_t pcr0, r.U32("header.pcrIndex"));
  std::size_t at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(std::uint32_t type0, r.U32("header.eventType"));
  if (pcr0 != 0 || type0 != kEvNoAction)
    return r.Error(at, "header.eventType",
                   "the first event is " + EventTypeName(type0) + " in PCR " +
                       std::to_string(pcr0) + ", expected the Spec ID EV_NO_ACTION in PCR 0");
  RAMPART_RETURN_IF_ERROR(r.Take(20, "header.digest").status());
  at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(std::uint32_t size0, r.U32("header.eventSize"));
  if (size0 > r.remaining())
    return r.Error(at, "header.eventSize",
                   std::to_string(size0) + " bytes, " + std::to_string(r.remaining()) + " left");
  RAMPART_ASSIGN_OR_RETURN(auto spec, r.Take(size0, "header.event"));
  RAMPART_RETURN_IF_ERROR(ParseSpecId(spec, &log));

  while (!r.empty()) {
    std::size_t start = r.offset();
    std::size_t index = log.events.size() + 1;
    if (log.events.size() >= limits.max_events)
      return ResourceExhaustedError("event_log.count: more than " +
                                    std::to_string(limits.max_events) + " events");
    LogEvent e;
    e.offset = start;
    RAMPART_ASSIGN_OR_RETURN(e.pcr, r.U32("pcrIndex"));
    RAMPART_ASSIGN_OR_RETURN(e.type, r.U32("eventType"));
    if (e.pcr >= kPcrCount && e.type != kEvNoAction)
      return InvalidArgumentError("event_log.pcrIndex: PCR " + std::to_string(e.pcr) +
                                  " does not exist" + Where(start, index));
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(std::uint32_t count, r.U32("digests.count"));
    if (count != log.algorithms.size())
      return InvalidArgumentError("event_log.digests: " + std::to_string(count) +
                                  " digests, the Spec ID event declares " +
                                  std::to_string(log.algorithms.size()) + Where(start, index));
    for (std::uint32_t i = 0; i < count; ++i) {
      at = r.offset();
      RAMPART_ASSIGN_OR_RETURN(std::uint16_t alg, r.U16("digests.hashAlg"));
      std::uint16_t size = 0;
      for (const auto& [a, s] : log.algorithms)
        if (a == alg) size = s;
      if (size == 0)
        return InvalidArgumentError("event_log.digests: " + AlgName(alg) +
                                    " is not declared by the Spec ID event" + Where(start, index));
      if (e.digests.contains(alg))
        return InvalidArgumentError("event_log.digests: " + AlgName(alg) + " twice" +
                                    Where(start, index));
      auto d = r.Copy(size, "digests.digest");
      if (!d) return InvalidArgumentError(d.error().message() + Where(start, index));
      e.digests.emplace(alg, std::move(*d));
    }
    at = r.offset();
    auto size = r.U32("eventSize");
    if (!size) return InvalidArgumentError(size.error().message() + Where(start, index));
    if (*size > limits.max_event_data || *size > r.remaining())
      return InvalidArgumentError("event_log.eventSize: " + std::to_string(*size) + " bytes, " +
                                  std::to_string(r.remaining()) + " left" + Where(start, index));
    RAMPART_ASSIGN_OR_RETURN(e.data, r.Copy(*size, "event"));
    if (e.type == kEvNoAction && e.pcr == 0 && e.data.size() == 17 &&
        std::memcmp(e.data.data(), kStartupLocality, 16) == 0)
      log.startup_locality = e.data[16];
    log.events.push_back(std::move(e));
  }
  return log;
}

PcrValues ReplayEventLog(const EventLog& log) {
  PcrValues out;
  for (const auto& [alg, size] : log.algorithms) {
    if (TpmDigestSize(alg) == 0) continue;
    PcrBank bank;
    for (std::size_t i = 0; i < kPcrCount; ++i) bank[static_cast<int>(i)] = Bytes(size, 0);
    bank[0].back() = log.startup_locality;
    out.emplace(alg, std::move(bank));
  }
  for (const auto& e : log.events) {
    if (e.type == kEvNoAction) continue;
    for (auto& [alg, bank] : out) ExtendPcr(alg, &bank[static_cast<int>(e.pcr)], e.digests.at(alg));
  }
  return out;
}

BootFacts ExtractBootFacts(const EventLog& log) {
  BootFacts f;
  std::size_t apps = 0;
  for (std::size_t i = 0; i < log.events.size(); ++i) {
    const LogEvent& e = log.events[i];
    std::string digest = BestDigest(e);
    switch (e.type) {
      case kEvPostCode:
      case kEvSCrtmContents:
      case kEvEfiPlatformFirmwareBlob:
      case kEvEfiPlatformFirmwareBlob2:
        if (e.pcr == 0) f.firmware.push_back({EventTypeName(e.type), digest, i});
        break;
      case kEvSCrtmVersion:
        f.firmware_version = Utf16Ascii(e.data);
        break;
      case kEvEfiBootServicesApplication:
        f.boot_applications.push_back(
            {"EV_EFI_BOOT_SERVICES_APPLICATION #" + std::to_string(++apps), digest, i});
        break;
      case kEvEfiVariableDriverConfig: {
        // UEFI_VARIABLE_DATA: GUID, UINT64 name length (chars), UINT64 data
        // length, UTF-16 name, data.
        ByteReader r(e.data, "UEFI_VARIABLE_DATA", true);
        if (!r.Take(16, "VariableName").has_value()) break;
        auto name_len = r.U64("UnicodeNameLength");
        auto data_len = r.U64("VariableDataLength");
        if (!name_len || !data_len || *name_len > 64 || *data_len > r.remaining()) break;
        auto name = r.Take(*name_len * 2, "UnicodeName");
        if (!name) break;
        auto value = r.Take(*data_len, "VariableData");
        if (!value) break;
        std::string n = Utf16Ascii(*name);
        if (n == "SecureBoot") {
          f.secure_boot = value->size() == 1 && (*value)[0] == 1;
        } else if (n == "PK" || n == "KEK" || n == "db" || n == "dbx") {
          f.secure_boot_vars[n] = digest;
        }
        break;
      }
      case kEvIpl: {
        std::string text = Printable(e.data);
        if (e.pcr == 8 && text.starts_with("kernel_cmdline: ")) {
          f.kernel_cmdline = text.substr(16);
        } else if (e.pcr == 9) {
          std::string base =
              text.substr(text.rfind('/') == std::string::npos ? 0 : text.rfind('/') + 1);
          if (base.starts_with("vmlinuz") || base.starts_with("vmlinux") ||
              base.starts_with("bzImage"))
            f.kernel = Measurement{text, digest, i};
          else if (base.starts_with("initrd") || base.starts_with("initramfs"))
            f.initrd = Measurement{text, digest, i};
        }
        break;
      }
      case kEvEventTag:
        // The Linux EFI stub measures the initrd it loads into PCR 9.
        if (e.pcr == 9 && !f.initrd) f.initrd = Measurement{"initrd (EFI stub)", digest, i};
        break;
      default:
        break;
    }
  }
  return f;
}

}  // namespace rampart::attest::tpm
