#include "core/encoding.h"

#include <array>

#include "core/ascii.h"

namespace rampart {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::span<const std::uint8_t> Span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string Encode64(std::span<const std::uint8_t> in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  std::size_t rest = in.size() - i;
  if (rest == 1) {
    std::uint32_t v = in[i] << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    std::uint32_t v = (in[i] << 16) | (in[i + 1] << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes with `alphabet`. Padding is required when `require_pad`, optional
// otherwise. Non-zero trailing bits are rejected (non-canonical encoding).
Result<std::vector<std::uint8_t>> Decode64(std::string_view in, const char* alphabet,
                                           bool require_pad, std::string_view what) {
  std::array<int, 256> table;
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = i;

  std::size_t len = in.size();
  std::size_t pad = 0;
  while (len > 0 && in[len - 1] == '=' && pad < 2) {
    --len;
    ++pad;
  }
  if (require_pad && (in.size() % 4 != 0)) {
    return InvalidArgumentError(std::string(what) + ": length " + std::to_string(in.size()) +
                                " is not a multiple of 4");
  }
  if (pad > 0 && in.size() % 4 != 0) {
    return InvalidArgumentError(std::string(what) + ": padding at the wrong position");
  }
  if (len % 4 == 1) {
    return InvalidArgumentError(std::string(what) + ": truncated input (length " +
                                std::to_string(in.size()) + ")");
  }
  std::vector<std::uint8_t> out;
  out.reserve(len * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    int v = table[static_cast<unsigned char>(in[i])];
    if (v < 0) {
      return InvalidArgumentError(std::string(what) + ": invalid character at offset " +
                                  std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return InvalidArgumentError(std::string(what) + ": non-canonical trailing bits");
  }
  return out;
}

}  // namespace

std::string HexEncode(std::span<const std::uint8_t> data) {
  std::string out;
  out.resize(data.size() * 2);
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 15];
  }
  return out;
}
std::string HexEncode(std::string_view data) { return HexEncode(Span(data)); }

Result<std::vector<std::uint8_t>> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return InvalidArgumentError("hex: odd length " + std::to_string(hex.size()));
  }
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = HexDigitValue(hex[2 * i]);
    int lo = HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return InvalidArgumentError("hex: invalid character at offset " +
                                  std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::string Base64Encode(std::span<const std::uint8_t> data) { return Encode64(data, kB64, true); }
std::string Base64Encode(std::string_view data) { return Base64Encode(Span(data)); }
Result<std::vector<std::uint8_t>> Base64Decode(std::string_view b64) {
  return Decode64(b64, kB64, /*require_pad=*/true, "base64");
}

std::string Base64UrlEncode(std::span<const std::uint8_t> data) {
  return Encode64(data, kB64Url, false);
}
std::string Base64UrlEncode(std::string_view data) { return Base64UrlEncode(Span(data)); }
Result<std::vector<std::uint8_t>> Base64UrlDecode(std::string_view b64) {
  return Decode64(b64, kB64Url, /*require_pad=*/false, "base64url");
}

}  // namespace rampart
