#include "core/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <sstream>

namespace rampart {
namespace {

// yaml-cpp recurses once per nesting level and has no depth limit, so deeply
// nested input overflows the stack. Bound the nesting before handing it over:
// flow collections by bracket depth, block collections by indentation plus the
// "- - -" chains that open a sequence per dash on one line.
constexpr int kMaxFlowDepth = 64;
constexpr int kMaxBlockNesting = 256;

Status CheckNesting(std::string_view text, std::string_view file) {
  int flow = 0, line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    // Start of a line: indentation and leading "- " / "? " / ": " markers.
    int nesting = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++nesting;
      ++i;
    }
    while (i + 1 < text.size() && (text[i] == '-' || text[i] == '?' || text[i] == ':') &&
           (text[i + 1] == ' ' || text[i + 1] == '\t')) {
      nesting += 2;
      i += 2;
      while (i < text.size() && text[i] == ' ') {
        ++nesting;
        ++i;
      }
    }
    if (nesting > kMaxBlockNesting) {
      return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) +
                                  ":1: nesting deeper than " + std::to_string(kMaxBlockNesting) +
                                  " levels; flatten the document");
    }
    char quote = 0;
    for (; i < text.size() && text[i] != '\n'; ++i) {
      char c = text[i];
      if (quote) {
        if (c == quote) quote = 0;
        if (c == '\\' && quote == '"') ++i;
        continue;
      }
      if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
        while (i < text.size() && text[i] != '\n') ++i;
        break;
      }
      if (c == '"' || c == '\'') {
        if (flow > 0 || i == 0 || text[i - 1] == ' ' || text[i - 1] == ':' || text[i - 1] == '-' ||
            text[i - 1] == '[' || text[i - 1] == '{' || text[i - 1] == ',') {
          quote = c;
        }
      } else if (c == '[' || c == '{') {
        if (++flow > kMaxFlowDepth) {
          return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) +
                                      ": flow collections nested deeper than " +
                                      std::to_string(kMaxFlowDepth) + " levels");
        }
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
    }
    if (i < text.size()) ++i;  // '\n'
    ++line;
  }
  return OkStatus();
}

// yaml-cpp 0.7's LoadAll() never returns on a stream whose document starts
// with a stray ',' (it yields empty documents forever without consuming the
// token). Walk the documents with the event parser first, stopping at the
// first document that does not move the parser forward.
constexpr std::size_t kMaxDocuments = 1'000'000;

class DocumentProgress final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& m) override {
    if (docs_ > 0 && m.pos <= last_.pos) stuck_ = true;
    last_ = m;
    ++docs_;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { events_ = true; }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { events_ = true; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    events_ = true;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    events_ = true;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    events_ = true;
  }
  void OnMapEnd() override {}

  bool stuck() const { return stuck_; }
  std::size_t docs() const { return docs_; }
  const YAML::Mark& last() const { return last_; }

 private:
  YAML::Mark last_ = YAML::Mark::null_mark();
  std::size_t docs_ = 0;
  bool stuck_ = false;
  bool events_ = false;
};

std::string MarkToString(std::string_view file, const YAML::Mark& m) {
  return std::string(file) + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

}  // namespace

Result<YAML::Node> ParseYaml(std::string_view text, std::string_view file) {
  RAMPART_ASSIGN_OR_RETURN(auto docs, ParseYamlAll(text, file));
  if (docs.empty()) return YAML::Node(YAML::NodeType::Null);
  if (docs.size() > 1) {
    return InvalidArgumentError(std::string(file) + ": expected one YAML document, found " +
                                std::to_string(docs.size()) + " (remove the extra '---')");
  }
  return docs.front();
}

Result<std::vector<YAML::Node>> ParseYamlAll(std::string_view text, std::string_view file) {
  RAMPART_RETURN_IF_ERROR(CheckNesting(text, file));
  try {
    std::string copy(text);
    {
      std::istringstream in(copy);
      YAML::Parser parser(in);
      DocumentProgress progress;
      while (parser.HandleNextDocument(progress)) {
        if (progress.stuck()) {
          return InvalidArgumentError(MarkToString(file, progress.last()) +
                                      ": unexpected ',' outside a flow collection");
        }
        if (progress.docs() > kMaxDocuments) {
          return InvalidArgumentError(std::string(file) + ": more than " +
                                      std::to_string(kMaxDocuments) + " YAML documents");
        }
      }
    }
    return YAML::LoadAll(copy);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(MarkToString(file, e.mark) + ": " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(file) + ": " + e.what());
  }
}

SourceLocation LocationOf(const YAML::Node& node, std::string_view file) {
  SourceLocation loc{std::string(file), 0, 0};
  if (!node.IsDefined()) return loc;
  YAML::Mark m = node.Mark();
  if (m.is_null()) return loc;
  loc.line = m.line + 1;
  loc.column = m.column + 1;
  return loc;
}

std::string_view YamlTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
  }
  return "unknown";
}

YamlFields::YamlFields(const YAML::Node& map, std::string file, Diagnostics* diags,
                       std::string what, std::string code_prefix)
    : map_(map),
      file_(std::move(file)),
      diags_(diags),
      what_(std::move(what)),
      code_prefix_(std::move(code_prefix)) {
  if (!map_.IsMap()) {
    ok_ = false;
    diags_->Error(LocationOf(map_, file_), code_prefix_ + ".type",
                  what_ + " must be a mapping, not " + std::string(YamlTypeName(map_)));
    return;
  }
  // A repeated key is an error: yaml-cpp would keep both and readers disagree
  // on which one counts.
  std::set<std::string, std::less<>> seen;
  for (auto it = map_.begin(); it != map_.end(); ++it) {
    if (it->first.IsScalar() && !seen.insert(it->first.Scalar()).second) {
      diags_->Error(LocationOf(it->first, file_), code_prefix_ + ".duplicate-key",
                    what_ + " repeats key '" + it->first.Scalar() + "'",
                    "keep one; the second would silently override the first");
    }
  }
}

YAML::Node YamlFields::Find(std::string_view key) const {
  if (ok_) {
    for (auto it = map_.begin(); it != map_.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool YamlFields::Has(std::string_view key) const { return Find(key).IsDefined(); }

SourceLocation YamlFields::Where(std::string_view key) const {
  YAML::Node n = Find(key);
  if (n.IsDefined() && !n.Mark().is_null()) return LocationOf(n, file_);
  return LocationOf(map_, file_);
}

void YamlFields::TypeError(std::string_view key, const YAML::Node& n, std::string_view expected) {
  diags_->Error(LocationOf(n, file_), code_prefix_ + ".type",
                what_ + " field '" + std::string(key) + "' must be " + std::string(expected) +
                    ", not " + std::string(YamlTypeName(n)));
}

YAML::Node YamlFields::Node(std::string_view key, bool required) {
  asked_.emplace(key);
  YAML::Node n = Find(key);
  if (!n.IsDefined() && required && ok_) {
    diags_->Error(Where(), code_prefix_ + ".missing",
                  what_ + " is missing required field '" + std::string(key) + "'");
  }
  return n;
}

std::optional<std::string> YamlFields::String(std::string_view key, bool required) {
  YAML::Node n = Node(key, required);
  if (!n.IsDefined()) return std::nullopt;
  if (n.IsNull() && !required) return std::nullopt;
  if (!n.IsScalar()) {
    TypeError(key, n, "a string");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::int64_t> YamlFields::Int(std::string_view key, bool required, std::int64_t min,
                                            std::int64_t max) {
  YAML::Node n = Node(key, required);
  if (!n.IsDefined()) return std::nullopt;
  if (!n.IsScalar()) {
    TypeError(key, n, "an integer");
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    diags_->Error(LocationOf(n, file_), code_prefix_ + ".type",
                  what_ + " field '" + std::string(key) + "' must be an integer, not '" + s + "'");
    return std::nullopt;
  }
  if (v < min || v > max) {
    diags_->Error(LocationOf(n, file_), code_prefix_ + ".range",
                  what_ + " field '" + std::string(key) + "' is " + s + ", outside " +
                      std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> YamlFields::Bool(std::string_view key, bool required) {
  YAML::Node n = Node(key, required);
  if (!n.IsDefined()) return std::nullopt;
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  TypeError(key, n, "true or false");
  return std::nullopt;
}

std::optional<std::vector<std::string>> YamlFields::StringList(std::string_view key,
                                                               bool required) {
  YAML::Node n = Node(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    TypeError(key, n, "a list of strings");
    return std::nullopt;
  }
  for (const auto& e : n) {
    if (!e.IsScalar()) {
      diags_->Error(LocationOf(e, file_), code_prefix_ + ".type",
                    what_ + " field '" + std::string(key) + "' must list strings, not " +
                        std::string(YamlTypeName(e)));
      return std::nullopt;
    }
    out.push_back(e.Scalar());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> YamlFields::StringMap(std::string_view key,
                                                                        bool required) {
  YAML::Node n = Node(key, required);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsMap()) {
    TypeError(key, n, "a mapping of strings");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar() || !it->second.IsScalar()) {
      diags_->Error(LocationOf(it->first, file_), code_prefix_ + ".type",
                    what_ + " field '" + std::string(key) + "' must map strings to strings");
      return std::nullopt;
    }
    out[it->first.Scalar()] = it->second.Scalar();
  }
  return out;
}

std::optional<std::string> YamlFields::Enum(std::string_view key,
                                            const std::vector<std::string>& allowed,
                                            bool required) {
  YAML::Node n = Find(key);
  auto s = String(key, required);
  if (!s) return std::nullopt;
  for (const auto& a : allowed) {
    if (a == *s) return s;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : " | ") + a;
  std::string hint = DidYouMean(*s, allowed);
  diags_->Error(LocationOf(n, file_), code_prefix_ + ".enum",
                what_ + " field '" + std::string(key) + "' is '" + *s + "'; expected " + list,
                hint);
  return std::nullopt;
}

void YamlFields::CheckUnknown() {
  if (!ok_) return;
  std::vector<std::string> known(asked_.begin(), asked_.end());
  for (auto it = map_.begin(); it != map_.end(); ++it) {
    if (!it->first.IsScalar()) {
      diags_->Error(LocationOf(it->first, file_), code_prefix_ + ".unknown-field",
                    what_ + " has a key that is not a string");
      continue;
    }
    const std::string& k = it->first.Scalar();
    if (asked_.contains(k)) continue;
    diags_->Error(LocationOf(it->first, file_), code_prefix_ + ".unknown-field",
                  what_ + " has unknown field '" + k + "'", DidYouMean(k, known));
  }
}

}  // namespace rampart
