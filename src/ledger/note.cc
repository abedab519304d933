#include "ledger/note.h"

#include <cstring>

#include "core/ascii.h"
#include "core/encoding.h"

namespace rampart::ledger {
namespace {

constexpr std::uint8_t kAlgEd25519 = 0x01;
constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";  // U+2014, U+0020

// Decodes one UTF-8 code point at s[*i]; false on an invalid sequence
// (overlong forms, surrogates and values above U+10FFFF included).
bool NextCodePoint(std::string_view s, std::size_t* i, char32_t* cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(*i);
  int len = 0;
  char32_t v = 0;
  if (c < 0x80) {
    *cp = c;
    ++*i;
    return true;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    v = c & 0x07;
  } else {
    return false;
  }
  if (*i + len > s.size()) return false;
  for (int k = 1; k < len; ++k) {
    unsigned char cc = b(*i + k);
    if ((cc & 0xC0) != 0x80) return false;
    v = (v << 6) | (cc & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  *cp = v;
  *i += len;
  return true;
}

bool IsUnicodeSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == 0x85 ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// Valid UTF-8 with no control characters other than '\n'.
bool IsValidNoteBytes(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t c;
    if (!NextCodePoint(s, &i, &c)) return false;
    if (c < 0x20 && c != '\n') return false;
  }
  return true;
}

std::string HexId(std::uint32_t id) {
  static const char* kHex = "0123456789abcdef";
  std::string s(8, '0');
  for (int i = 7; i >= 0; --i, id >>= 4) s[i] = kHex[id & 0xF];
  return s;
}

// Splits "a+b+c" style key text into exactly `n` fields.
bool SplitPlus(std::string_view s, std::size_t n, std::vector<std::string_view>* out) {
  out->clear();
  std::size_t start = 0;
  while (out->size() + 1 < n) {
    std::size_t p = s.find('+', start);
    if (p == std::string_view::npos) return false;
    out->push_back(s.substr(start, p - start));
    start = p + 1;
  }
  out->push_back(s.substr(start));
  return true;
}

bool ParseHexId(std::string_view s, std::uint32_t* id) {
  if (s.size() != 8) return false;
  std::uint32_t v = 0;
  for (char c : s) {
    int d = HexDigitValue(c);
    if (d < 0 || (c >= 'A' && c <= 'F')) return false;  // the reference encoding is lowercase only
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  *id = v;
  return true;
}

Status Malformed(std::string_view why) {
  return InvalidArgumentError("malformed note: " + std::string(why));
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  std::size_t i = 0;
  while (i < name.size()) {
    char32_t c;
    if (!NextCodePoint(name, &i, &c)) return false;
    if (c == '+' || c < 0x20 || IsUnicodeSpace(c)) return false;
  }
  return true;
}

std::uint32_t Ed25519KeyId(std::string_view name, crypto::ByteView public_key) {
  std::string buf(name);
  buf.push_back('\n');
  buf.push_back(static_cast<char>(kAlgEd25519));
  buf.append(crypto::AsString(public_key));
  crypto::Sha256Digest d = crypto::Sha256(buf);
  return (std::uint32_t{d[0]} << 24) | (std::uint32_t{d[1]} << 16) | (std::uint32_t{d[2]} << 8) |
         std::uint32_t{d[3]};
}

// ---- NoteVerifier ---------------------------------------------------------------

Result<NoteVerifier> NoteVerifier::FromPublicKey(std::string_view name, crypto::ByteView raw32) {
  if (!IsValidKeyName(name)) {
    return InvalidArgumentError("key name '" + std::string(name) +
                                "' is not valid (non-empty, no spaces, no '+')");
  }
  RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromRawEd25519(raw32));
  return NoteVerifier(std::string(name), Ed25519KeyId(name, raw32), std::move(key),
                      crypto::Bytes(raw32.begin(), raw32.end()));
}

Result<NoteVerifier> NoteVerifier::Parse(std::string_view vkey) {
  while (!vkey.empty() && (vkey.back() == '\n' || vkey.back() == '\r')) vkey.remove_suffix(1);
  std::vector<std::string_view> f;
  if (!SplitPlus(vkey, 3, &f)) {
    return InvalidArgumentError("verifier key must be <name>+<hex key ID>+<base64 key>");
  }
  std::uint32_t id;
  if (!ParseHexId(f[1], &id))
    return InvalidArgumentError("verifier key: bad key ID '" + std::string(f[1]) + "'");
  auto key = Base64Decode(f[2]);
  if (!key) return InvalidArgumentError("verifier key: " + key.error().message());
  if (key->size() != 33 || (*key)[0] != kAlgEd25519) {
    return InvalidArgumentError("verifier key: not an Ed25519 key (want 0x01 || 32 bytes)");
  }
  RAMPART_ASSIGN_OR_RETURN(NoteVerifier v,
                           FromPublicKey(f[0], crypto::ByteView(key->data() + 1, 32)));
  if (v.key_id() != id) {
    return InvalidArgumentError("verifier key: key ID " + std::string(f[1]) +
                                " does not match the key (want " + HexId(v.key_id()) + ")");
  }
  return v;
}

std::string NoteVerifier::ToString() const {
  crypto::Bytes enc;
  enc.push_back(kAlgEd25519);
  enc.insert(enc.end(), raw_.begin(), raw_.end());
  return name_ + "+" + HexId(key_id_) + "+" + Base64Encode(enc);
}

bool NoteVerifier::Verify(std::string_view text, crypto::ByteView signature) const {
  return key_.Verify(crypto::AsBytes(text), signature, crypto::SignatureFormat::kRaw).ok();
}

// ---- NoteSigner -------------------------------------------------------------------

Result<NoteSigner> NoteSigner::Generate(std::string_view name) {
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes seed, crypto::RandomBytes(32));
  return FromSeed(name, seed);
}

Result<NoteSigner> NoteSigner::Parse(std::string_view skey) {
  while (!skey.empty() && (skey.back() == '\n' || skey.back() == '\r')) skey.remove_suffix(1);
  std::vector<std::string_view> f;
  if (!SplitPlus(skey, 5, &f) || f[0] != "PRIVATE" || f[1] != "KEY") {
    return InvalidArgumentError("signer key must be PRIVATE+KEY+<name>+<hex key ID>+<base64 key>");
  }
  std::uint32_t id;
  if (!ParseHexId(f[3], &id)) return InvalidArgumentError("signer key: bad key ID");
  auto key = Base64Decode(f[4]);
  if (!key) return InvalidArgumentError("signer key: " + key.error().message());
  if (key->size() != 33 || (*key)[0] != kAlgEd25519) {
    return InvalidArgumentError("signer key: not an Ed25519 key (want 0x01 || 32-byte seed)");
  }
  RAMPART_ASSIGN_OR_RETURN(NoteSigner s, FromSeed(f[2], crypto::ByteView(key->data() + 1, 32)));
  if (s.key_id() != id) {
    return InvalidArgumentError("signer key: key ID does not match the key");
  }
  return s;
}

Result<NoteSigner> NoteSigner::FromSeed(std::string_view name, crypto::ByteView seed) {
  RAMPART_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromRawEd25519Seed(seed));
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes pub, key.public_key().RawEd25519());
  RAMPART_ASSIGN_OR_RETURN(NoteVerifier v, NoteVerifier::FromPublicKey(name, pub));
  return NoteSigner(std::move(key), crypto::Bytes(seed.begin(), seed.end()), std::move(v));
}

std::string NoteSigner::ToString() const {
  crypto::Bytes enc;
  enc.push_back(kAlgEd25519);
  enc.insert(enc.end(), seed_.begin(), seed_.end());
  return "PRIVATE+KEY+" + name() + "+" + HexId(key_id()) + "+" + Base64Encode(enc);
}

Result<crypto::Bytes> NoteSigner::Sign(std::string_view text) const {
  return key_.Sign(crypto::AsBytes(text), crypto::SignatureFormat::kRaw);
}

// ---- Notes --------------------------------------------------------------------------

Result<std::string> SignNote(std::string_view text, const NoteSigner& signer) {
  if (text.empty() || text.back() != '\n') return Malformed("text must end with a newline");
  if (!IsValidNoteBytes(text)) return Malformed("text is not UTF-8 or has control characters");
  if (text.size() > kMaxNoteSize) return Malformed("text is too large");
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes sig, signer.Sign(text));
  crypto::Bytes payload(4);
  std::uint32_t id = signer.key_id();
  payload[0] = static_cast<std::uint8_t>(id >> 24);
  payload[1] = static_cast<std::uint8_t>(id >> 16);
  payload[2] = static_cast<std::uint8_t>(id >> 8);
  payload[3] = static_cast<std::uint8_t>(id);
  payload.insert(payload.end(), sig.begin(), sig.end());
  std::string out(text);
  out += "\n";
  out += kEmDashSpace;
  out += signer.name();
  out += " ";
  out += Base64Encode(payload);
  out += "\n";
  return out;
}

Result<Note> ParseNote(std::string_view msg) {
  if (msg.size() > kMaxNoteSize) return Malformed("larger than 64 KiB");
  if (!IsValidNoteBytes(msg)) return Malformed("not UTF-8 or has control characters");
  std::size_t split = msg.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before the signatures");
  Note note;
  note.text = std::string(msg.substr(0, split + 1));
  std::string_view sigs = msg.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return Malformed("signatures must end with a newline");
  while (!sigs.empty()) {
    std::size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (note.signatures.size() >= kMaxNoteSignatures) return Malformed("too many signatures");
    if (!line.starts_with(kEmDashSpace)) return Malformed("signature line must start with '— '");
    line.remove_prefix(kEmDashSpace.size());
    std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return Malformed("signature line has no signature");
    std::string_view name = line.substr(0, sp);
    std::string_view b64 = line.substr(sp + 1);
    if (!IsValidKeyName(name)) return Malformed("bad key name in a signature line");
    auto raw = Base64Decode(b64);
    if (!raw || raw->size() < 5) return Malformed("bad signature encoding");
    NoteSignature s;
    s.name = std::string(name);
    s.key_id = (std::uint32_t{(*raw)[0]} << 24) | (std::uint32_t{(*raw)[1]} << 16) |
               (std::uint32_t{(*raw)[2]} << 8) | std::uint32_t{(*raw)[3]};
    s.signature.assign(raw->begin() + 4, raw->end());
    note.signatures.push_back(std::move(s));
  }
  return note;
}

Result<Note> OpenNote(std::string_view msg, const NoteVerifier& verifier) {
  RAMPART_ASSIGN_OR_RETURN(Note note, ParseNote(msg));
  bool verified = false;
  for (const NoteSignature& s : note.signatures) {
    if (s.name != verifier.name() || s.key_id != verifier.key_id()) continue;  // unknown key
    if (!verifier.Verify(note.text, s.signature)) {
      return UnauthenticatedError("invalid signature for key " + verifier.name() + "+" +
                                  HexId(verifier.key_id()));
    }
    verified = true;
  }
  if (!verified) {
    return UnauthenticatedError("note has no signature by key " + verifier.name() + "+" +
                                HexId(verifier.key_id()));
  }
  return note;
}

}  // namespace rampart::ledger
