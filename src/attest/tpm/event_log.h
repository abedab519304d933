// The TCG PC Client measured-boot event log in its crypto-agile form (TCG PC
// Client Platform Firmware Profile §10): a SHA-1-format TCG_PCR_EVENT holding
// the Spec ID event, then TCG_PCR_EVENT2 records with one digest per PCR bank.
// The log is untrusted: it means something only once its replay matches PCRs
// a quote signed (attest/tpm/quote.h). Format notes: docs/formats/tpm-evidence.md.
//
// Refusals are InvalidArgument naming the check and the byte offset:
// "event_log.digests at offset 1234 (event 17): 3 digests, the Spec ID event
// declares 2".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attest/tpm/quote.h"
#include "attest/tpm/wire.h"
#include "core/status.h"

namespace rampart::attest::tpm {

// Event types (TCG PC Client PFP, Table 9) that the verifier reads.
inline constexpr std::uint32_t kEvPostCode = 0x1;
inline constexpr std::uint32_t kEvNoAction = 0x3;
inline constexpr std::uint32_t kEvSeparator = 0x4;
inline constexpr std::uint32_t kEvAction = 0x5;
inline constexpr std::uint32_t kEvEventTag = 0x6;
inline constexpr std::uint32_t kEvSCrtmContents = 0x7;
inline constexpr std::uint32_t kEvSCrtmVersion = 0x8;
inline constexpr std::uint32_t kEvIpl = 0xD;
inline constexpr std::uint32_t kEvEfiVariableDriverConfig = 0x80000001;
inline constexpr std::uint32_t kEvEfiVariableBoot = 0x80000002;
inline constexpr std::uint32_t kEvEfiBootServicesApplication = 0x80000003;
inline constexpr std::uint32_t kEvEfiBootServicesDriver = 0x80000004;
inline constexpr std::uint32_t kEvEfiAction = 0x80000007;
inline constexpr std::uint32_t kEvEfiPlatformFirmwareBlob = 0x80000008;
inline constexpr std::uint32_t kEvEfiPlatformFirmwareBlob2 = 0x8000000A;
inline constexpr std::uint32_t kEvEfiVariableAuthority = 0x800000E0;

// "EV_IPL", "EV_EFI_BOOT_SERVICES_APPLICATION", ... or "0x12345678".
std::string EventTypeName(std::uint32_t type);

struct EventLogLimits {
  std::size_t max_bytes = 64u << 20;       // a whole log
  std::size_t max_events = 1'000'000;      // TCG_PCR_EVENT2 records
  std::size_t max_event_data = 16u << 20;  // one record's event data
};

struct LogEvent {
  std::size_t offset = 0;  // of the record in the log
  std::uint32_t pcr = 0;
  std::uint32_t type = 0;
  std::map<std::uint16_t, Bytes> digests;  // by TPM_ALG_ID
  Bytes data;
};

struct EventLog {
  // The banks the Spec ID event declares, with their digest sizes, in order.
  std::vector<std::pair<std::uint16_t, std::uint16_t>> algorithms;
  std::uint8_t startup_locality = 0;  // from a StartupLocality EV_NO_ACTION event
  std::vector<LogEvent> events;       // after the Spec ID event
};

Result<EventLog> ParseEventLog(ByteView data, const EventLogLimits& limits = {});

// Replays the log: PCRs 0..23 of every bank the log declares (and the
// verifier knows), starting at zero (PCR 0 at the startup locality),
// extended with each event's digest; EV_NO_ACTION events are not extended.
PcrValues ReplayEventLog(const EventLog& log);

// A digest the log recorded, named: "sha256:<hex>".
struct Measurement {
  std::string what;    // e.g. "EV_EFI_BOOT_SERVICES_APPLICATION #2", "/vmlinuz-6.1.0"
  std::string digest;  // "sha256:<hex>" (or the strongest bank the event has)
  std::size_t event_index = 0;
};

// What the boot log says booted (docs/formats/tpm-evidence.md, "facts").
struct BootFacts {
  std::vector<Measurement> firmware;           // PCR 0: POST code, firmware blobs, S-CRTM
  std::string firmware_version;                // EV_S_CRTM_VERSION, as text
  std::vector<Measurement> boot_applications;  // EV_EFI_BOOT_SERVICES_APPLICATION: shim, grub...
  std::optional<bool> secure_boot;             // the SecureBoot variable (PCR 7)
  std::map<std::string, std::string> secure_boot_vars;  // "PK", "KEK", "db", "dbx" -> digest
  std::optional<Measurement> kernel;                    // grub's EV_IPL of the kernel file (PCR 9)
  std::optional<Measurement> initrd;                    // EV_IPL of the initrd, or the kernel's tag
  std::optional<std::string> kernel_cmdline;            // grub's "kernel_cmdline: ..." (PCR 8)
};
BootFacts ExtractBootFacts(const EventLog& log);

}  // namespace rampart::attest::tpm
