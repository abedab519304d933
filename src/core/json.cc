#include "core/json.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/src.hpp>  // Boost.JSON compiled into rampart_core, once.
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <vector>

namespace rampart {
namespace {

std::string PositionOf(std::string_view text, std::size_t offset) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// What both handlers below share: a basic_parser handler that builds
// nothing, accepts every event, and refuses a number beyond the range of a
// double (it parses as infinity, which no JSON text and no RFC 8785
// canonical form can carry). Each handler hides the events it looks at.
struct ValidatingHandler {
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  bool out_of_range = false;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(boost::json::string_view, std::size_t, boost::system::error_code&) {
    return true;
  }
  bool on_key(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string_part(boost::json::string_view, std::size_t, boost::system::error_code&) {
    return true;
  }
  bool on_string(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) {
    return true;
  }
  bool on_double(double d, boost::json::string_view, boost::system::error_code& ec) {
    if (std::isfinite(d)) return true;
    out_of_range = true;
    ec = boost::json::error::exponent_overflow;
    return false;
  }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};

// Reports the first object with a repeated member name. Boost.JSON itself
// keeps one of the duplicates, which lets two parsers of the same bytes
// disagree; Rampart refuses instead.
struct DuplicateKeyHandler : ValidatingHandler {
  std::vector<std::set<std::string>> objects;
  std::string key;
  std::string duplicate;

  bool on_object_begin(boost::system::error_code&) {
    objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    objects.pop_back();
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    key.append(s.data(), s.size());
    if (!objects.back().insert(key).second) {
      duplicate = key;
      ec = boost::json::error::syntax;  // stop parsing
      return false;
    }
    key.clear();
    return true;
  }
};

// Builds the value in one pass of the parser (what Boost.JSON's own
// handler does, onto a json::value_stack) and, when `checks` is set, takes
// the duplicate check's cheap part on the way: the member count of every
// object in document order (into vectors reused per thread). Boost.JSON
// keeps one member per name when it builds an object, so an object built
// with fewer members than the text gives it had a repeated name; only then
// does the precise (and allocating) DuplicateKeyHandler pass run, for the
// message.
//
// With `checks` it also refuses a number beyond the range of a double and
// reads every non-integer number again with std::from_chars, which rounds
// correctly: Boost.JSON 1.81's own conversion can be one unit in the last
// place off for long mantissas, and then the canonical form of a canonical
// text differs from it (3.3333333333333336e+39 re-parsed printed as
// 3.333333333333333e+39). The correctly rounded double is what is built.
struct BuildingHandler : ValidatingHandler {
  json::value_stack st;
  bool checks = true;
  std::vector<std::size_t>* counts = nullptr;  // per object, in order of their '{'
  std::vector<std::size_t>* open = nullptr;    // indexes into counts of the objects open
  std::string* number = nullptr;               // the current number's text, across parts

  bool on_object_begin(boost::system::error_code&) {
    if (checks) {
      open->push_back(counts->size());
      counts->push_back(0);
    }
    return true;
  }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    st.push_object(n);
    if (checks) {
      (*counts)[open->back()] = n;
      open->pop_back();
    }
    return true;
  }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::system::error_code&) {
    if (checks) number->append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code&) {
    if (checks) number->clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code&) {
    if (checks) number->clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view s, boost::system::error_code& ec) {
    if (checks) {
      if (!ValidatingHandler::on_double(d, s, ec)) return false;
      number->append(s.data(), s.size());
      double x = 0;
      const char* end = number->data() + number->size();
      auto [p, err] = std::from_chars(number->data(), end, x);
      if (err == std::errc() && p == end) d = x;
      number->clear();
    }
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    st.push_null();
    return true;
  }
};

// True when every object of `v`, in document order, has the member count
// the text gave it (counts[*next], advanced).
bool MemberCountsMatch(const json::value& v, const std::vector<std::size_t>& counts,
                       std::size_t* next) {
  if (v.is_object()) {
    const json::object& o = v.get_object();
    if (*next >= counts.size() || counts[(*next)++] != o.size()) return false;
    for (const auto& kv : o) {
      if (!MemberCountsMatch(kv.value(), counts, next)) return false;
    }
  } else if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      if (!MemberCountsMatch(e, counts, next)) return false;
    }
  }
  return true;
}

void AppendCanonicalString(std::string_view s, std::string& out) {
  out += '"';
  // Bytes that need no escape go out in runs, not one push_back each.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static const char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// ECMAScript Number.prototype.toString for finite doubles (RFC 8785 §3.2.2.3).
void AppendCanonicalDouble(double d, std::string& out) {
  if (!std::isfinite(d)) {
    // RFC 8785 has no form for it; parsed text never holds one (ParseJson
    // refuses numbers outside the double range), only a value built in code.
    out += "null";
    return;
  }
  if (d == 0) {
    out += '0';
    return;
  }
  if (d < 0) {
    out += '-';
    d = -d;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exp10 = std::stoi(std::string(sci.substr(e + 1)));
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += (n - 1 >= 0) ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
}

// UTF-8 -> UTF-16 code units, for RFC 8785 member ordering.
std::u16string Utf16(std::string_view s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0f;
      len = 3;
    } else {
      cp = c & 0x07;
      len = 4;
    }
    for (int j = 1; j < len && i + j < s.size(); ++j) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3f);
    }
    i += static_cast<std::size_t>(len);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3ff));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

void AppendCanonical(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_:
      AppendCanonicalDouble(v.get_double(), out);
      break;
    case json::kind::string: {
      const auto& s = v.get_string();
      AppendCanonicalString(std::string_view(s.data(), s.size()), out);
      break;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendCanonical(e, out);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      const auto& o = v.get_object();
      std::vector<std::pair<std::u16string, const json::key_value_pair*>> members;
      members.reserve(o.size());
      for (const auto& kv : o) {
        members.emplace_back(Utf16(std::string_view(kv.key().data(), kv.key().size())), &kv);
      }
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      bool first = true;
      for (const auto& [k16, kv] : members) {
        if (!first) out += ',';
        first = false;
        AppendCanonicalString(std::string_view(kv->key().data(), kv->key().size()), out);
        out += ':';
        AppendCanonical(kv->value(), out);
      }
      out += '}';
      break;
    }
  }
}

void AppendPretty(const json::value& v, std::string& out, int indent) {
  auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  switch (v.kind()) {
    case json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (std::size_t i = 0; i < a.size(); ++i) {
        pad(indent + 1);
        AppendPretty(a[i], out, indent + 1);
        out += (i + 1 < a.size()) ? ",\n" : "\n";
      }
      pad(indent);
      out += ']';
      return;
    }
    case json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      std::size_t i = 0;
      for (const auto& kv : o) {
        pad(indent + 1);
        // The escaping of json::serialize (RFC 8785's), without a
        // serializer per key: large outputs are hundreds of thousands of keys.
        AppendCanonicalString(std::string_view(kv.key().data(), kv.key().size()), out);
        out += ": ";
        AppendPretty(kv.value(), out, indent + 1);
        out += (++i < o.size()) ? ",\n" : "\n";
      }
      pad(indent);
      out += '}';
      return;
    }
    case json::kind::string:
      AppendCanonicalString(std::string_view(v.get_string().data(), v.get_string().size()), out);
      return;
    default:
      out += json::serialize(v);
  }
}

std::string Prefix(std::string_view source) {
  return source.empty() ? std::string() : std::string(source) + ": ";
}

}  // namespace

Result<json::value> ParseJson(std::string_view text, const JsonLimits& limits,
                              std::string_view source, json::storage_ptr storage) {
  if (text.size() > limits.max_bytes) {
    return InvalidArgumentError(Prefix(source) + "JSON text of " + std::to_string(text.size()) +
                                " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
  }
  json::parse_options opts;
  opts.max_depth = limits.max_depth;
  boost::system::error_code ec;

  // The precise duplicate pass (allocating): only when the counts say a
  // name repeats, or the text is refused anyway (a duplicate before the
  // error is the error reported, as it always was).
  auto duplicate_error = [&]() -> std::optional<Status> {
    json::basic_parser<DuplicateKeyHandler> dup(opts);
    boost::system::error_code dec;
    std::size_t n = dup.write_some(false, text.data(), text.size(), dec);
    if (!dup.handler().duplicate.empty()) {
      return InvalidArgumentError(Prefix(source) + PositionOf(text, n) + ": duplicate member '" +
                                  dup.handler().duplicate + "'");
    }
    return std::nullopt;
  };

  thread_local std::vector<std::size_t> counts, open;
  thread_local std::string number;
  counts.clear();
  open.clear();
  number.clear();

  // One parser per thread, reused: its two stacks (the values being built,
  // the suspended parse) keep their memory, instead of two allocations per
  // text. A large text gets a parser of its own, so that no thread keeps
  // the stacks of its largest document.
  using Parser = json::basic_parser<BuildingHandler>;
  constexpr std::size_t kReuseParserBytes = 64 * 1024;
  thread_local std::optional<Parser> reused;
  thread_local std::size_t reused_depth = 0;
  std::optional<Parser> own;
  Parser* pp;
  if (text.size() <= kReuseParserBytes) {
    if (!reused || reused_depth != opts.max_depth) {
      reused.emplace(opts);
      reused_depth = opts.max_depth;
    }
    pp = &*reused;
  } else {
    pp = &own.emplace(opts);
  }
  Parser& p = *pp;
  p.reset();
  BuildingHandler& h = p.handler();
  h.out_of_range = false;
  h.checks = !limits.allow_duplicate_keys;
  h.counts = &counts;
  h.open = &open;
  h.number = &number;
  h.st.reset(std::move(storage));
  // Whatever the parse leaves (a failed parse keeps partial values made
  // from `storage`) is destroyed now, while `storage` lives.
  struct ResetAfter {
    BuildingHandler& h;
    ~ResetAfter() { h.st.reset(); }
  } reset_after{h};
  std::size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && n != text.size()) ec = json::error::extra_data;
  if (ec) {
    if (!limits.allow_duplicate_keys) {
      if (auto d = duplicate_error()) return *d;
    }
    if (h.out_of_range) {
      return InvalidArgumentError(Prefix(source) + PositionOf(text, n) +
                                  ": number outside the range of a double");
    }
    std::string what = ec.message();
    if (ec == json::error::too_deep) {
      what = "nesting deeper than " + std::to_string(limits.max_depth);
    }
    return InvalidArgumentError(Prefix(source) + PositionOf(text, n) + ": " + what);
  }
  json::value v = h.st.release();
  if (!limits.allow_duplicate_keys) {
    std::size_t next = 0;
    if (!MemberCountsMatch(v, counts, &next) || next != counts.size()) {
      if (auto d = duplicate_error()) return *d;
      // The counts disagree and no name repeats: cannot happen; refuse.
      return InvalidArgumentError(Prefix(source) +
                                  "JSON text could not be checked for duplicate members");
    }
  }
  return v;
}

std::string CanonicalJson(const json::value& v) {
  std::string out;
  AppendCanonical(v, out);
  return out;
}

std::string ToJson(const json::value& v) { return json::serialize(v); }

void AppendPrettyJson(const json::value& v, int indent, std::string* out) {
  AppendPretty(v, *out, indent);
}

void AppendJsonString(std::string_view s, std::string* out) { AppendCanonicalString(s, *out); }

std::string ToPrettyJson(const json::value& v) {
  std::string out;
  AppendPretty(v, out, 0);
  return out;
}

namespace {
template <typename T, typename Get>
Result<T> GetTyped(const json::object& o, std::string_view key, std::string_view type, Get get) {
  auto it = o.find(key);
  if (it == o.end()) return NotFoundError("missing field '" + std::string(key) + "'");
  auto r = get(it->value());
  if (!r) {
    return InvalidArgumentError("field '" + std::string(key) + "' must be " + std::string(type));
  }
  return *r;
}
}  // namespace

Result<std::string_view> GetString(const json::object& o, std::string_view key) {
  return GetTyped<std::string_view>(o, key, "a string",
                                    [](const json::value& v) -> std::optional<std::string_view> {
                                      if (!v.is_string()) return std::nullopt;
                                      return std::string_view(v.get_string());
                                    });
}

Result<std::int64_t> GetInt(const json::object& o, std::string_view key) {
  return GetTyped<std::int64_t>(o, key, "an integer",
                                [](const json::value& v) -> std::optional<std::int64_t> {
                                  if (v.is_int64()) return v.get_int64();
                                  if (v.is_uint64() && v.get_uint64() <= INT64_MAX) {
                                    return static_cast<std::int64_t>(v.get_uint64());
                                  }
                                  return std::nullopt;
                                });
}

Result<bool> GetBool(const json::object& o, std::string_view key) {
  return GetTyped<bool>(o, key, "true or false", [](const json::value& v) -> std::optional<bool> {
    if (!v.is_bool()) return std::nullopt;
    return v.get_bool();
  });
}

Result<const json::object*> GetObject(const json::object& o, std::string_view key) {
  return GetTyped<const json::object*>(
      o, key, "an object", [](const json::value& v) -> std::optional<const json::object*> {
        if (!v.is_object()) return std::nullopt;
        return &v.get_object();
      });
}

Result<const json::array*> GetArray(const json::object& o, std::string_view key) {
  return GetTyped<const json::array*>(
      o, key, "an array", [](const json::value& v) -> std::optional<const json::array*> {
        if (!v.is_array()) return std::nullopt;
        return &v.get_array();
      });
}

Result<std::optional<std::string_view>> GetOptionalString(const json::object& o,
                                                          std::string_view key) {
  if (!o.contains(key)) return std::optional<std::string_view>();
  RAMPART_ASSIGN_OR_RETURN(auto s, GetString(o, key));
  return std::optional<std::string_view>(s);
}

Result<std::optional<std::int64_t>> GetOptionalInt(const json::object& o, std::string_view key) {
  if (!o.contains(key)) return std::optional<std::int64_t>();
  RAMPART_ASSIGN_OR_RETURN(auto i, GetInt(o, key));
  return std::optional<std::int64_t>(i);
}

}  // namespace rampart
