// The keys of sealed models (docs/formats/sealed.md): the broker's
// key-encryption key (KEK), the per-seal data key, their key files, and
// AES-256-KW (RFC 3394) wrapping of one under the other.
//
// Thread-safety: free functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::attest {

inline constexpr std::size_t kKeySize = 32;
using Key = std::array<std::uint8_t, kKeySize>;

enum class KeyKind { kKek, kDataKey };

// "rampart-kek-v1 <base64>" or "rampart-data-key-v1 <base64>", one line.
std::string FormatKeyFile(KeyKind kind, const Key& key);
// Parses a key file's text; `source` names it in errors. Fails if the kind
// differs from `want`, naming what the file is.
Result<Key> ParseKeyFile(std::string_view text, KeyKind want, std::string_view source);
Result<Key> ReadKeyFile(const std::filesystem::path& path, KeyKind want);
// Writes a key file with mode 0600, atomically; refuses to overwrite.
Status WriteKeyFile(const std::filesystem::path& path, KeyKind kind, const Key& key);

Result<Key> RandomKey();

// "sha256:<hex>" of SHA-256("rampart-kek-id-v1" || kek).
std::string KekId(const Key& kek);

// AES-256-KW (RFC 3394). Wrap of 32 bytes gives 40; Unwrap fails with
// PermissionDenied when the integrity check fails (wrong KEK, altered bytes).
std::vector<std::uint8_t> AesKwWrap(const Key& kek, std::span<const std::uint8_t> key);
Result<std::vector<std::uint8_t>> AesKwUnwrap(const Key& kek,
                                              std::span<const std::uint8_t> wrapped);

}  // namespace rampart::attest
