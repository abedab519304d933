// ASCII helpers for protocol text (HTTP field names, hex digits, tokens):
// locale-free and allocation-free, shared by every parser in Rampart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace rampart {

constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

namespace ascii_internal {

// AsciiLower of each of the eight bytes of `x`.
constexpr std::uint64_t Lower8(std::uint64_t x) {
  constexpr std::uint64_t k01 = 0x0101010101010101, k80 = k01 * 0x80;
  const std::uint64_t low7 = x & ~k80;                       // no carry from byte to byte below
  const std::uint64_t ge_a = low7 + k01 * (0x80 - 'A');      // bit 7: low7 >= 'A'
  const std::uint64_t gt_z = low7 + k01 * (0x80 - 'Z' - 1);  // bit 7: low7 > 'Z'
  const std::uint64_t upper = ge_a & ~gt_z & ~x & k80;       // 'A'..'Z', and below 0x80
  return x | (upper >> 2);                                   // + 0x20
}

inline std::uint64_t Load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace ascii_internal

// Case-insensitive ASCII comparison (HTTP field names, tokens). Eight bytes
// at a time from eight on (the last word overlapping the one before).
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (!std::is_constant_evaluated() && a.size() >= 8) {
    using ascii_internal::Load8;
    using ascii_internal::Lower8;
    const std::size_t last = a.size() - 8;
    for (std::size_t i = 0; i < last; i += 8) {
      if (Lower8(Load8(a.data() + i)) != Lower8(Load8(b.data() + i))) return false;
    }
    return Lower8(Load8(a.data() + last)) == Lower8(Load8(b.data() + last));
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Bit k set: one of `names` has length k (lengths of 64 and more are not
// recorded). For EqualsAnyIgnoreCase, computed once as a constant.
template <std::size_t N>
constexpr std::uint64_t LengthMask(const std::string_view (&names)[N]) {
  std::uint64_t mask = 0;
  for (std::string_view n : names) mask |= n.size() < 64 ? std::uint64_t{1} << n.size() : 0;
  return mask;
}

// True when `name` equals one of `names` (whose LengthMask is `lengths`),
// ignoring ASCII case. A name of a length none of them has (the usual
// case) costs one test.
template <std::size_t N>
constexpr bool EqualsAnyIgnoreCase(std::string_view name, const std::string_view (&names)[N],
                                   std::uint64_t lengths) {
  if (name.size() < 64 && ((lengths >> name.size()) & 1) == 0) return false;
  for (std::string_view n : names) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

// The value of a hex digit of either case, or -1.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `s` without leading and trailing spaces and tabs (HTTP's OWS).
constexpr std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(item) for each non-empty element of a comma-separated list field
// (RFC 9110 section 5.6.1), each trimmed of OWS.
template <typename F>
constexpr void ForEachListItem(std::string_view v, F f) {
  while (!v.empty()) {
    std::size_t comma = v.find(',');
    std::string_view item = TrimOws(v.substr(0, comma));
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

}  // namespace rampart
