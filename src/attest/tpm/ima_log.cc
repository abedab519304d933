#include "attest/tpm/ima_log.h"

#include <algorithm>
#include <cstring>

#include "attest/tpm/byte_reader.h"
#include "core/encoding.h"

namespace rampart::attest::tpm {
namespace {

void PutLe32(Bytes* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint16_t AlgByName(std::string_view name) {
  if (name == "sha1") return kAlgSha1;
  if (name == "sha256") return kAlgSha256;
  if (name == "sha384") return kAlgSha384;
  if (name == "sha512") return kAlgSha512;
  return 0;
}

// Reads the d-ng and n-ng fields of an ima-ng/ima-sig template.
Status DecodeImaNg(ImaEntry* e) {
  ByteReader r(e->template_data, "ima." + e->template_name, true);
  RAMPART_ASSIGN_OR_RETURN(std::uint32_t dlen, r.U32("d-ng.length"));
  RAMPART_ASSIGN_OR_RETURN(auto d, r.Take(dlen, "d-ng"));
  auto colon = std::find(d.begin(), d.end(), ':');
  if (colon == d.end() || colon + 1 == d.end() || *(colon + 1) != 0)
    return r.Error(4, "d-ng", "no \"<algo>:\\0\" prefix");
  std::string algo(d.begin(), colon);
  std::uint16_t alg = AlgByName(algo);
  std::size_t digest_len = static_cast<std::size_t>(d.end() - (colon + 2));
  if (alg == 0 || TpmDigestSize(alg) != digest_len)
    return r.Error(4, "d-ng",
                   "digest of " + std::to_string(digest_len) + " bytes for \"" + algo + "\"");
  e->file_digest = algo + ":" + HexEncode(ByteView(colon + 2, d.end()));
  RAMPART_ASSIGN_OR_RETURN(std::uint32_t nlen, r.U32("n-ng.length"));
  RAMPART_ASSIGN_OR_RETURN(auto n, r.Take(nlen, "n-ng"));
  if (n.empty() || n.back() != 0) return r.Error("n-ng", "name is not NUL-terminated");
  e->path.assign(n.begin(), n.end() - 1);
  if (e->template_name == "ima-ng" && !r.empty())
    return r.Error("end", std::to_string(r.remaining()) + " trailing bytes");
  return OkStatus();
}

bool IsZero(const Bytes& b) {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c == 0; });
}

}  // namespace

Result<ImaLog> ParseImaLog(ByteView data, const ImaLimits& limits) {
  if (!data.empty() && data[0] >= '0' && data[0] <= '9')
    return ParseImaAscii(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()),
                         limits);
  return ParseImaBinary(data, limits);
}

Result<ImaLog> ParseImaAscii(std::string_view text, const ImaLimits& limits) {
  if (text.size() > limits.max_bytes)
    return ResourceExhaustedError("ima.size: " + std::to_string(text.size()) +
                                  " bytes, the limit is " + std::to_string(limits.max_bytes));
  ImaLog log;
  std::size_t line_no = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    auto fail = [&](std::string_view what) {
      return InvalidArgumentError("ima.line " + std::to_string(line_no) + ": " + std::string(what));
    };
    if (log.entries.size() >= limits.max_entries)
      return ResourceExhaustedError("ima.count: more than " + std::to_string(limits.max_entries) +
                                    " entries");
    // PCR template-hash template-name file-digest path (the path may hold spaces).
    std::string_view f[4];
    for (auto& field : f) {
      std::size_t sp = line.find(' ');
      if (sp == std::string_view::npos) return fail("fewer than five fields");
      field = line.substr(0, sp);
      line = line.substr(sp + 1);
    }
    ImaEntry e;
    e.where = line_no;
    if (f[0] != "10") return fail("PCR " + std::string(f[0]) + ", IMA extends PCR 10");
    auto th = HexDecode(f[1]);
    if (!th || th->size() != 20) return fail("template hash is not 40 hex digits");
    e.template_hash = std::move(*th);
    e.template_name = std::string(f[2]);
    if (e.template_name != "ima-ng")
      return fail("template \"" + e.template_name + "\": the ASCII list is read for ima-ng only");
    std::size_t colon = f[3].find(':');
    if (colon == std::string_view::npos) return fail("file digest has no \"<algo>:\" prefix");
    std::string algo(f[3].substr(0, colon));
    auto digest = HexDecode(f[3].substr(colon + 1));
    if (!digest || AlgByName(algo) == 0 || digest->size() != TpmDigestSize(AlgByName(algo)))
      return fail("file digest \"" + std::string(f[3]) + "\" is not <algo>:<hex> of its size");
    e.path = std::string(line);
    e.file_digest = algo + ":" + HexEncode(*digest);
    // Rebuild the template data: d-ng then n-ng, lengths little-endian.
    PutLe32(&e.template_data, static_cast<std::uint32_t>(algo.size() + 2 + digest->size()));
    e.template_data.insert(e.template_data.end(), algo.begin(), algo.end());
    e.template_data.push_back(':');
    e.template_data.push_back(0);
    e.template_data.insert(e.template_data.end(), digest->begin(), digest->end());
    PutLe32(&e.template_data, static_cast<std::uint32_t>(e.path.size() + 1));
    e.template_data.insert(e.template_data.end(), e.path.begin(), e.path.end());
    e.template_data.push_back(0);
    if (!IsZero(e.template_hash) && TpmDigest(kAlgSha1, e.template_data) != e.template_hash)
      return fail("template hash does not match the line's digest and path");
    log.entries.push_back(std::move(e));
  }
  return log;
}

Result<ImaLog> ParseImaBinary(ByteView data, const ImaLimits& limits) {
  if (data.size() > limits.max_bytes)
    return ResourceExhaustedError("ima.size: " + std::to_string(data.size()) +
                                  " bytes, the limit is " + std::to_string(limits.max_bytes));
  ImaLog log;
  log.binary = true;
  ByteReader r(data, "ima", /*little_endian=*/true);
  while (!r.empty()) {
    if (log.entries.size() >= limits.max_entries)
      return ResourceExhaustedError("ima.count: more than " + std::to_string(limits.max_entries) +
                                    " entries");
    ImaEntry e;
    e.where = r.offset();
    RAMPART_ASSIGN_OR_RETURN(e.pcr, r.U32("pcr"));
    if (e.pcr != kImaPcr)
      return r.Error(e.where, "pcr", "PCR " + std::to_string(e.pcr) + ", IMA extends PCR 10");
    RAMPART_ASSIGN_OR_RETURN(e.template_hash, r.Copy(20, "template_hash"));
    std::size_t at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(std::uint32_t name_len, r.U32("template_name.length"));
    if (name_len == 0 || name_len > 255)
      return r.Error(at, "template_name.length", std::to_string(name_len) + ", expected 1..255");
    RAMPART_ASSIGN_OR_RETURN(auto name, r.Take(name_len, "template_name"));
    e.template_name.assign(name.begin(), name.end());
    if (e.template_name == "ima")
      return r.Error(at, "template_name", "the original \"ima\" template is not supported");
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(std::uint32_t len, r.U32("template_data.length"));
    if (len > limits.max_template_data || len > r.remaining())
      return r.Error(at, "template_data.length",
                     std::to_string(len) + " bytes, " + std::to_string(r.remaining()) + " left");
    RAMPART_ASSIGN_OR_RETURN(e.template_data, r.Copy(len, "template_data"));
    if (!IsZero(e.template_hash) && TpmDigest(kAlgSha1, e.template_data) != e.template_hash)
      return r.Error(e.where, "template_hash", "does not match the entry's template data");
    if (e.template_name == "ima-ng" || e.template_name == "ima-sig") {
      Status s = DecodeImaNg(&e);
      if (!s.ok())
        return InvalidArgumentError(s.message() + " (entry at offset " + std::to_string(e.where) +
                                    ")");
    }
    log.entries.push_back(std::move(e));
  }
  return log;
}

void ReplayImaLog(const ImaLog& log, PcrValues* values) {
  for (auto& [alg, bank] : *values) {
    std::size_t size = TpmDigestSize(alg);
    Bytes& pcr = bank[kImaPcr];
    if (pcr.size() != size) pcr.assign(size, 0);
    for (const auto& e : log.entries) {
      Bytes digest;
      if (IsZero(e.template_hash))
        digest.assign(size, 0xff);
      else if (alg == kAlgSha1)
        digest = e.template_hash;
      else
        digest = TpmDigest(alg, e.template_data);
      ExtendPcr(alg, &pcr, digest);
    }
  }
}

}  // namespace rampart::attest::tpm
