// JSON on Boost.JSON: bounded parsing with positions, canonical output, and
// typed field access that returns Status instead of throwing.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace rampart {

namespace json = boost::json;

struct JsonLimits {
  std::size_t max_bytes = 16u << 20;  // refuse larger input outright
  std::size_t max_depth = 64;         // nesting of arrays/objects
  bool allow_duplicate_keys = false;  // a duplicate is an error, never "last wins"
};

// Parses one JSON text (trailing whitespace only). Errors name the line and
// column: "line 3, column 17: expected ',' or '}'" (prefixed with `source`
// when given, e.g. a file name). The value's memory comes from `storage`
// (default: the heap); a hot path can pass a monotonic_resource over a
// stack buffer, then the value must not outlive that resource.
Result<json::value> ParseJson(std::string_view text, const JsonLimits& limits = {},
                              std::string_view source = "", json::storage_ptr storage = {});

// RFC 8785 (JCS) canonical form: object members sorted by UTF-16 code units,
// no insignificant whitespace, ECMAScript number formatting, minimal string
// escapes. Equal values always serialise to the same bytes.
std::string CanonicalJson(const json::value& v);

// Compact serialisation that keeps member order (boost::json::serialize).
std::string ToJson(const json::value& v);
// Indented for people (2 spaces), member order kept.
std::string ToPrettyJson(const json::value& v);
// For writers that stream a large document without building it: appends `v`
// as ToPrettyJson would print it `indent` levels deep, and a JSON string
// literal escaped as json::serialize escapes it.
void AppendPrettyJson(const json::value& v, int indent, std::string* out);
void AppendJsonString(std::string_view s, std::string* out);

// Typed accessors. NotFound when the key is absent; InvalidArgument naming the
// key and the expected type when it has the wrong type.
Result<std::string_view> GetString(const json::object& o, std::string_view key);
Result<std::int64_t> GetInt(const json::object& o, std::string_view key);
Result<bool> GetBool(const json::object& o, std::string_view key);
Result<const json::object*> GetObject(const json::object& o, std::string_view key);
Result<const json::array*> GetArray(const json::object& o, std::string_view key);
// The optional forms: nullopt when absent, error when present with a wrong type.
Result<std::optional<std::string_view>> GetOptionalString(const json::object& o,
                                                          std::string_view key);
Result<std::optional<std::int64_t>> GetOptionalInt(const json::object& o, std::string_view key);

}  // namespace rampart
