// ASCII helpers for protocol text (HTTP field names, hex digits, tokens):
// locale-free and allocation-free, shared by every parser in Rampart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rampart {

constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Case-insensitive ASCII comparison (HTTP field names, tokens).
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
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
