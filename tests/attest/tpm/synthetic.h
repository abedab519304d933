// Builders of well-formed TPM evidence for tests, fuzz seeds and benchmarks:
// TPMS_ATTEST quotes, TPMT_SIGNATURE, crypto-agile UEFI event logs and IMA
// ASCII lists. They write the formats of docs/formats/tpm-evidence.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attest/tpm/event_log.h"
#include "attest/tpm/ima_log.h"
#include "attest/tpm/quote.h"
#include "attest/tpm/wire.h"
#include "core/crypto.h"
#include "core/encoding.h"

namespace rampart::attest::tpm::synthetic {

inline void Be16(Bytes* o, std::uint16_t v) {
  o->push_back(static_cast<std::uint8_t>(v >> 8));
  o->push_back(static_cast<std::uint8_t>(v));
}
inline void Be32(Bytes* o, std::uint32_t v) {
  Be16(o, static_cast<std::uint16_t>(v >> 16));
  Be16(o, static_cast<std::uint16_t>(v));
}
inline void Be64(Bytes* o, std::uint64_t v) {
  Be32(o, static_cast<std::uint32_t>(v >> 32));
  Be32(o, static_cast<std::uint32_t>(v));
}
inline void Le16(Bytes* o, std::uint16_t v) {
  o->push_back(static_cast<std::uint8_t>(v));
  o->push_back(static_cast<std::uint8_t>(v >> 8));
}
inline void Le32(Bytes* o, std::uint32_t v) {
  Le16(o, static_cast<std::uint16_t>(v));
  Le16(o, static_cast<std::uint16_t>(v >> 16));
}
inline void Le64(Bytes* o, std::uint64_t v) {
  Le32(o, static_cast<std::uint32_t>(v));
  Le32(o, static_cast<std::uint32_t>(v >> 32));
}
inline void Append(Bytes* o, const Bytes& b) { o->insert(o->end(), b.begin(), b.end()); }
inline void Append(Bytes* o, std::string_view s) { o->insert(o->end(), s.begin(), s.end()); }
inline void Tpm2b(Bytes* o, const Bytes& b) {
  Be16(o, static_cast<std::uint16_t>(b.size()));
  Append(o, b);
}

struct QuoteSpec {
  Bytes nonce;
  std::uint16_t bank = kAlgSha256;
  std::vector<int> pcrs;
  Bytes pcr_digest;
  std::uint32_t magic = kGeneratedValue;
  std::uint16_t type = kStAttestQuote;
};

inline Bytes MarshalAttest(const QuoteSpec& q) {
  Bytes o;
  Be32(&o, q.magic);
  Be16(&o, q.type);
  Bytes signer{0x00, 0x0b};
  signer.resize(34, 0x5a);
  Tpm2b(&o, signer);
  Tpm2b(&o, q.nonce);
  Be64(&o, 123456);  // clock
  Be32(&o, 1);       // resetCount
  Be32(&o, 0);       // restartCount
  o.push_back(1);    // safe
  Be64(&o, 0x2000000000000ull);
  Be32(&o, 1);
  Be16(&o, q.bank);
  o.push_back(3);
  std::uint8_t sel[3] = {0, 0, 0};
  for (int p : q.pcrs) sel[p / 8] |= static_cast<std::uint8_t>(1u << (p % 8));
  o.insert(o.end(), sel, sel + 3);
  Tpm2b(&o, q.pcr_digest);
  return o;
}

// A TPMT_SIGNATURE by `key` over `attest`: RSASSA (or RSA-PSS when `pss`)
// for RSA keys, ECDSA for EC keys; SHA-256.
Bytes SignAttest(const crypto::PrivateKey& key, const Bytes& attest, bool pss = false);

// A crypto-agile event log under construction.
class EventLogBuilder {
 public:
  explicit EventLogBuilder(std::vector<std::uint16_t> algs = {kAlgSha256});
  // An event whose digests are the hash of `data` (or of `measured` when
  // given: what firmware measures is often not the event data).
  void Add(std::uint32_t pcr, std::uint32_t type, const Bytes& data,
           const Bytes* measured = nullptr);
  void Add(std::uint32_t pcr, std::uint32_t type, std::string_view data) {
    Add(pcr, type, Bytes(data.begin(), data.end()));
  }
  // The SHA-256 digest each non-EV_NO_ACTION event extends, in order: what a
  // test extends into a real TPM.
  const std::vector<std::pair<std::uint32_t, Bytes>>& extends() const { return extends_; }
  const Bytes& bytes() const { return out_; }

 private:
  std::vector<std::uint16_t> algs_;
  Bytes out_;
  std::vector<std::pair<std::uint32_t, Bytes>> extends_;
};

inline Bytes Utf16(std::string_view s) {
  Bytes o;
  for (char c : s) Le16(&o, static_cast<std::uint8_t>(c));
  return o;
}

// UEFI_VARIABLE_DATA for `name` holding `value`.
inline Bytes EfiVariable(std::string_view name, const Bytes& value) {
  Bytes o(16, 0x61);  // the vendor GUID; the verifier reads names
  Le64(&o, name.size());
  Le64(&o, value.size());
  Append(&o, Utf16(name));
  Append(&o, value);
  return o;
}

// What a synthetic node booted.
struct BootSpec {
  bool secure_boot = true;
  std::string firmware_blob = "firmware volume 1.0";
  std::string shim = "shim image";
  std::string grub = "grub image";
  std::string kernel_path = "/vmlinuz-6.1.0-rampart";
  std::string kernel = "kernel image 6.1.0";
  std::string initrd = "initrd image";
  std::string cmdline = "BOOT_IMAGE=/vmlinuz-6.1.0-rampart root=/dev/sda1 ro";
  int extra_events = 0;  // EV_POST_CODE events in PCR 0, to make logs longer
};

inline std::string Sha256Hex(std::string_view s) { return HexEncode(crypto::Sha256(s)); }

// A PC-client-shaped boot: firmware in PCR 0, Secure Boot variables in PCR 7,
// shim and grub in PCR 4, the kernel command line in PCR 8, kernel and initrd
// in PCR 9, separators in PCRs 0-7. Digests of the images are the SHA-256 of
// the strings in `spec`.
void WriteBoot(const BootSpec& spec, EventLogBuilder* b);

// One IMA ima-ng line for `content` at `path`, and the template data's
// SHA-256 (what the PCR 10 SHA-256 bank is extended with).
struct ImaLine {
  std::string line;
  Bytes sha256_extend;
};
ImaLine MakeImaLine(std::string_view path, std::string_view content);

}  // namespace rampart::attest::tpm::synthetic
