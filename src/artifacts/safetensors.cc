#include "artifacts/safetensors.h"

#include <algorithm>

#include "core/json.h"

namespace rampart::artifacts {
namespace {

// Bytes per element; 0 for unknown dtypes.
std::uint64_t DtypeSize(std::string_view d) {
  if (d == "BOOL" || d == "U8" || d == "I8" || d == "F8_E5M2" || d == "F8_E4M3" || d == "F8_E8M0")
    return 1;
  if (d == "I16" || d == "U16" || d == "F16" || d == "BF16") return 2;
  if (d == "I32" || d == "U32" || d == "F32") return 4;
  if (d == "I64" || d == "U64" || d == "F64" || d == "C64") return 8;
  return 0;
}

}  // namespace

bool LooksLikeSafetensors(std::span<const std::uint8_t> head, std::uint64_t size) {
  if (head.size() < 9 || size < 10) return false;
  std::uint64_t n = Le64(head.data());
  if (head[8] != '{' || n < 2) return false;
  if (n <= size - 8) return true;
  // An impossible length is still safetensors (reported as such) unless the
  // first 8 bytes are text, i.e. this is some text file with a '{'.
  for (int i = 0; i < 8; ++i) {
    if (head[i] < 0x20 || head[i] > 0x7e) return true;
  }
  return false;
}

std::vector<Issue> CheckSafetensorsHeader(std::string_view header, std::uint64_t data_size) {
  std::vector<Issue> out;
  auto bad = [&](std::string rule, std::string msg) {
    out.push_back(Issue{std::move(rule), std::move(msg), std::uint64_t{8}, "", std::nullopt});
  };
  if (header.empty() || header.front() != '{') {
    bad("safetensors.malformed", "header does not start with '{'");
    return out;
  }
  // Trailing spaces are the format's padding.
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  JsonLimits lim;
  lim.max_bytes = kSafetensorsParseLimit;
  lim.max_depth = 8;
  auto doc = ParseJson(header, lim, "safetensors header");
  if (!doc) {
    bad("safetensors.malformed", "header is not valid JSON: " + doc.error().message());
    return out;
  }
  if (!doc->is_object()) {
    bad("safetensors.malformed", "header is not a JSON object");
    return out;
  }
  struct Span {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (const auto& kv : doc->as_object()) {
    std::string name(kv.key());
    if (name == "__metadata__") {
      if (!kv.value().is_object()) {
        bad("safetensors.malformed", "__metadata__ is not an object");
        continue;
      }
      for (const auto& m : kv.value().as_object()) {
        if (!m.value().is_string()) {
          bad("safetensors.malformed",
              "__metadata__ value '" + std::string(m.key()) + "' is not a string");
        }
      }
      continue;
    }
    if (!kv.value().is_object()) {
      bad("safetensors.malformed", "tensor '" + name + "' is not an object");
      continue;
    }
    const auto& t = kv.value().as_object();
    const auto* dtype = t.if_contains("dtype");
    const auto* shape = t.if_contains("shape");
    const auto* offs = t.if_contains("data_offsets");
    if (dtype == nullptr || !dtype->is_string() || shape == nullptr || !shape->is_array() ||
        offs == nullptr || !offs->is_array() || offs->as_array().size() != 2) {
      bad("safetensors.malformed",
          "tensor '" + name + "' lacks a string dtype, an array shape or two data_offsets");
      continue;
    }
    auto to_u64 = [](const json::value& v, std::uint64_t* out) {
      if (v.is_uint64()) {
        *out = v.as_uint64();
        return true;
      }
      if (v.is_int64() && v.as_int64() >= 0) {
        *out = static_cast<std::uint64_t>(v.as_int64());
        return true;
      }
      return false;
    };
    std::uint64_t b = 0, e = 0;
    if (!to_u64(offs->as_array()[0], &b) || !to_u64(offs->as_array()[1], &e)) {
      bad("safetensors.malformed", "tensor '" + name + "' has non-integer data_offsets");
      continue;
    }
    if (e < b) {
      bad("safetensors.offsets", "tensor '" + name + "' ends before it begins");
      continue;
    }
    // dtype x shape must match the byte range.
    std::uint64_t elems = 1;
    bool shape_ok = true;
    for (const auto& d : shape->as_array()) {
      std::uint64_t x = 0;
      if (!to_u64(d, &x)) {
        shape_ok = false;
        break;
      }
      if (x != 0 && elems > UINT64_MAX / x) {
        shape_ok = false;
        break;
      }
      elems *= x;
    }
    std::uint64_t size = DtypeSize(dtype->as_string());
    if (!shape_ok) {
      bad("safetensors.dtype-shape", "tensor '" + name + "' has an invalid shape");
    } else if (size == 0) {
      bad("safetensors.dtype-shape",
          "tensor '" + name + "' has unknown dtype '" + std::string(dtype->as_string()) + "'");
    } else if (elems > UINT64_MAX / size || elems * size != e - b) {
      bad("safetensors.dtype-shape", "tensor '" + name + "' spans " + std::to_string(e - b) +
                                         " bytes but dtype x shape needs " +
                                         std::to_string(elems * size));
    }
    spans.push_back({b, e, name});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  std::uint64_t cursor = 0;
  for (const auto& s : spans) {
    if (s.begin < cursor) {
      bad("safetensors.offsets", "tensor '" + s.name + "' overlaps the previous tensor");
    } else if (s.begin > cursor) {
      bad("safetensors.offsets",
          "gap of " + std::to_string(s.begin - cursor) + " bytes before tensor '" + s.name + "'");
    }
    if (s.end > data_size) {
      bad("safetensors.offsets", "tensor '" + s.name + "' ends at " + std::to_string(s.end) +
                                     ", past the end of the data (" + std::to_string(data_size) +
                                     " bytes)");
    }
    cursor = std::max(cursor, s.end);
  }
  if (cursor < data_size) {
    bad("safetensors.trailing-data",
        std::to_string(data_size - cursor) +
            " bytes after the last tensor are not described by the header");
  }
  return out;
}

std::vector<Issue> CheckSafetensors(BufferedReader& r, std::uint64_t size) {
  std::vector<Issue> out;
  if (!r.Ensure(8)) {
    out.push_back({"safetensors.malformed", "file shorter than the 8-byte header length",
                   std::uint64_t{0}, "", std::nullopt});
    return out;
  }
  std::uint64_t n = Le64(r.ptr());
  r.Advance(8);
  if (n > kSafetensorsMaxHeader || n > size - 8 || n > kSafetensorsParseLimit) {
    std::string why = n > size - 8                ? "longer than the file"
                      : n > kSafetensorsMaxHeader ? "above the format's 100 MB limit"
                                                  : "above Rampart's parse limit of 32 MiB";
    out.push_back({"safetensors.header-length", "header length " + std::to_string(n) + " is " + why,
                   std::uint64_t{0}, "", std::nullopt});
    return out;
  }
  std::string header;
  header.reserve(n);
  std::uint64_t left = n;
  while (left > 0) {
    std::size_t chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(left, r.capacity() / 2 + 1));
    if (!r.Ensure(chunk)) {
      out.push_back(
          {"safetensors.malformed", "truncated header", std::uint64_t{8}, "", std::nullopt});
      return out;
    }
    header.append(reinterpret_cast<const char*>(r.ptr()), chunk);
    r.Advance(chunk);
    left -= chunk;
  }
  return CheckSafetensorsHeader(header, size - 8 - n);
}

}  // namespace rampart::artifacts
