// OpenSSF Model Signing (OMS) v1.0 bundles: an in-toto Statement v1 (OMS
// predicate: resources + serialization) in a DSSE envelope in a Sigstore
// bundle v0.3 whose verification material is a public-key hint (key method)
// or an X.509 chain (certificate method). docs/formats/oms.md says exactly
// what Rampart emits and what it accepts, including the reference
// implementation's variants (resource "." for single files, shard algorithm
// names, rawBytes keys, null keyids, the pre-1.0 PAE encoding).
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

// DSSE pre-authentication encoding.
std::string Pae(std::string_view payload_type, std::string_view payload);
// The encoding model_signing < 1.0 signed by mistake (Python bytes repr).
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
  std::string subject_name;
  std::string root_digest;  // subject[0].digest.sha256
  std::vector<Resource> resources;
  Serialization serialization;
};

// A bundle after structural validation against the OMS schemas.
struct ParsedBundle {
  SigningMethod method = SigningMethod::kKey;
  std::string key_hint;                     // publicKey.hint
  std::string key_raw;                      // publicKey.rawBytes (decoded), older bundles
  std::vector<crypto::Bytes> certificates;  // DER: chain (leaf first) or the Fulcio cert
  std::string payload;                      // decoded DSSE payload
  std::string payload_type;
  std::vector<crypto::Bytes> signatures;  // decoded
};

// Parses and validates a bundle (bundle + envelope schemas, media type).
// Errors say which requirement failed.
Result<ParsedBundle> ParseBundle(std::string_view json_text);
// Validates the decoded payload (statement + predicate schemas, predicate
// type, root digest consistency).
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
