#include "monitor/tensor.h"

#include <array>
#include <cmath>

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
  if (*index < limit) p.Add(*index, static_cast<float>(x), acc);
  ++*index;
  return true;
}

}  // namespace

std::string_view TensorIssueName(TensorIssue i) {
  static constexpr std::array<std::string_view, kTensorIssueCount> k = {
      "none", "invalid_json", "shape", "datatype", "oversized", "empty"};
  return k[static_cast<std::size_t>(i)];
}

TensorSketch SketchTensor(std::string_view body, const Projector& projector,
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
