// The Linux IMA measurement list, ASCII (ascii_runtime_measurements) or
// binary (binary_runtime_measurements), replayed into PCR 10. Templates
// ima-ng and ima-sig are understood (file digest and path); others are
// replayed but carry no file facts. Format notes: docs/formats/tpm-evidence.md.
//
// The ASCII list shows only the SHA-1 template hash; the verifier rebuilds
// the ima-ng template data from the line's fields, checks that its SHA-1 is
// the hash the line claims, and extends the other banks with the template
// data's digest under their own hash, as the kernel does.
//
// Refusals are InvalidArgument naming the check and the line or offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/tpm/quote.h"
#include "attest/tpm/wire.h"
#include "core/status.h"

namespace rampart::attest::tpm {

inline constexpr int kImaPcr = 10;

struct ImaLimits {
  std::size_t max_bytes = 256u << 20;
  std::size_t max_entries = 2'000'000;
  std::size_t max_template_data = 1u << 20;
};

struct ImaEntry {
  std::size_t where = 0;  // line (ASCII, from 1) or byte offset (binary)
  std::uint32_t pcr = kImaPcr;
  Bytes template_hash;  // SHA-1 of template_data; all zeros for a violation
  std::string template_name;
  Bytes template_data;
  std::string file_digest;  // "sha256:<hex>" (ima-ng, ima-sig)
  std::string path;
};

struct ImaLog {
  bool binary = false;
  std::vector<ImaEntry> entries;
};

// Either form: a binary list starts with a 32-bit PCR index, an ASCII one
// with digits.
Result<ImaLog> ParseImaLog(ByteView data, const ImaLimits& limits = {});
Result<ImaLog> ParseImaAscii(std::string_view text, const ImaLimits& limits = {});
Result<ImaLog> ParseImaBinary(ByteView data, const ImaLimits& limits = {});

// Extends PCR 10 of every bank in `values` (creating it at zero where
// missing) with the list's entries. A violation (zero template hash) extends
// all-ones, as the kernel does.
void ReplayImaLog(const ImaLog& log, PcrValues* values);

}  // namespace rampart::attest::tpm
