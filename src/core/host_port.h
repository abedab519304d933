// "HOST:PORT" and "[v6]:PORT" as listen addresses and peers are written in
// configs and on the command line. One parser, so that every service refuses
// the same malformed addresses ("host", "host:", "host:99999", "host:80x").
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace rampart {

// False (and *host, *port untouched) unless `s` is HOST:PORT with a
// non-empty host and a decimal port 0-65535; brackets around a v6 host are
// removed.
inline bool ParseHostPort(std::string_view s, std::string* host, std::uint16_t* port) {
  std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view p = s.substr(colon + 1);
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc() || end != p.data() + p.size() || p.empty() || v > 65535) return false;
  std::string_view h = s.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return false;
  *host = std::string(h);
  *port = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace rampart
