// Hex, base64 (RFC 4648 §4) and base64url (RFC 4648 §5) encodings.
//
// Decoders are strict: they reject characters outside the alphabet, bad
// padding and non-canonical trailing bits, and say where the first bad
// character is.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart {

std::string HexEncode(std::span<const std::uint8_t> data);  // lowercase
std::string HexEncode(std::string_view data);
Result<std::vector<std::uint8_t>> HexDecode(std::string_view hex);  // either case

// Standard alphabet with '=' padding.
std::string Base64Encode(std::span<const std::uint8_t> data);
std::string Base64Encode(std::string_view data);
Result<std::vector<std::uint8_t>> Base64Decode(std::string_view b64);

// URL-safe alphabet, no padding on output; the decoder accepts either.
std::string Base64UrlEncode(std::span<const std::uint8_t> data);
std::string Base64UrlEncode(std::string_view data);
Result<std::vector<std::uint8_t>> Base64UrlDecode(std::string_view b64);

}  // namespace rampart
