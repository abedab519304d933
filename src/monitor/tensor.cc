#include "monitor/tensor.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/json.h"

namespace rampart::monitor {
namespace {

bool KnownNumeric(std::string_view t) {
  static constexpr std::array<std::string_view, 12> k = {"BOOL",   "INT8",  "INT16",  "INT32",
                                                         "INT64",  "UINT8", "UINT16", "UINT32",
                                                         "UINT64", "FP16",  "FP32",   "FP64"};
  for (std::string_view x : k)
    if (x == t) return true;
  return t == "BF16";
}

// A number as the sketch takes it: within ±1e30, so that a million of them
// still sum to a finite float.
float Clamp(double x) { return static_cast<float>(std::clamp(x, -1e30, 1e30)); }

// Flattens `v` (numbers, or nested arrays of them) into the projection.
// False on a non-number; stops counting past `limit`.
bool Flatten(const json::value& v, const Projector& p, std::size_t limit, std::size_t* index,
             Projection* acc, int depth) {
  if (depth > 32) return false;
  if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) {
      if (!Flatten(e, p, limit, index, acc, depth + 1)) return false;
      if (*index > limit) return true;
    }
    return true;
  }
  double x;
  if (v.is_double()) {
    x = v.get_double();
  } else if (v.is_int64()) {
    x = static_cast<double>(v.get_int64());
  } else if (v.is_uint64()) {
    x = static_cast<double>(v.get_uint64());
  } else if (v.is_bool()) {
    x = v.get_bool() ? 1 : 0;
  } else {
    return false;
  }
  if (!std::isfinite(x)) return false;
  if (*index < limit) p.Add(*index, Clamp(x), acc);
  ++*index;
  return true;
}

// A single-pass reader of the body: validates the JSON structure (strings,
// numbers, literals, nesting up to 40 levels), reads `inputs[].datatype`,
// `shape` and `data` and projects the numbers as they are read; nothing is
// allocated. It classifies bodies as SketchTensorReference does (tested
// against it), except that it compares keys as written (a key spelt with
// escapes is another key) and counts a repeated `inputs`, `datatype`,
// `shape` or `data` as invalid JSON.
class Scanner {
 public:
  Scanner(std::string_view body, const Projector& p, std::size_t max_elements)
      : p_(body.data()), end_(body.data() + body.size()), projector_(p), max_(max_elements) {}

  TensorSketch Run() {
    TensorSketch out;
    Ws();
    bool seen_inputs = false;
    if (!Eat('{')) return Invalid();
    Ws();
    if (!Eat('}')) {
      for (;;) {
        std::string_view key;
        if (!String(&key)) return Invalid();
        Ws();
        if (!Eat(':')) return Invalid();
        Ws();
        if (key == "inputs") {
          if (seen_inputs) return Invalid();
          seen_inputs = true;
          if (!Inputs()) return Invalid();
        } else if (!Skip(2)) {
          return Invalid();
        }
        Ws();
        if (Eat('}')) break;
        if (!Eat(',')) return Invalid();
        Ws();
      }
    }
    Ws();
    if (p_ != end_ || !seen_inputs || !inputs_ok_) return Invalid();
    if (issue_ != TensorIssue::kNone) {
      out.issue = issue_;
      return out;
    }
    out.elements = index_;
    if (index_ == 0) {
      out.issue = TensorIssue::kEmpty;
      return out;
    }
    out.proj = acc_;
    Projector::Finish(&out.proj);
    return out;
  }

 private:
  static TensorSketch Invalid() {
    TensorSketch t;
    t.issue = TensorIssue::kInvalidJson;
    return t;
  }
  void Ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool Eat(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  void Fail(TensorIssue i) {
    if (issue_ == TensorIssue::kNone) issue_ = i;
  }

  // A string; *out is its text as written (escapes not decoded).
  bool String(std::string_view* out) {
    if (!Eat('"')) return false;
    const char* b = p_;
    for (;;) {
      // Up to the next quote, backslash or control byte.
      while (p_ != end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20)
        ++p_;
      if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
      if (*p_ == '"') break;
      ++p_;  // backslash
      if (p_ == end_) return false;
      char e = *p_++;
      if (e == 'u') {
        for (int k = 0; k < 4; ++k, ++p_)
          if (p_ == end_ || !std::isxdigit(static_cast<unsigned char>(*p_))) return false;
      } else if (!std::strchr("\"\\/bfnrt", e) || e == 0) {
        return false;
      }
    }
    *out = std::string_view(b, static_cast<std::size_t>(p_ - b));
    ++p_;
    return true;
  }

  // A JSON number; *integral when it has no fraction or exponent.
  bool Number(double* v, bool* integral, std::string_view* text) {
    const char* b = p_;
    bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    // The digits as an integer while they fit in 53 bits (exact in a
    // double): with at most 22 decimals, m / 10^k is then correctly rounded
    // (one IEEE division), and from_chars is not needed.
    std::uint64_t m = 0;
    int digits = 0, decimals = 0;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        m = m * 10 + static_cast<std::uint64_t>(*p_ - '0');
        ++digits;
        ++p_;
      }
    } else {
      return false;
    }
    *integral = true;
    if (p_ != end_ && *p_ == '.') {
      *integral = false;
      ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        m = m * 10 + static_cast<std::uint64_t>(*p_ - '0');
        digits += m != 0;
        ++decimals;
        ++p_;
      }
    }
    if ((p_ == end_ || (*p_ != 'e' && *p_ != 'E')) && digits <= 15 && decimals <= 22) {
      static constexpr double kPow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
      double x = static_cast<double>(m) / kPow10[decimals];
      *v = negative ? -x : x;
      *text = std::string_view(b, static_cast<std::size_t>(p_ - b));
      return true;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      *integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
      int exp = 0;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        exp = std::min(exp * 10 + (*p_ - '0'), 100000);
        ++p_;
      }
      // core/json refuses exponents this large whatever the mantissa.
      if (exp > 400) return false;
    }
    *text = std::string_view(b, static_cast<std::size_t>(p_ - b));
    auto [q, ec] = std::from_chars(b, p_, *v);
    if (ec == std::errc::result_out_of_range) {
      // Too small rounds to zero; too large is an error (as core/json has it).
      std::size_t e = text->find_first_of("eE");
      if (e == std::string_view::npos || (*text)[e + 1] != '-') return false;
      *v = 0;
      return true;
    }
    return ec == std::errc() && q == p_;
  }

  bool Literal(std::string_view w) {
    if (static_cast<std::size_t>(end_ - p_) < w.size() || std::memcmp(p_, w.data(), w.size()))
      return false;
    p_ += w.size();
    return true;
  }

  // Any value, validated and skipped.
  bool Skip(int depth) {
    if (p_ == end_) return false;
    char c = *p_;
    if (c == '{' || c == '[') {
      if (depth > kMaxDepth) return false;
      ++p_;
      Ws();
      char close = c == '{' ? '}' : ']';
      if (Eat(close)) return true;
      for (;;) {
        if (c == '{') {
          std::string_view k;
          if (!String(&k)) return false;
          Ws();
          if (!Eat(':')) return false;
          Ws();
        }
        if (!Skip(depth + 1)) return false;
        Ws();
        if (Eat(close)) return true;
        if (!Eat(',')) return false;
        Ws();
      }
    }
    if (c == '"') {
      std::string_view s;
      return String(&s);
    }
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    double v;
    bool integral;
    std::string_view t;
    return Number(&v, &integral, &t);
  }

  // `data`: numbers (or booleans), nested arrays of them, projected at
  // element indices from *index on into *acc. *bad on anything else (the
  // rest is still validated).
  bool Data(int depth, int nest, std::size_t* index, Projection* acc, bool* bad) {
    if (p_ == end_) return false;
    if (nest > 32) {
      *bad = true;
      return Skip(depth);
    }
    char c = *p_;
    if (c == '[') {
      if (depth > kMaxDepth) return false;
      ++p_;
      Ws();
      if (Eat(']')) return true;
      for (;;) {
        if (!Data(depth + 1, nest + 1, index, acc, bad)) return false;
        Ws();
        if (Eat(']')) return true;
        if (!Eat(',')) return false;
        Ws();
      }
    }
    double x;
    if (c == 't' || c == 'f') {
      if (!Literal(c == 't' ? "true" : "false")) return false;
      x = c == 't' ? 1 : 0;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      bool integral;
      std::string_view t;
      if (!Number(&x, &integral, &t)) return false;
      if (!std::isfinite(x)) *bad = true;
    } else {
      *bad = true;
      return Skip(depth);
    }
    if (!*bad && *index < max_) projector_.Add(*index, Clamp(x), acc);
    ++*index;
    return true;
  }

  bool Inputs() {
    if (p_ == end_ || *p_ != '[') {
      inputs_ok_ = false;
      return Skip(2);
    }
    ++p_;
    Ws();
    if (Eat(']')) return true;
    for (;;) {
      if (p_ == end_) return false;
      if (*p_ != '{') {
        Fail(TensorIssue::kInvalidJson);
        if (!Skip(3)) return false;
      } else if (!Input()) {
        return false;
      }
      Ws();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
      Ws();
    }
  }

  // One input object; the first problem is kept in issue_ (as the
  // reference reader finds it: datatype, shape, size, data).
  bool Input() {
    ++p_;  // '{'
    Ws();
    bool has_type = false, type_string = false, has_shape = false, shape_array = false;
    bool shape_bad = false, shape_big = false, has_data = false, data_bad = false;
    std::string_view type;
    std::size_t want = 1, next = index_;
    Projection acc = acc_;
    if (!Eat('}')) {
      for (;;) {
        std::string_view key;
        if (!String(&key)) return false;
        Ws();
        if (!Eat(':')) return false;
        Ws();
        if (key == "datatype") {
          if (has_type) return false;
          has_type = true;
          if (p_ != end_ && *p_ == '"') {
            type_string = true;
            if (!String(&type)) return false;
          } else if (!Skip(4)) {
            return false;
          }
        } else if (key == "shape") {
          if (has_shape) return false;
          has_shape = true;
          if (!Shape(&shape_array, &shape_bad, &shape_big, &want)) return false;
        } else if (key == "data") {
          if (has_data) return false;
          has_data = true;
          if (!Data(4, 0, &next, &acc, &data_bad)) return false;
        } else if (!Skip(4)) {
          return false;
        }
        Ws();
        if (Eat('}')) break;
        if (!Eat(',')) return false;
        Ws();
      }
    }
    if (issue_ != TensorIssue::kNone) return true;
    if (!type_string) return Fail(TensorIssue::kDatatype), true;
    if (type == "BYTES") return true;
    if (!KnownNumeric(type)) return Fail(TensorIssue::kDatatype), true;
    if (!has_shape || !shape_array || shape_bad) return Fail(TensorIssue::kShape), true;
    if (shape_big || index_ + want > max_) return Fail(TensorIssue::kOversized), true;
    if (!has_data) return Fail(TensorIssue::kShape), true;
    if (data_bad) return Fail(TensorIssue::kDatatype), true;
    if (next - index_ != want)
      return Fail(next > max_ ? TensorIssue::kOversized : TensorIssue::kShape), true;
    // Projected at the absolute element indices (the earlier inputs' are
    // known): this input's numbers join the sketch.
    acc_ = acc;
    index_ = next;
    return true;
  }

  bool Shape(bool* is_array, bool* bad, bool* big, std::size_t* want) {
    if (p_ == end_ || *p_ != '[') return Skip(4);
    *is_array = true;
    ++p_;
    Ws();
    if (Eat(']')) return true;
    for (;;) {
      if (p_ == end_) return false;
      if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) {
        double v;
        bool integral;
        std::string_view t;
        if (!Number(&v, &integral, &t)) return false;
        std::uint64_t n = 0;
        if (!integral || t.front() == '-') {
          // -0 is an int64 0 to the reference reader.
          if (!(integral && t == "-0")) *bad = true;
        } else if (auto [q, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
                   ec != std::errc()) {
          *bad = true;  // beyond uint64: a double to the reference reader
        }
        if (!*bad && !*big) {
          if (n != 0 && *want > max_ / n)
            *big = true;
          else
            *want *= n;
        }
      } else {
        *bad = true;
        if (!Skip(5)) return false;
      }
      Ws();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
      Ws();
    }
  }

  static constexpr int kMaxDepth = 40;
  const char* p_;
  const char* end_;
  const Projector& projector_;
  std::size_t max_;
  TensorIssue issue_ = TensorIssue::kNone;
  bool inputs_ok_ = true;
  std::size_t index_ = 0;
  Projection acc_{};
};

}  // namespace

std::string_view TensorIssueName(TensorIssue i) {
  static constexpr std::array<std::string_view, kTensorIssueCount> k = {
      "none", "invalid_json", "shape", "datatype", "oversized", "empty"};
  return k[static_cast<std::size_t>(i)];
}

TensorSketch SketchTensorReference(std::string_view body, const Projector& projector,
                                   std::size_t max_elements) {
  TensorSketch out;
  // A number takes at least 2 bytes in JSON ("0,"): a body larger than this
  // cannot be a tensor within the limit, or carries something else too.
  const std::size_t max_bytes = 64 * 1024 + max_elements * 32;
  if (body.size() > max_bytes) {
    out.issue = TensorIssue::kOversized;
    return out;
  }
  unsigned char arena[8192];
  json::monotonic_resource mr(arena, sizeof arena);
  JsonLimits limits;
  limits.max_bytes = max_bytes;
  limits.max_depth = 40;
  auto v = ParseJson(body, limits, "", &mr);
  const json::object* o = v ? v->if_object() : nullptr;
  const json::value* inputs = o ? o->if_contains("inputs") : nullptr;
  if (!inputs || !inputs->is_array()) {
    out.issue = TensorIssue::kInvalidJson;
    return out;
  }
  std::size_t index = 0;
  for (const json::value& in : inputs->get_array()) {
    const json::object* t = in.if_object();
    if (!t) {
      out.issue = TensorIssue::kInvalidJson;
      return out;
    }
    const json::value* dt = t->if_contains("datatype");
    if (!dt || !dt->is_string()) {
      out.issue = TensorIssue::kDatatype;
      return out;
    }
    std::string_view type(dt->get_string().data(), dt->get_string().size());
    if (type == "BYTES") continue;
    if (!KnownNumeric(type)) {
      out.issue = TensorIssue::kDatatype;
      return out;
    }
    const json::value* shape = t->if_contains("shape");
    if (!shape || !shape->is_array()) {
      out.issue = TensorIssue::kShape;
      return out;
    }
    std::size_t want = 1;
    for (const json::value& d : shape->get_array()) {
      if (!d.is_int64() && !d.is_uint64()) {
        out.issue = TensorIssue::kShape;
        return out;
      }
      if (d.is_int64() && d.get_int64() < 0) {
        out.issue = TensorIssue::kShape;
        return out;
      }
      std::uint64_t n = d.is_int64() ? static_cast<std::uint64_t>(d.get_int64()) : d.get_uint64();
      if (n != 0 && want > max_elements / n) {
        out.issue = TensorIssue::kOversized;
        return out;
      }
      want *= n;
    }
    if (index + want > max_elements) {
      out.issue = TensorIssue::kOversized;
      return out;
    }
    const json::value* data = t->if_contains("data");
    if (!data) {
      out.issue = TensorIssue::kShape;
      return out;
    }
    std::size_t before = index;
    if (!Flatten(*data, projector, max_elements + 1, &index, &out.proj, 0)) {
      out.issue = TensorIssue::kDatatype;
      return out;
    }
    if (index - before != want) {
      out.issue = index > max_elements ? TensorIssue::kOversized : TensorIssue::kShape;
      return out;
    }
  }
  out.elements = index;
  if (index == 0) {
    out.issue = TensorIssue::kEmpty;
    return out;
  }
  Projector::Finish(&out.proj);
  return out;
}

}  // namespace rampart::monitor

namespace rampart::monitor {

TensorSketch SketchTensor(std::string_view body, const Projector& projector,
                          std::size_t max_elements) {
  const std::size_t max_bytes = 64 * 1024 + max_elements * 32;
  if (body.size() > max_bytes) {
    TensorSketch out;
    out.issue = TensorIssue::kOversized;
    return out;
  }
  return Scanner(body, projector, max_elements).Run();
}

}  // namespace rampart::monitor
