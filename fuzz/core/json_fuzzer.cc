// Fuzzes ParseJson (core/json.h), the parser of every untrusted JSON text
// (request bodies, audit entries, key stores), against Boost.JSON's own
// parse of the same bytes:
// - no input may crash, hang or trip a sanitizer;
// - an accepted text is one Boost.JSON accepts too, with the same structure
//   (numbers of the same kind; doubles equal to 12 significant digits,
//   since ParseJson rounds them correctly and Boost.JSON 1.81 may not);
// - a refused text that Boost.JSON accepts is refused for a repeated member
//   name (which Boost.JSON would silently drop) or a number beyond a double;
// - an accepted value's canonical form parses back to the same canonical
//   form;
// - the options come from byte 0: duplicates allowed, the depth limit, and
//   whether the value is built in an arena (as the gateway does).
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/json.h"

namespace {

namespace json = boost::json;

bool SameStructure(const json::value& a, const json::value& b, int depth = 0) {
  if (depth > 200) return true;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        const json::value* other = y.if_contains(kv.key());
        if (other == nullptr || !SameStructure(kv.value(), *other, depth + 1)) return false;
      }
      return true;
    }
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!SameStructure(x[i], y[i], depth + 1)) return false;
      }
      return true;
    }
    case json::kind::double_: {
      // Boost.JSON 1.81's fast conversion of a long mantissa can be a few
      // units in the last place off; ParseJson's is correctly rounded.
      double x = a.get_double(), y = b.get_double();
      return x == y || std::fabs(x - y) <= 1e-12 * std::fmax(std::fabs(x), std::fabs(y));
    }
    default:
      return a == b;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  rampart::JsonLimits limits;
  limits.allow_duplicate_keys = (data[0] & 1) != 0;
  limits.max_depth = (data[0] & 2) != 0 ? 8 : 64;
  const bool arena = (data[0] & 4) != 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  unsigned char buffer[1024];
  json::monotonic_resource mr(buffer, sizeof buffer);
  auto r = arena ? rampart::ParseJson(text, limits, "", &mr) : rampart::ParseJson(text, limits);

  json::parse_options opts;
  opts.max_depth = limits.max_depth;
  boost::system::error_code ec;
  json::value ref = json::parse(text, ec, {}, opts);

  if (r.has_value()) {
    if (ec) std::abort();  // accepted what Boost.JSON refuses
    if (!limits.allow_duplicate_keys && !SameStructure(*r, ref)) std::abort();
    if (!limits.allow_duplicate_keys) {
      std::string canonical = rampart::CanonicalJson(*r);
      auto again = rampart::ParseJson(canonical, rampart::JsonLimits{.max_depth = 64});
      if (!again.has_value() || rampart::CanonicalJson(*again) != canonical) std::abort();
    }
  } else if (!ec) {
    std::string_view why = r.error().message();
    if (limits.allow_duplicate_keys) std::abort();  // nothing else refuses a text Boost accepts
    if (why.find("duplicate member") == std::string_view::npos &&
        why.find("outside the range of a double") == std::string_view::npos) {
      std::abort();
    }
  }
  return 0;
}
