#include "artifacts/npy.h"

#include <cstring>

namespace rampart::artifacts {

bool LooksLikeNpy(std::span<const std::uint8_t> head) {
  return head.size() >= 8 && std::memcmp(head.data(), "\x93NUMPY", 6) == 0;
}

std::optional<NpyHeader> ReadNpyHeader(BufferedReader& r, std::vector<Issue>& issues) {
  auto bad = [&](std::string msg) -> std::optional<NpyHeader> {
    issues.push_back({"npy.malformed", std::move(msg), r.offset(), "", std::nullopt});
    return std::nullopt;
  };
  if (!r.Ensure(10)) return bad("truncated .npy preamble");
  const std::uint8_t* p = r.ptr();
  std::uint8_t major = p[6];
  std::uint64_t hlen = 0, pre = 0;
  if (major == 1) {
    hlen = Le16(p + 8);
    pre = 10;
  } else if (major == 2 || major == 3) {
    if (!r.Ensure(12)) return bad("truncated .npy preamble");
    hlen = Le32(p + 8);
    pre = 12;
  } else {
    return bad("unsupported .npy version " + std::to_string(major));
  }
  // numpy refuses headers above 10000 bytes unless told otherwise.
  if (hlen > 10000 || hlen > r.capacity()) {
    return bad("header length " + std::to_string(hlen) + " is above numpy's 10000-byte limit");
  }
  r.Advance(pre);
  if (!r.Ensure(hlen)) return bad("truncated .npy header");
  std::string h(reinterpret_cast<const char*>(r.ptr()), hlen);
  r.Advance(hlen);
  NpyHeader out;
  out.data_offset = pre + hlen;
  auto k = h.find("'descr'");
  if (k == std::string::npos) k = h.find("\"descr\"");
  if (h.empty() || h[0] != '{' || k == std::string::npos) return bad("header has no 'descr'");
  auto colon = h.find(':', k);
  if (colon == std::string::npos) return bad("header 'descr' has no value");
  std::size_t i = colon + 1;
  while (i < h.size() && h[i] == ' ') ++i;
  // The value is a quoted string or a bracketed list of field tuples.
  std::size_t end = i;
  if (i < h.size() && (h[i] == '\'' || h[i] == '"')) {
    end = h.find(h[i], i + 1);
    if (end == std::string::npos) return bad("unterminated 'descr' string");
    ++end;
  } else if (i < h.size() && h[i] == '[') {
    int depth = 0;
    for (; end < h.size(); ++end) {
      if (h[end] == '[' || h[end] == '(') ++depth;
      if (h[end] == ']' || h[end] == ')') {
        if (--depth == 0) {
          ++end;
          break;
        }
      }
    }
    if (depth != 0) return bad("unterminated 'descr' list");
  } else {
    return bad("'descr' is neither a string nor a list");
  }
  out.descr = h.substr(i, end - i);
  // Any quoted type code O (optionally with byte order and size) is an object.
  for (std::size_t q = 0; q < out.descr.size(); ++q) {
    char c = out.descr[q];
    if (c != '\'' && c != '"') continue;
    std::size_t close = out.descr.find(c, q + 1);
    if (close == std::string::npos) break;
    std::string code = out.descr.substr(q + 1, close - q - 1);
    if (!code.empty() && (code[0] == '|' || code[0] == '<' || code[0] == '>' || code[0] == '=')) {
      code.erase(0, 1);
    }
    if (code == "O" || code == "O8" || code == "O4") out.object = true;
    q = close;
  }
  return out;
}

}  // namespace rampart::artifacts
