#include "ledger/entry.h"

#include <algorithm>
#include <map>
#include <optional>

#include "core/diagnostic.h"

namespace rampart::ledger {
namespace {

enum class Kind {
  kString,
  kTime,
  kInt,
  kBool,
  kDigest,
  kDigestList,
  kStringList,
  kObject,
  kSeverity
};

struct FieldSpec {
  const char* name;
  Kind kind;
  bool required;
};

struct TypeSpec {
  const char* type;
  bool needs_subject;
  std::vector<FieldSpec> fields;
};

// node.attested and node.drifted carry the same fields: one poll's result
// (docs/formats/ledger-entry.md); only the type tells them apart.
std::vector<FieldSpec> NodeFields() {
  return {{"node", Kind::kString, true},   {"class", Kind::kString, false},
          {"health", Kind::kString, true}, {"previous", Kind::kString, false},
          {"changed", Kind::kBool, false}, {"reasons", Kind::kStringList, false}};
}

const std::vector<TypeSpec>& Types() {
  static const std::vector<TypeSpec> kTypes = {
      {"dataset.ingested",
       true,
       {{"source", Kind::kString, false},
        {"records", Kind::kInt, false},
        {"bytes", Kind::kInt, false},
        {"classification", Kind::kString, false}}},
      {"dataset.changed",
       true,
       {{"previous", Kind::kDigest, true},
        {"reason", Kind::kString, false},
        {"records", Kind::kInt, false}}},
      {"dataset.manifest",
       true,
       {{"files", Kind::kInt, false},
        {"bytes", Kind::kInt, false},
        {"hash_type", Kind::kString, false}}},
      {"training.started",
       false,
       {{"inputs", Kind::kDigestList, true},
        {"code_commit", Kind::kString, false},
        {"params_digest", Kind::kDigest, false},
        {"job", Kind::kString, false}}},
      {"training.finished",
       false,
       {{"inputs", Kind::kDigestList, true},
        {"outputs", Kind::kDigestList, true},
        {"code_commit", Kind::kString, false},
        {"params_digest", Kind::kDigest, false},
        {"job", Kind::kString, false},
        {"metrics", Kind::kObject, false}}},
      {"model.signed",
       true,
       {{"signer", Kind::kString, false},
        {"signature_digest", Kind::kDigest, false},
        {"format", Kind::kString, false}}},
      {"model.registered",
       true,
       {{"registry", Kind::kString, false}, {"version", Kind::kString, false}}},
      {"model.deployed",
       true,
       {{"endpoint", Kind::kString, false}, {"environment", Kind::kString, false}}},
      {"access.summary",
       false,
       {{"window_start", Kind::kTime, true},
        {"window_end", Kind::kTime, true},
        {"requests", Kind::kInt, true},
        {"denied", Kind::kInt, false},
        {"principals", Kind::kStringList, false},
        {"models", Kind::kStringList, false},
        {"endpoint", Kind::kString, false}}},
      {"policy.changed",
       false,
       {{"policy", Kind::kString, true},
        {"policy_digest", Kind::kDigest, false},
        {"change", Kind::kString, false}}},
      {"key.released",
       false,
       {{"key_id", Kind::kString, true},
        {"to", Kind::kString, false},
        {"attestation_digest", Kind::kDigest, false}}},
      {"key.refused",
       false,
       {{"key_id", Kind::kString, true},
        {"reason", Kind::kString, true},
        {"to", Kind::kString, false},
        {"attestation_digest", Kind::kDigest, false}}},
      {"alert", false, {{"severity", Kind::kSeverity, true}, {"message", Kind::kString, true}}},
      {"node.attested", false, NodeFields()},
      {"node.drifted", false, NodeFields()},
      {"posture.assessed",
       false,
       {{"estate", Kind::kDigest, true},
        {"controls", Kind::kDigest, true},
        {"report", Kind::kDigest, true},
        {"assessed_at", Kind::kTime, true},
        {"cells", Kind::kInt, true},
        {"pass", Kind::kInt, true},
        {"fail", Kind::kInt, true},
        {"invalid", Kind::kInt, true},
        {"stale", Kind::kInt, true},
        {"missing", Kind::kInt, true},
        {"not_applicable", Kind::kInt, true},
        {"failing_essential", Kind::kStringList, true},
        {"estate_name", Kind::kString, false},
        {"verdict", Kind::kString, false}}},
      {"guard.blocked",
       false,
       {{"stage", Kind::kString, true},
        {"reason", Kind::kString, true},
        {"request_id", Kind::kString, false},
        {"route", Kind::kString, false},
        {"model", Kind::kString, false}}},
      {"monitor.alert",
       false,
       {{"detector", Kind::kString, true},
        {"policy", Kind::kString, true},
        {"window", Kind::kInt, false},
        {"queries", Kind::kInt, false},
        {"evidence", Kind::kDigestList, false},
        {"request_id", Kind::kString, false},
        {"route", Kind::kString, false},
        {"model", Kind::kString, false}}},
  };
  return kTypes;
}

const TypeSpec* FindType(std::string_view t) {
  for (const TypeSpec& s : Types()) {
    if (t == s.type) return &s;
  }
  return nullptr;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsValidCustomType(std::string_view t) {
  if (!t.starts_with("x-") || t.size() < 3 || t.size() > 128) return false;
  return std::all_of(t.begin() + 2, t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  });
}

// RFC 3339 with a year in [1900, 2200]. The bound keeps every accepted time
// inside the range of a nanosecond time_point (1677-2262), so no caller has
// to worry about overflow, and no ML pipeline event is outside it.
bool ParseEntryTime(std::string_view s, Clock::SystemTime* out) {
  if (s.size() < 4) return false;
  int year = 0;
  for (int i = 0; i < 4; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    year = year * 10 + (s[i] - '0');
  }
  if (year < 1900 || year > 2200) return false;
  return ParseRfc3339(s, out);
}

Status FieldError(std::string_view field, std::string_view want) {
  return InvalidArgumentError("entry field '" + std::string(field) + "' must be " +
                              std::string(want));
}

Status CheckDigest(const json::value& v, std::string_view field, std::vector<std::string>* out) {
  if (!v.is_string() || !IsValidDigest(v.get_string())) {
    return FieldError(field, "a digest like \"sha256:<64 lowercase hex>\"");
  }
  out->emplace_back(v.get_string());
  return OkStatus();
}

Status CheckField(const FieldSpec& f, const json::value& v, std::vector<std::string>* digests) {
  switch (f.kind) {
    case Kind::kString:
      if (!v.is_string() || v.get_string().empty()) return FieldError(f.name, "a non-empty string");
      return OkStatus();
    case Kind::kTime: {
      Clock::SystemTime t;
      if (!v.is_string() || !ParseEntryTime(v.get_string(), &t)) {
        return FieldError(f.name, "an RFC 3339 time (years 1900-2200)");
      }
      return OkStatus();
    }
    case Kind::kInt:
      if (!(v.is_int64() && v.get_int64() >= 0) && !v.is_uint64()) {
        return FieldError(f.name, "a non-negative integer");
      }
      return OkStatus();
    case Kind::kBool:
      if (!v.is_bool()) return FieldError(f.name, "true or false");
      return OkStatus();
    case Kind::kDigest:
      return CheckDigest(v, f.name, digests);
    case Kind::kDigestList:
      if (!v.is_array() || v.get_array().empty())
        return FieldError(f.name, "a non-empty array of digests");
      for (const json::value& d : v.get_array())
        RAMPART_RETURN_IF_ERROR(CheckDigest(d, f.name, digests));
      return OkStatus();
    case Kind::kStringList:
      if (!v.is_array()) return FieldError(f.name, "an array of strings");
      for (const json::value& s : v.get_array()) {
        if (!s.is_string()) return FieldError(f.name, "an array of strings");
      }
      return OkStatus();
    case Kind::kObject:
      if (!v.is_object()) return FieldError(f.name, "an object");
      return OkStatus();
    case Kind::kSeverity: {
      static const std::vector<std::string> kLevels = {"info", "low", "medium", "high", "critical"};
      if (!v.is_string() || std::find(kLevels.begin(), kLevels.end(),
                                      std::string_view(v.get_string())) == kLevels.end()) {
        return FieldError(f.name, "one of info, low, medium, high, critical");
      }
      return OkStatus();
    }
  }
  return OkStatus();
}

// Validates `o` in place (time and submitter may be filled) and collects digests.
Status Validate(json::object& o, const EntryOptions& opts, ParsedEntry* out) {
  auto type_it = o.find("type");
  if (type_it == o.end() || !type_it->value().is_string()) {
    return InvalidArgumentError("entry needs a string field 'type'");
  }
  out->type = std::string(type_it->value().get_string());
  const TypeSpec* spec = FindType(out->type);
  if (spec == nullptr && !IsValidCustomType(out->type)) {
    std::string hint = DidYouMean(out->type, KnownEntryTypes());
    return InvalidArgumentError("unknown entry type '" + out->type + "'" +
                                (hint.empty() ? "" : " (" + hint + ")") +
                                "; custom types start with 'x-'");
  }
  auto actor = o.find("actor");
  if (actor == o.end() || !actor->value().is_string() || actor->value().get_string().empty() ||
      actor->value().get_string().size() > 256) {
    return InvalidArgumentError("entry needs a string field 'actor' (1-256 bytes)");
  }
  auto time = o.find("time");
  if (time == o.end()) {
    o["time"] = FormatRfc3339(opts.clock->Now(), 3);
  } else {
    Clock::SystemTime t;
    if (!time->value().is_string() || !ParseEntryTime(time->value().get_string(), &t)) {
      return FieldError("time", "an RFC 3339 time (years 1900-2200)");
    }
  }
  std::vector<std::string> digests;
  auto subjects = o.find("subjects");
  std::size_t subject_count = 0;
  if (subjects != o.end()) {
    if (!subjects->value().is_array()) return FieldError("subjects", "an array");
    for (const json::value& s : subjects->value().get_array()) {
      if (!s.is_object()) return FieldError("subjects", "an array of {digest, name} objects");
      const json::object& so = s.get_object();
      auto d = so.find("digest");
      if (d == so.end()) return FieldError("subjects[].digest", "present");
      RAMPART_RETURN_IF_ERROR(CheckDigest(d->value(), "subjects[].digest", &digests));
      auto n = so.find("name");
      if (n != so.end() && !n->value().is_string())
        return FieldError("subjects[].name", "a string");
      for (const auto& kv : so) {
        if (kv.key() != "digest" && kv.key() != "name") {
          return InvalidArgumentError("unknown field '" + std::string(kv.key()) +
                                      "' in a subject (want digest, name)");
        }
      }
      ++subject_count;
    }
  }
  if (spec != nullptr) {
    if (spec->needs_subject && subject_count == 0) {
      return InvalidArgumentError("entry type '" + out->type + "' needs at least one subject");
    }
    for (const FieldSpec& f : spec->fields) {
      auto it = o.find(f.name);
      if (it == o.end()) {
        if (f.required) {
          return InvalidArgumentError("entry type '" + out->type + "' needs field '" + f.name +
                                      "'");
        }
        continue;
      }
      RAMPART_RETURN_IF_ERROR(CheckField(f, it->value(), &digests));
    }
  }
  auto sub = o.find("submitter");
  if (!opts.submitter.empty()) {
    if (sub != o.end()) {
      return InvalidArgumentError("entry field 'submitter' is set by the ledger, not the client");
    }
    o["submitter"] = opts.submitter;
  } else if (sub != o.end() && !sub->value().is_string()) {
    return FieldError("submitter", "a string");
  }
  std::sort(digests.begin(), digests.end());
  digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
  out->digests = std::move(digests);
  return OkStatus();
}

}  // namespace

bool IsValidDigest(std::string_view d) {
  std::size_t colon = d.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view alg = d.substr(0, colon);
  std::string_view hex = d.substr(colon + 1);
  std::size_t want = alg == "sha256" ? 64 : alg == "sha384" ? 96 : alg == "sha512" ? 128 : 0;
  return want != 0 && hex.size() == want && IsLowerHex(hex);
}

const std::vector<std::string>& KnownEntryTypes() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const TypeSpec& s : Types()) v.emplace_back(s.type);
    return v;
  }();
  return kNames;
}

Result<ParsedEntry> ParseEntryValue(json::value v, const EntryOptions& opts) {
  if (!v.is_object()) return InvalidArgumentError("an entry must be a JSON object");
  ParsedEntry out;
  RAMPART_RETURN_IF_ERROR(Validate(v.get_object(), opts, &out));
  out.canonical = CanonicalJson(v);
  if (out.canonical.size() > opts.max_bytes) {
    return ResourceExhaustedError("entry is " + std::to_string(out.canonical.size()) +
                                  " bytes, over the limit of " + std::to_string(opts.max_bytes));
  }
  return out;
}

Result<ParsedEntry> ParseEntry(std::string_view json_text, const EntryOptions& opts) {
  if (json_text.size() > opts.max_bytes) {
    return ResourceExhaustedError("entry is " + std::to_string(json_text.size()) +
                                  " bytes, over the limit of " + std::to_string(opts.max_bytes));
  }
  JsonLimits limits;
  limits.max_bytes = opts.max_bytes;
  limits.max_depth = 32;
  RAMPART_ASSIGN_OR_RETURN(json::value v, ParseJson(json_text, limits, "entry"));
  return ParseEntryValue(std::move(v), opts);
}

namespace {

// The end of the JSON value starting at text[i] (a string, number, literal,
// array or object), skipping strings and nesting without decoding them; npos
// when the text ends first. The text's syntax is the producer's guarantee;
// this only finds where members start and end.
std::size_t SkipValue(std::string_view text, std::size_t i) {
  int depth = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      // The closing quote: the next one not escaped (after an even number of
      // backslashes).
      for (;;) {
        std::size_t q = text.find('"', i + 1);
        if (q == std::string_view::npos) return std::string_view::npos;
        std::size_t k = q;
        while (k > i + 1 && text[k - 1] == '\\') --k;
        i = q;
        if ((q - k) % 2 == 0) break;
      }
      if (depth == 0) return i + 1;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // the end of the enclosing object: a scalar ended
      if (--depth == 0) return i + 1;
    } else if (c == ',' && depth == 0) {
      return i;
    }
  }
  return depth == 0 ? i : std::string_view::npos;
}

}  // namespace

Result<ParsedEntry> AdoptCanonicalEntry(std::string_view text, const EntryOptions& opts) {
  auto slow = [&] { return ParseEntry(text, opts); };
  if (text.size() > opts.max_bytes || text.size() < 2 || text.front() != '{' || text.back() != '}')
    return slow();
  struct Member {
    std::string_view key;
    std::size_t start;  // of the member's opening quote
    std::size_t value;  // of its value
    std::size_t end;    // one past its value
  };
  std::vector<Member> members;
  members.reserve(16);
  std::size_t i = 1;
  while (i < text.size() - 1) {
    if (!members.empty()) {
      if (text[i] != ',') return slow();
      ++i;
    }
    if (text[i] != '"') return slow();
    std::size_t close = text.find('"', i + 1);
    if (close == std::string_view::npos) return slow();
    std::string_view key = text.substr(i + 1, close - i - 1);
    for (char c : key) {
      // Escapes and non-ASCII names: their canonical order needs decoding.
      if (c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
          static_cast<unsigned char>(c) >= 0x80)
        return slow();
    }
    // Plain ASCII names: byte order is RFC 8785's UTF-16 order.
    if (!members.empty() && !(members.back().key < key)) return slow();
    if (close + 1 >= text.size() || text[close + 1] != ':') return slow();
    std::size_t end = SkipValue(text, close + 2);
    if (end == std::string_view::npos || end == close + 2 || end > text.size() - 1) return slow();
    members.push_back({key, i, close + 2, end});
    i = end;
  }
  if (i != text.size() - 1) return slow();
  auto find = [&](std::string_view k) -> const Member* {
    for (const Member& m : members) {
      if (m.key == k) return &m;
    }
    return nullptr;
  };
  auto plain_string = [&](const Member* m) -> std::optional<std::string_view> {
    if (m == nullptr || m->end - m->value < 2 || text[m->value] != '"') return std::nullopt;
    std::string_view s = text.substr(m->value + 1, m->end - m->value - 2);
    if (s.find('\\') != std::string_view::npos) return std::nullopt;
    return s;
  };
  auto type = plain_string(find("type"));
  auto actor = plain_string(find("actor"));
  if (!type || !actor || actor->empty() || !plain_string(find("time")) || find("subjects"))
    return slow();
  const TypeSpec* spec = FindType(*type);
  if (spec == nullptr && !IsValidCustomType(*type)) return slow();
  if (spec != nullptr && spec->needs_subject) return slow();  // subjects are digests
  Clock::SystemTime t;
  if (actor->size() > 256 || !ParseEntryTime(*plain_string(find("time")), &t)) return slow();
  if (spec != nullptr) {
    // The type's own fields, scalars and string lists only; anything else
    // (digests above all: they feed the index) takes the full path.
    for (const FieldSpec& f : spec->fields) {
      const Member* m = find(f.name);
      if (m == nullptr) {
        if (f.required) return slow();
        continue;
      }
      std::string_view v = text.substr(m->value, m->end - m->value);
      switch (f.kind) {
        case Kind::kString: {
          auto str = plain_string(m);
          if (!str || str->empty()) return slow();
          break;
        }
        case Kind::kTime: {
          auto str = plain_string(m);
          if (!str || !ParseEntryTime(*str, &t)) return slow();
          break;
        }
        case Kind::kInt:
          if (v.empty() || v.size() > 19 ||
              !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return slow();
          break;
        case Kind::kStringList: {
          if (v.size() < 2 || v.front() != '[' || v.back() != ']') return slow();
          for (std::size_t k = 1; k < v.size() - 1;) {
            if (k > 1) {
              if (v[k] != ',') return slow();
              ++k;
            }
            if (v[k] != '"') return slow();
            std::size_t e = SkipValue(v, k);
            if (e == std::string_view::npos || e > v.size() - 1) return slow();
            k = e;
          }
          break;
        }
        default:
          return slow();
      }
    }
  }
  const Member* sub = find("submitter");
  // A client's own submitter, or one that is not a plain string: ParseEntry
  // has the message.
  if (sub != nullptr && (!opts.submitter.empty() || !plain_string(sub))) return slow();
  ParsedEntry out;
  out.type = std::string(*type);
  if (opts.submitter.empty()) {
    out.canonical = std::string(text);
  } else {
    // Inserted before the first member whose name sorts after it.
    std::size_t at = text.size() - 1;
    bool first = true;
    for (const Member& m : members) {
      if (m.key > "submitter") {
        at = m.start;
        break;
      }
      first = false;
    }
    out.canonical.reserve(text.size() + opts.submitter.size() + 16);
    out.canonical.append(text.substr(0, at));
    if (!first && at == text.size() - 1) out.canonical += ',';
    out.canonical += "\"submitter\":";
    AppendJsonString(opts.submitter, &out.canonical);
    if (at != text.size() - 1) out.canonical += ',';
    out.canonical.append(text.substr(at));
  }
  if (out.canonical.size() > opts.max_bytes) {
    return ResourceExhaustedError("entry is " + std::to_string(out.canonical.size()) +
                                  " bytes, over the limit of " + std::to_string(opts.max_bytes));
  }
  return out;
}

Result<ParsedEntry> ReparseStoredEntry(std::string_view canonical) {
  JsonLimits limits;
  limits.max_depth = 32;
  RAMPART_ASSIGN_OR_RETURN(json::value v, ParseJson(canonical, limits, "stored entry"));
  if (!v.is_object()) return CorruptionError("stored entry is not a JSON object");
  ParsedEntry out;
  EntryOptions opts;
  opts.max_bytes = SIZE_MAX;
  RAMPART_RETURN_IF_ERROR(Validate(v.get_object(), opts, &out));
  out.canonical = std::string(canonical);
  return out;
}

LineageLinks LineageOf(const json::object& entry) {
  LineageLinks l;
  auto strings = [&](std::string_view key, std::vector<std::string>* out) {
    auto it = entry.find(key);
    if (it == entry.end()) return;
    if (it->value().is_string()) out->emplace_back(it->value().get_string());
    if (it->value().is_array()) {
      for (const json::value& v : it->value().get_array()) {
        if (v.is_string()) out->emplace_back(v.get_string());
      }
    }
  };
  auto type = entry.find("type");
  std::string_view t = type != entry.end() && type->value().is_string()
                           ? std::string_view(type->value().get_string())
                           : std::string_view();
  std::vector<std::string> subjects;
  if (auto s = entry.find("subjects"); s != entry.end() && s->value().is_array()) {
    for (const json::value& v : s->value().get_array()) {
      if (!v.is_object()) continue;
      auto d = v.get_object().find("digest");
      if (d != v.get_object().end() && d->value().is_string())
        subjects.emplace_back(d->value().get_string());
    }
  }
  if (t == "training.finished") {
    strings("outputs", &l.produced);
    l.produced.insert(l.produced.end(), subjects.begin(), subjects.end());
    strings("inputs", &l.parents);
  } else if (t == "dataset.changed") {
    l.produced = subjects;
    strings("previous", &l.parents);
  }
  return l;
}

}  // namespace rampart::ledger
