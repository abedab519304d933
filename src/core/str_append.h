// Appending several pieces to a string with one length check, for the
// message heads written per request (no strlen per literal, no capacity
// check per piece).
#pragma once

#include <cstring>
#include <string>
#include <string_view>

namespace rampart {

// out += a + b + ...: the lengths are summed, the string grown once, and
// each piece copied. Pieces are anything a std::string_view is made from.
// Inlined into the caller, so that a literal's length is a constant there
// (out of line, each literal piece cost a strlen call).
template <typename... Pieces>
[[gnu::always_inline]] inline void StrAppend(std::string* out, const Pieces&... pieces) {
  const std::string_view views[] = {std::string_view(pieces)...};
  std::size_t n = 0;
  for (std::string_view v : views) n += v.size();
  std::size_t at = out->size();
  out->resize(at + n);
  char* p = out->data() + at;
  for (std::string_view v : views) {
    if (!v.empty()) std::memcpy(p, v.data(), v.size());
    p += v.size();
  }
}

}  // namespace rampart
