// C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys, byte for
// byte: a text ending in '\n', a blank line, then one or more lines
// "— <key name> <base64(key ID || signature)>\n" (em dash U+2014, space).
//
//   key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]
//
// Keys are written in the text encodings the Go reference implementation
// (golang.org/x/mod/sumdb/note) uses, so keys and notes interoperate with
// standard transparency-log tooling:
//   verifier key  <name>+<hex key ID>+<base64(0x01 || public key)>
//   signer key    PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>
// The format is documented in docs/formats/checkpoint.md.
//
// Thread-safety: NoteSigner and NoteVerifier are immutable after creation and
// safe to share across threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/status.h"

namespace rampart::ledger {

inline constexpr std::size_t kMaxNoteSize = 64 * 1024;  // refuse larger notes outright
inline constexpr std::size_t kMaxNoteSignatures = 100;  // the spec asks for >= 16

// Key names: non-empty, valid UTF-8, no Unicode spaces, no '+'.
bool IsValidKeyName(std::string_view name);

std::uint32_t Ed25519KeyId(std::string_view name, crypto::ByteView public_key);

class NoteVerifier {
 public:
  // Parses "<name>+<hex id>+<base64(0x01 || key)>"; the ID must match.
  static Result<NoteVerifier> Parse(std::string_view vkey);
  static Result<NoteVerifier> FromPublicKey(std::string_view name, crypto::ByteView raw32);

  const std::string& name() const { return name_; }
  std::uint32_t key_id() const { return key_id_; }
  std::string ToString() const;  // the verifier key text
  bool Verify(std::string_view text, crypto::ByteView signature) const;

 private:
  NoteVerifier(std::string name, std::uint32_t id, crypto::PublicKey key, crypto::Bytes raw)
      : name_(std::move(name)), key_id_(id), key_(std::move(key)), raw_(std::move(raw)) {}
  std::string name_;
  std::uint32_t key_id_;
  crypto::PublicKey key_;
  crypto::Bytes raw_;
};

class NoteSigner {
 public:
  static Result<NoteSigner> Generate(std::string_view name);
  // From a 32-byte Ed25519 seed (RFC 8032 private key).
  static Result<NoteSigner> FromSeed(std::string_view name, crypto::ByteView seed);
  // Parses "PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>".
  static Result<NoteSigner> Parse(std::string_view skey);

  const std::string& name() const { return verifier_.name(); }
  std::uint32_t key_id() const { return verifier_.key_id(); }
  const NoteVerifier& verifier() const { return verifier_; }
  std::string ToString() const;  // the signer key text (secret!)
  // Raw Ed25519 signature over `text`.
  Result<crypto::Bytes> Sign(std::string_view text) const;

 private:
  NoteSigner(crypto::PrivateKey key, crypto::Bytes seed, NoteVerifier v)
      : key_(std::move(key)), seed_(std::move(seed)), verifier_(std::move(v)) {}
  crypto::PrivateKey key_;
  crypto::Bytes seed_;
  NoteVerifier verifier_;
};

struct NoteSignature {
  std::string name;
  std::uint32_t key_id = 0;
  crypto::Bytes signature;  // without the key ID
};

struct Note {
  std::string text;  // includes the final newline
  std::vector<NoteSignature> signatures;
};

// Adds a signature by `signer` to `text` and returns the encoded signed note.
// InvalidArgument if `text` is not a valid note text.
Result<std::string> SignNote(std::string_view text, const NoteSigner& signer);

// Parses the syntax only (no signature is checked).
Result<Note> ParseNote(std::string_view msg);

// Parses and verifies: OK only if a signature from `verifier` (same name and
// key ID) is present and every such signature verifies. Signatures from other
// keys are ignored, as the spec requires.
Result<Note> OpenNote(std::string_view msg, const NoteVerifier& verifier);

}  // namespace rampart::ledger
