// OpenSSF Model Signing (OMS) bundles: an in-toto Statement v1 in a DSSE
// envelope in a Sigstore bundle whose verification material is a public key
// (key method) or an X.509 chain (certificate method). Rampart writes OMS
// v1.0 and verifies what the reference `model_signing` tool verifies: its
// 1.x bundles, 0.3.x bundles (the v1.0 predicate without ignore_paths,
// rawBytes keys, shard sizes written as floats) and 0.2.x bundles (the
// `https://model_signing/Digests/v0.1` statement, a PAE with a bytes-repr bug,
// SHA-256 on every curve). docs/formats/oms.md lists every accepted shape.
//
// Thread-safety: functions are reentrant; nothing is shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/model_hasher.h"
#include "artifacts/oms_key.h"
#include "core/crypto.h"
#include "core/status.h"

namespace rampart::artifacts {

inline constexpr std::string_view kBundleMediaType =
    "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kOmsPredicateType = "https://model_signing/signature/v1.0";
// model_signing 0.2.x: one in-toto subject per file, no root digest.
inline constexpr std::string_view kDigestsV01PredicateType = "https://model_signing/Digests/v0.1";

// DSSE pre-authentication encoding.
std::string Pae(std::string_view payload_type, std::string_view payload);
// The encoding model_signing 0.2 signed by mistake: "DSSEV1" and the payload
// as a Python bytes literal (b'...' with escapes), its length the raw one.
std::string PaeCompat(std::string_view payload_type, std::string_view payload);

enum class SigningMethod { kKey, kCertificate, kSigstore };
std::string_view SigningMethodName(SigningMethod m);

struct Serialization {
  std::string method = "files";  // "files" | "shards"
  std::string hash_type = "sha256";
  std::optional<std::uint64_t> shard_size;
  bool allow_symlinks = false;
  std::optional<std::vector<std::string>> ignore_paths;
};

struct Resource {
  std::string name;
  std::string digest;     // hex
  std::string algorithm;  // as written
};

struct Statement {
  std::string predicate_type;
  std::string subject_name;  // empty for Digests/v0.1 statements
  // subject[0].digest.sha256; for Digests/v0.1 (which signs none) computed
  // over the listed files, as a v1.0 bundle of the same files would carry.
  std::string root_digest;
  // Names are canonical POSIX paths ("a//./b" reads "a/b"); "." names a
  // single-file model.
  std::vector<Resource> resources;
  Serialization serialization;
  std::vector<std::string> notes;  // older shapes read, for the report
};

// A bundle after structural validation against the OMS schemas.
struct ParsedBundle {
  SigningMethod method = SigningMethod::kKey;
  std::string media_version;                // "0.1", "0.2" or "0.3"
  std::string key_hint;                     // publicKey.hint
  std::string key_raw;                      // publicKey.rawBytes (decoded), older bundles
  std::vector<crypto::Bytes> certificates;  // DER: chain (leaf first) or the Fulcio cert
  std::string payload;                      // decoded DSSE payload
  std::string payload_type;
  std::vector<crypto::Bytes> signatures;  // decoded
};

// Parses and validates a bundle (bundle + envelope schemas, media type
// v0.1-v0.3). Errors say which requirement failed.
Result<ParsedBundle> ParseBundle(std::string_view json_text);
// Validates the decoded payload: an OMS v1.0 statement (schemas, root digest
// consistency) or a model_signing 0.2 Digests/v0.1 statement.
Result<Statement> ParseStatement(std::string_view payload);

// The signer's material.
struct Signer {
  OmsPrivateKey key;
  std::vector<crypto::Certificate> chain;  // leaf first; empty: key method
};

struct SignOptions {
  HashOptions hash;
  std::string model_name;  // subject name; default: basename of the model path
};

// Hashes `model` and returns the bundle JSON.
Result<std::string> SignModel(const std::filesystem::path& model, const Signer& signer,
                              const SignOptions& options, Statement* statement_out = nullptr);

// What the verifier trusts.
struct Trust {
  std::optional<OmsPublicKey> key;           // key method
  std::vector<crypto::Certificate> anchors;  // certificate method
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

struct VerifyOptions {
  std::vector<std::string> extra_ignore_paths;  // --ignore-paths (relative or absolute)
  bool ignore_unsigned_files = false;
  std::optional<std::filesystem::path> signature_path;  // excluded from the model
  unsigned threads = 0;
  bool allow_symlinks_override = false;
};

struct FileChange {
  std::string name;
  std::string expected, actual;
};

struct VerifyReport {
  SigningMethod method = SigningMethod::kKey;
  Statement statement;
  std::vector<std::string> missing;  // signed, not present
  std::vector<std::string> extra;    // present, not signed
  std::vector<FileChange> changed;   // digests differ
  std::vector<std::string> notes;    // compatibility relaxations applied
  std::size_t checked = 0;           // resources compared
  bool ok() const { return missing.empty() && extra.empty() && changed.empty(); }
};

// Checks the bundle's signature with `trust` and returns its statement.
Result<Statement> VerifyBundleSignature(const ParsedBundle& bundle, const Trust& trust,
                                        std::vector<std::string>* notes);

// Full verification of `model` against `bundle_json`. Signature or bundle
// problems are errors (Unauthenticated / InvalidArgument); file differences
// are returned in the report.
Result<VerifyReport> VerifyModel(const std::filesystem::path& model, std::string_view bundle_json,
                                 const Trust& trust, const VerifyOptions& options);

}  // namespace rampart::artifacts
