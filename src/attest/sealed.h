// Sealed models (docs/formats/sealed.md): a model directory encrypted in
// authenticated AES-256-GCM chunks under a fresh data key, the data key
// wrapped by the broker's KEK, and a MAC'd manifest that keeps each file's
// plaintext SHA-256 (the OMS digests) so the model's signature verifies after
// unsealing.
//
// Seal and Unseal stream: memory stays at a few chunks (four read buffers and
// an 8 MiB aligned write buffer for 1 MiB chunks) whatever the model's size;
// Seal reads and hashes on a second thread. Files are read and written with
// O_DIRECT where the file system takes it. Both write into a temporary directory beside the output
// and rename it into place only on success, so a failure leaves no partial output.
//
// Thread-safety: free functions, thread-safe for distinct directories.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/keys.h"
#include "core/status.h"

namespace rampart::attest {

inline constexpr std::string_view kSealedFormat = "rampart-sealed-v1";
inline constexpr std::string_view kManifestName = "sealed.json";
inline constexpr std::size_t kMaxManifestBytes = 16u << 20;
inline constexpr std::size_t kMaxSealedFiles = 100000;

// OK if `path` is a broker resource path "repo/type/tag": three components of
// [A-Za-z0-9._-]+, none "." or ".."; InvalidArgument naming the fault.
Status CheckResourcePath(std::string_view path);

struct SealedFile {
  std::string path;  // OMS canonical relative name
  std::uint64_t size = 0;
  std::string sha256;  // lowercase hex of the plaintext
  std::string blob;    // "blobs/000000"
};

struct SealedManifest {
  std::string resource;
  std::uint64_t chunk_size = 1u << 20;
  std::string kek_id;
  std::vector<std::uint8_t> wrapped_key;
  std::string root_digest;  // "sha256:<hex>", the OMS root digest
  std::vector<SealedFile> files;
  std::vector<std::uint8_t> mac;
};

// Parses and checks the structure of a manifest (untrusted bytes: every field,
// path, order and limit). Does not check the MAC: that needs the data key.
Result<SealedManifest> ParseSealedManifest(std::string_view text);
std::string SerializeSealedManifest(const SealedManifest& m);

// The data key, unwrapped with the KEK; fails if the KEK is not the one the
// manifest names, or the wrap does not authenticate.
Result<Key> UnwrapDataKey(const SealedManifest& m, const Key& kek);
// PermissionDenied unless the manifest's MAC verifies under the data key.
Status CheckManifestMac(const SealedManifest& m, const Key& data_key);
// Reads and parses a sealed directory's manifest (no key checks).
Result<SealedManifest> ReadSealedManifest(const std::filesystem::path& sealed_dir);

struct SealOptions {
  std::string resource;                 // "repo/type/tag"
  std::uint64_t chunk_size = 1u << 20;  // power of two in [4 KiB, 64 MiB]
  // The per-file SHA-256 digests (OMS name → lowercase hex) of a verified
  // OMS bundle. When set, Seal writes them into the manifest instead of
  // hashing the plaintext (docs/design/attest-kbs.md, "Sealing with the
  // signed digests"): the set of files must be exactly the bundle's, and
  // `rampart unseal` hashes every file, so a file that differs from its
  // signed digest never unseals.
  std::optional<std::map<std::string, std::string>> signed_digests;
};

struct SealSummary {
  std::string root_digest;
  std::size_t files = 0;
  std::uint64_t bytes = 0;
};

// Seals `model` (a directory, or one file) into `out_dir`, which must not
// exist. Files are enumerated as OMS does: regular files, .git/.gitignore/
// .gitattributes/.github skipped at the top level, symlinks refused.
Result<SealSummary> Seal(const std::filesystem::path& model, const std::filesystem::path& out_dir,
                         const Key& kek, const SealOptions& options);

// Unseals `sealed_dir` into `out_dir` (must not exist) with the data key.
// Every refusal names the file and chunk and what was wrong.
Result<SealSummary> Unseal(const std::filesystem::path& sealed_dir,
                           const std::filesystem::path& out_dir, const Key& data_key);

}  // namespace rampart::attest
