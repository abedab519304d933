#include "gateway/usage.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cctype>
#include <cstring>
#include <limits>
#include <vector>

namespace rampart::gateway {
namespace {

namespace json = boost::json;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr int kMaxDepth = 64;
// Per-message framing tokens of chat formats, and the reply's priming tokens.
constexpr std::uint64_t kPerMessageTokens = 4;
constexpr std::uint64_t kReplyPrimingTokens = 3;
// A non-text content part (image, audio) costs at least this much; a floor,
// not an exact price.
constexpr std::uint64_t kNonTextPartTokens = 85;

std::uint64_t Add(std::uint64_t a, std::uint64_t b) { return a > kMax - b ? kMax : a + b; }
std::uint64_t Mul(std::uint64_t a, std::uint64_t b) {
  return (b != 0 && a > kMax / b) ? kMax : a * b;
}

// A whole number >= 0 held in a double, or nullopt.
std::optional<std::uint64_t> CountOf(double d) {
  if (!(d >= 0) || d > 1.8e19 || d != static_cast<double>(static_cast<std::uint64_t>(d))) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(d);
}

// A non-negative integer from a JSON number, or nullopt.
std::optional<std::uint64_t> AsCount(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64()) {
    if (v->get_int64() < 0) return std::nullopt;
    return static_cast<std::uint64_t>(v->get_int64());
  }
  if (v->is_double()) return CountOf(v->get_double());
  return std::nullopt;
}

// Bytes of every string (keys included) under v: a size proxy for tool
// schemas and other structured prompt parts.
std::uint64_t StringBytes(const json::value& v, int depth = 0) {
  if (depth > kMaxDepth) return 0;
  switch (v.kind()) {
    case json::kind::string:
      return v.get_string().size();
    case json::kind::array: {
      std::uint64_t n = 0;
      for (const auto& e : v.get_array()) n = Add(n, Add(1, StringBytes(e, depth + 1)));
      return n;
    }
    case json::kind::object: {
      std::uint64_t n = 0;
      for (const auto& kv : v.get_object()) {
        n = Add(n, Add(kv.key().size(), StringBytes(kv.value(), depth + 1)));
      }
      return n;
    }
    default:
      return 1;
  }
}

struct PromptSize {
  std::uint64_t bytes = 0;   // text, estimated at 4 bytes per token
  std::uint64_t tokens = 0;  // counted directly (token-id arrays, overheads)
};

// "prompt" / "input": a string, an array of strings, an array of token ids,
// or an array of token-id arrays.
void AddPromptLike(const json::value& v, PromptSize& size) {
  if (v.is_string()) {
    size.bytes = Add(size.bytes, v.get_string().size());
    return;
  }
  if (!v.is_array()) return;
  for (const auto& e : v.get_array()) {
    if (e.is_string()) {
      size.bytes = Add(size.bytes, e.get_string().size());
    } else if (e.is_number()) {
      size.tokens = Add(size.tokens, 1);
    } else if (e.is_array()) {
      size.tokens = Add(size.tokens, e.get_array().size());
    }
  }
}

void AddMessages(const json::array& messages, PromptSize& size) {
  size.tokens = Add(size.tokens, kReplyPrimingTokens);
  for (const auto& m : messages) {
    size.tokens = Add(size.tokens, kPerMessageTokens);
    if (!m.is_object()) continue;
    const json::value* content = nullptr;
    const json::value* name = nullptr;
    const json::value* tool_calls = nullptr;
    for (const auto& kv : m.get_object()) {
      std::string_view k = kv.key();
      if (k == "content") {
        content = &kv.value();
      } else if (k == "name") {
        name = &kv.value();
      } else if (k == "tool_calls") {
        tool_calls = &kv.value();
      }
    }
    if (const auto* c = content) {
      if (c->is_string()) {
        size.bytes = Add(size.bytes, c->get_string().size());
      } else if (c->is_array()) {
        for (const auto& part : c->get_array()) {
          const auto* text = part.is_object() ? part.get_object().if_contains("text") : nullptr;
          if (text != nullptr && text->is_string()) {
            size.bytes = Add(size.bytes, text->get_string().size());
          } else {
            size.tokens = Add(size.tokens, kNonTextPartTokens);
          }
        }
      }
    }
    if (name != nullptr && name->is_string()) {
      size.bytes = Add(size.bytes, name->get_string().size());
    }
    if (tool_calls != nullptr) size.bytes = Add(size.bytes, StringBytes(*tool_calls));
  }
}

// The three counts as read, into a Usage: completion = total - prompt when
// only the total says it, total = prompt + completion when it is missing.
std::optional<Usage> UsageFromCounts(std::optional<std::uint64_t> prompt,
                                     std::optional<std::uint64_t> completion,
                                     std::optional<std::uint64_t> total) {
  if (!prompt && !completion && !total) return std::nullopt;
  Usage usage;
  usage.prompt_tokens = prompt.value_or(0);
  if (completion) {
    usage.completion_tokens = *completion;
  } else if (total && *total >= usage.prompt_tokens) {
    usage.completion_tokens = *total - usage.prompt_tokens;
  }
  usage.total_tokens = total.value_or(Add(usage.prompt_tokens, usage.completion_tokens));
  return usage;
}

// Reads the top-level "usage" object of a JSON text in one pass of the
// parser, without building the document. The result is the one a parsed
// object gives: the last "usage" member wins (a later non-object one means
// none), and in it the last of each count; only a member of the top-level
// object counts, never a "usage" nested deeper or inside a string.
class UsageHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  bool root_is_object() const { return root_is_object_; }
  std::optional<Usage> usage() const {
    if (!usage_is_object_) return std::nullopt;
    return UsageFromCounts(counts_[0], counts_[1], counts_[2]);
  }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    if (depth_ == 0) root_is_object_ = true;
    if (depth_ == 1 && usage_key_) {
      usage_is_object_ = true;
      usage_key_ = false;
      in_usage_ = true;
      for (auto& c : counts_) c.reset();
    } else {
      Value(std::nullopt);
    }
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    --depth_;
    if (depth_ == 1) in_usage_ = false;
    return true;
  }
  bool on_array_begin(boost::system::error_code&) {
    Value(std::nullopt);
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t, boost::system::error_code&) {
    --depth_;
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
    std::string_view key(s.data(), s.size());
    if (!key_.empty()) {
      key_.append(key);
      key = key_;
    }
    if (depth_ == 1) {
      usage_key_ = key == "usage";
    } else if (depth_ == 2 && in_usage_) {
      field_ = key == "prompt_tokens"       ? 0
               : key == "completion_tokens" ? 1
               : key == "total_tokens"      ? 2
                                            : -1;
    }
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, boost::system::error_code&) {
    Value(std::nullopt);
    return true;
  }
  bool on_number_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
    Value(i < 0 ? std::nullopt : std::optional<std::uint64_t>(static_cast<std::uint64_t>(i)));
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
    Value(u);
    return true;
  }
  bool on_double(double d, json::string_view, boost::system::error_code&) {
    Value(CountOf(d));
    return true;
  }
  bool on_bool(bool, boost::system::error_code&) {
    Value(std::nullopt);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    Value(std::nullopt);
    return true;
  }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  // A value (other than the usage object itself) at the current depth: a
  // count when it is one of the usage object's members, and a "usage"
  // member that is not an object cancels the one before it.
  void Value(std::optional<std::uint64_t> count) {
    if (depth_ == 1 && usage_key_) {
      usage_is_object_ = false;
      usage_key_ = false;
    } else if (depth_ == 2 && in_usage_ && field_ >= 0) {
      counts_[field_] = count;
      field_ = -1;
    }
  }

  int depth_ = 0;  // objects and arrays open
  bool root_is_object_ = false;
  bool usage_key_ = false;  // the root object's current member is "usage"
  bool in_usage_ = false;   // inside that member's object (depth 2)
  int field_ = -1;          // the usage object's current member: 0-2, or -1
  bool usage_is_object_ = false;
  std::optional<std::uint64_t> counts_[3];
  std::string key_;  // a key that came in parts
};

// The usage of a JSON text, or nullopt; *valid says whether the text was
// one valid JSON object (when it is not, nothing is found).
std::optional<Usage> ParseUsage(std::string_view text, bool* valid = nullptr) {
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  json::basic_parser<UsageHandler> parser(opts);
  boost::system::error_code ec;
  std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
  bool ok = !ec && n == text.size() && parser.done() && parser.handler().root_is_object();
  if (valid != nullptr) *valid = ok;
  if (!ok) return std::nullopt;
  return parser.handler().usage();
}

// For a body too large to keep whole (or not valid JSON): the last
// `"usage": {...}` member in `text`, found by scanning. A quote preceded by
// a backslash is inside a string and is skipped.
std::optional<Usage> FindUsageInText(std::string_view text) {
  static constexpr std::string_view kKey = "\"usage\"";
  std::size_t pos = text.size();
  while (pos > 0) {
    pos = text.rfind(kKey, pos - 1);
    if (pos == std::string_view::npos) return std::nullopt;
    if (pos > 0 && text[pos - 1] == '\\') continue;
    std::size_t i = pos + kKey.size();
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size() || text[i] != '{') continue;
    // Match the braces of the object, minding strings and escapes.
    int depth = 0;
    bool in_string = false;
    std::size_t end = std::string_view::npos;
    for (std::size_t j = i; j < text.size() && depth <= kMaxDepth; ++j) {
      char c = text[j];
      if (in_string) {
        if (c == '\\') {
          ++j;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}' && --depth == 0) {
        end = j;
        break;
      }
    }
    if (end == std::string_view::npos) continue;
    std::string wrapped = "{\"usage\":";
    wrapped.append(text.substr(i, end - i + 1));
    wrapped += '}';
    if (auto u = ParseUsage(wrapped)) return u;
  }
  return std::nullopt;
}

// True when some `"usage"` in `data` is followed by ':' and '{'.
bool MayHoldUsage(std::string_view data) {
  static constexpr std::string_view kKey = "\"usage\"";
  for (std::size_t pos = data.find(kKey); pos != std::string_view::npos;
       pos = data.find(kKey, pos + 1)) {
    std::size_t i = pos + kKey.size();
    while (i < data.size() && std::isspace(static_cast<unsigned char>(data[i]))) ++i;
    if (i >= data.size() || data[i] != ':') continue;
    ++i;
    while (i < data.size() && std::isspace(static_cast<unsigned char>(data[i]))) ++i;
    if (i < data.size() && data[i] == '{') return true;
  }
  return false;
}

// The first '\r' or '\n' at or after `from`: memchr for the '\n' every
// line has, then for a '\r' only before it (linear, and fast on LF streams).
std::size_t FindLineEnd(std::string_view s, std::size_t from) {
  const char* begin = s.data() + from;
  std::size_t n = s.size() - from;
  const void* lf = std::memchr(begin, '\n', n);
  std::size_t lf_at = lf == nullptr ? n : static_cast<const char*>(lf) - begin;
  const void* cr = std::memchr(begin, '\r', lf_at);
  if (cr != nullptr) return from + (static_cast<const char*>(cr) - begin);
  return lf == nullptr ? std::string_view::npos : from + lf_at;
}

}  // namespace

std::uint64_t EstimateTokens(const boost::json::object& request, std::uint64_t default_max_tokens) {
  // The members it reads, found in one walk over the object (an object
  // holds each name once) rather than one lookup each.
  const json::value* messages = nullptr;
  const json::value* prompt = nullptr;
  const json::value* input = nullptr;
  const json::value* max_completion_tokens = nullptr;
  const json::value* max_tokens = nullptr;
  const json::value* n_choices = nullptr;
  const json::value* structured[3] = {nullptr, nullptr,
                                      nullptr};  // tools, functions, response_format
  for (const auto& kv : request) {
    std::string_view k = kv.key();
    const json::value* v = &kv.value();
    if (k == "messages") {
      messages = v;
    } else if (k == "prompt") {
      prompt = v;
    } else if (k == "input") {
      input = v;
    } else if (k == "max_completion_tokens") {
      max_completion_tokens = v;
    } else if (k == "max_tokens") {
      max_tokens = v;
    } else if (k == "n") {
      n_choices = v;
    } else if (k == "tools") {
      structured[0] = v;
    } else if (k == "functions") {
      structured[1] = v;
    } else if (k == "response_format") {
      structured[2] = v;
    }
  }
  PromptSize size;
  if (messages != nullptr && messages->is_array()) AddMessages(messages->get_array(), size);
  if (prompt != nullptr) AddPromptLike(*prompt, size);
  if (input != nullptr) AddPromptLike(*input, size);
  for (const json::value* v : structured) {
    if (v != nullptr) size.bytes = Add(size.bytes, StringBytes(*v));
  }
  std::uint64_t estimate = Add(size.tokens, size.bytes / 4 + (size.bytes % 4 != 0));

  // Embeddings produce no completion tokens.
  bool embeddings = input != nullptr && messages == nullptr && prompt == nullptr;
  if (embeddings) return estimate;
  std::uint64_t completion = default_max_tokens;
  if (auto m = AsCount(max_completion_tokens)) {
    completion = *m;
  } else if (auto m2 = AsCount(max_tokens)) {
    completion = *m2;
  }
  // Each of n choices may use the full completion budget.
  std::uint64_t n = AsCount(n_choices).value_or(1);
  n = std::clamp<std::uint64_t>(n, 1, 128);
  return Add(estimate, Mul(completion, n));
}

namespace {

// Buffers of finished scanners on this thread, for the next ones: a worker
// scans the responses of many requests at once, each needs its own.
constexpr std::size_t kKeepBytes = 64 * 1024;  // larger ones are freed
constexpr std::size_t kKeepBuffers = 64;
thread_local std::vector<std::string> t_spare;

void TakeSpare(std::string& to) {
  if (t_spare.empty()) return;
  to.swap(t_spare.back());
  t_spare.pop_back();
}

void GiveBack(std::string& from) {
  if (from.capacity() > kKeepBytes || from.capacity() <= std::string().capacity() ||
      t_spare.size() >= kKeepBuffers) {
    return;
  }
  from.clear();
  t_spare.push_back(std::move(from));
}

}  // namespace

UsageScanner::UsageScanner(bool event_stream, std::size_t max_buffer)
    : event_stream_(event_stream), max_buffer_(std::max<std::size_t>(max_buffer, 16)) {
  TakeSpare(buffer_);
  if (event_stream_) TakeSpare(data_);
}

UsageScanner::~UsageScanner() {
  GiveBack(buffer_);
  GiveBack(data_);
}

void UsageScanner::Feed(std::string_view bytes) {
  if (finished_) return;
  try {
    if (event_stream_) {
      FeedStream(bytes);
    } else {
      FeedPlain(bytes);
    }
  } catch (...) {
    // Only allocation failure can get here; give up on this response's usage
    // rather than let the proxy's I/O path see an exception.
    overflow_ = true;
    buffer_.clear();
    data_.clear();
    skip_line_ = skip_event_ = true;
  }
}

void UsageScanner::FeedPlain(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.size() > max_buffer_) {
    // Keep the tail, where responses put "usage"; trim to half so the copy
    // is amortised over many feeds.
    overflow_ = true;
    buffer_.erase(0, buffer_.size() - max_buffer_ / 2);
  }
}

void UsageScanner::FeedStream(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (last_cr_) {
      last_cr_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    std::size_t j = FindLineEnd(bytes, i);
    if (j == std::string_view::npos) {
      AppendLine(bytes.substr(i));
      return;
    }
    last_cr_ = bytes[j] == '\r';
    if (buffer_.empty() && !skip_line_ && j - i + data_.size() <= max_buffer_) {
      ProcessLine(bytes.substr(i, j - i));  // the whole line is here: no copy
    } else {
      AppendLine(bytes.substr(i, j - i));
      EndLine();
    }
    i = j + 1;
  }
}

void UsageScanner::AppendLine(std::string_view part) {
  if (skip_line_ || part.empty()) return;
  if (buffer_.size() + data_.size() + part.size() > max_buffer_) {
    overflow_ = true;
    skip_line_ = true;
    buffer_.clear();
    return;
  }
  buffer_.append(part);
}

void UsageScanner::EndLine() {
  if (skip_line_) {
    // The line was cut; its event is incomplete and must not be parsed.
    skip_line_ = false;
    skip_event_ = true;
    buffer_.clear();
    return;
  }
  ProcessLine(buffer_);
  buffer_.clear();
}

void UsageScanner::ProcessLine(std::string_view line) {
  if (line.empty()) {
    DispatchEvent();
    return;
  }
  if (line.front() != ':') {  // ':' starts a comment
    std::size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data" && !skip_event_) {
      if (data_.size() + value.size() + 1 > max_buffer_) {
        overflow_ = true;
        skip_event_ = true;
        data_.clear();
      } else {
        if (has_data_) data_ += '\n';
        data_.append(value);
        has_data_ = true;
      }
    }
  }
}

void UsageScanner::DispatchEvent() {
  if (has_data_ && !skip_event_) HandleData(data_);
  data_.clear();
  has_data_ = false;
  skip_event_ = false;
}

void UsageScanner::HandleData(std::string_view data) {
  if (data == "[DONE]") return;
  // Most chunks carry no usage, or "usage": null; skip the parse for them.
  if (!MayHoldUsage(data)) return;
  if (auto u = ParseUsage(data)) usage_ = u;
}

std::optional<Usage> UsageScanner::Finish() {
  if (finished_) return usage_;
  finished_ = true;
  try {
    if (event_stream_) {
      // A stream that ends without the final blank line still dispatches.
      if (!buffer_.empty() || skip_line_) EndLine();
      DispatchEvent();
    } else {
      bool parsed = false;
      if (!overflow_) usage_ = ParseUsage(buffer_, &parsed);
      // Only a body we could not parse whole is searched by text.
      if (!parsed) usage_ = FindUsageInText(buffer_);
      buffer_.clear();
      if (buffer_.capacity() > kKeepBytes) buffer_.shrink_to_fit();
    }
  } catch (...) {
    overflow_ = true;
  }
  return usage_;
}

}  // namespace rampart::gateway
