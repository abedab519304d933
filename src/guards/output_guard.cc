#include "guards/output_guard.h"

#include <spdlog/spdlog.h>

#include <deque>

namespace rampart::guards {
namespace {

constexpr std::array<std::string_view, kActionCount> kActionNames = {"off", "flag", "redact",
                                                                     "block"};

std::string ErrorObject(Detector d) {
  json::object e;
  e["message"] = "the response was stopped by a Rampart guard";
  e["type"] = "guard_blocked";
  e["code"] = std::string(DetectorName(d) == "canary" ? "canary_leak" : "sensitive_output");
  e["detector"] = std::string(DetectorName(d));
  json::object o;
  o["error"] = std::move(e);
  return ToJson(o);
}

std::string BlockedReason(Detector d) { return "guard blocked: " + std::string(DetectorName(d)); }

void NoteBlock(Detector d, OutputCounters* c) {
  if (c) c->blocked_responses.fetch_add(1, std::memory_order_relaxed);
  if (d == Detector::kCanary) spdlog::warn("guards: canary token leaked in a response; blocked");
}

// ---- a byte stream ----

class RawFilter : public ResponseFilter {
 public:
  RawFilter(const OutputPolicy* p, OutputCounters* c, ScanOptions o)
      : p_(p), c_(c), scanner_(std::move(o)) {}
  bool Feed(std::string_view in, std::string* out) override {
    segs_.clear();
    scanner_.Push(in, &segs_);
    return Apply(out);
  }
  void Finish(std::string* out) override {
    segs_.clear();
    scanner_.Finish(&segs_);
    (void)Apply(out);
  }
  std::string_view blocked_reason() const override { return reason_; }

 private:
  bool Apply(std::string* out) {
    if (!reason_.empty()) return false;
    std::string tmp;
    auto b = ApplySegments(segs_, *p_, c_, &tmp);
    if (b) {
      reason_ = BlockedReason(*b);
      NoteBlock(*b, c_);
      return false;  // ends here: what came before the match has gone out
    }
    out->append(tmp);
    return true;
  }
  const OutputPolicy* p_;
  OutputCounters* c_;
  StreamScanner scanner_;
  std::vector<Segment> segs_;
  std::string reason_;
};

// ---- a JSON body ----

class JsonFilter : public ResponseFilter {
 public:
  JsonFilter(const OutputPolicy* p, OutputCounters* c, ScanOptions o)
      : p_(p), c_(c), opts_(std::move(o)) {}
  bool Feed(std::string_view in, std::string* out) override {
    if (raw_) return raw_->Feed(in, out);
    body_.append(in);
    if (body_.size() <= p_->max_json_body) return true;
    // Too large to hold: stream it (a block then ends the body where it is).
    raw_ = std::make_unique<RawFilter>(p_, c_, opts_);
    std::string all = std::move(body_);
    return raw_->Feed(all, out);
  }
  void Finish(std::string* out) override {
    if (raw_) return raw_->Finish(out);
    // The parsed body lives for this call only: its members come from a
    // stack buffer (then heap blocks), released at once.
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    auto v = ParseJson(body_, {}, "", &mr);
    if (!v) {
      // Not JSON after all: scan it as text.
      RawFilter r(p_, c_, opts_);
      if (r.Feed(body_, out)) {
        r.Finish(out);
      } else {
        reason_ = std::string(r.blocked_reason());
        out->assign(ErrorBody());
      }
      return;
    }
    bool changed = false;
    if (auto b = GuardJsonStrings(*v, *p_, c_, &changed)) {
      reason_ = BlockedReason(*b);
      NoteBlock(*b, c_);
      blocked_ = *b;
      out->append(ErrorBody());
      return;
    }
    // Nothing redacted: the upstream's bytes as they came, not re-serialised.
    if (changed) {
      out->append(ToJson(*v));
    } else {
      out->append(body_);
    }
  }
  std::string_view blocked_reason() const override {
    return raw_ ? raw_->blocked_reason() : std::string_view(reason_);
  }

 private:
  std::string ErrorBody() const { return ErrorObject(blocked_); }
  const OutputPolicy* p_;
  OutputCounters* c_;
  ScanOptions opts_;
  std::string body_;
  std::unique_ptr<RawFilter> raw_;
  std::string reason_;
  Detector blocked_ = Detector::kCanary;
};

// ---- Server-Sent Events ----

class SseFilter : public ResponseFilter {
 public:
  SseFilter(const OutputPolicy* p, OutputCounters* c, ScanOptions o)
      : p_(p), c_(c), scanner_(std::move(o)) {}

  bool Feed(std::string_view in, std::string* out) override {
    if (!reason_.empty()) return false;
    raw_.append(in);
    while (true) {
      std::size_t lf = raw_.find("\n\n");
      std::size_t crlf = raw_.find("\r\n\r\n");
      std::size_t end, term;
      if (lf == std::string::npos && crlf == std::string::npos) break;
      if (crlf == std::string::npos || (lf != std::string::npos && lf < crlf)) {
        end = lf;
        term = 2;
      } else {
        end = crlf;
        term = 4;
      }
      std::string ev = raw_.substr(0, end);
      raw_.erase(0, end + term);
      if (!Event(std::move(ev))) return Block(out);
    }
    if (raw_.size() > p_->max_event_bytes) {
      blocked_ = Detector::kCanary;
      reason_ = "guard blocked: an event larger than the limit";
      return Terminal(out);
    }
    Release(false, out);
    return true;
  }

  void Finish(std::string* out) override {
    if (!reason_.empty()) return;
    if (!raw_.empty()) {
      // A last event without its blank line.
      std::string ev = std::move(raw_);
      raw_.clear();
      while (!ev.empty() && (ev.back() == '\n' || ev.back() == '\r')) ev.pop_back();
      if (!Event(std::move(ev))) {
        Block(out);
        return;
      }
    }
    segs_.clear();
    scanner_.Finish(&segs_);
    if (!Distribute()) {
      Block(out);
      return;
    }
    Release(true, out);
  }

  std::string_view blocked_reason() const override { return reason_; }

 private:
  struct Held {
    json::value v;       // the event's JSON data (content events)
    std::string raw;     // other events, as received
    std::string prefix;  // a JSON event's other lines (event:, id:, ...), each with "\n"
    bool content = false;
    bool chat = true;                  // delta.content (chat) or text (completions)
    std::uint64_t begin = 0, end = 0;  // its text in the content stream
    std::string text;                  // the decided (redacted) text so far
  };

  // Parses one event; false if it must block.
  bool Event(std::string ev) {
    Held h;
    std::string_view data;
    std::size_t data_lines = 0;
    for (std::size_t pos = 0; pos <= ev.size();) {
      std::size_t nl = ev.find('\n', pos);
      std::string_view line =
          std::string_view(ev).substr(pos, (nl == std::string::npos ? ev.size() : nl) - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.starts_with("data:")) {
        data = line.substr(5);
        if (data.starts_with(" ")) data.remove_prefix(1);
        ++data_lines;
      } else {
        h.prefix.append(line);
        h.prefix.push_back('\n');
      }
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    if (data_lines == 1 && data.starts_with("{")) {
      if (auto v = ParseJson(data)) {
        if (!h.prefix.empty()) {
          std::string storage, rewritten;
          auto segs = ScanText(h.prefix, scanner_options(), &storage);
          if (auto b = ApplySegments(segs, *p_, c_, &rewritten)) return Blocked(*b);
          h.prefix = std::move(rewritten);
        }
        h.v = std::move(*v);
        json::string* text = ContentOf(h.v, &h.chat);
        if (text) {
          std::string t(text->c_str(), text->size());
          *text = "";
          // The other string fields, within this event.
          if (auto b = GuardJsonStrings(h.v, *p_, c_)) return Blocked(*b);
          h.content = true;
          h.begin = fed_;
          fed_ += t.size();
          h.end = fed_;
          held_.push_back(std::move(h));
          segs_.clear();
          scanner_.Push(t, &segs_);
          return Distribute();
        }
        if (auto b = GuardJsonStrings(h.v, *p_, c_)) return Blocked(*b);
        h.raw = h.prefix + "data: " + ToJson(h.v);
        held_.push_back(std::move(h));
        return true;
      }
    }
    // Not JSON (e.g. [DONE], comments): scanned on its own.
    std::string storage, rewritten;
    auto segs = ScanText(ev, scanner_options(), &storage);
    if (auto b = ApplySegments(segs, *p_, c_, &rewritten)) return Blocked(*b);
    h.raw = std::move(rewritten);
    held_.push_back(std::move(h));
    return true;
  }

  ScanOptions scanner_options() const {
    ScanOptions o;
    for (std::size_t k = 0; k < kDetectorCount; ++k)
      o.enabled.set(k, p_->actions[k] != Action::kOff);
    o.canary = p_->canary;
    o.max_hold_back = p_->max_hold_back;
    return o;
  }

  static json::string* ContentOf(json::value& v, bool* chat) {
    auto* o = v.if_object();
    if (!o) return nullptr;
    auto* ch = o->if_contains("choices");
    if (!ch || !ch->is_array() || ch->as_array().empty()) return nullptr;
    auto* c0 = ch->as_array()[0].if_object();
    if (!c0) return nullptr;
    if (auto* d = c0->if_contains("delta"); d && d->is_object()) {
      if (auto* t = d->as_object().if_contains("content"); t && t->is_string()) {
        *chat = true;
        return &t->as_string();
      }
    }
    if (auto* t = c0->if_contains("text"); t && t->is_string()) {
      *chat = false;
      return &t->as_string();
    }
    return nullptr;
  }

  // Gives the decided segments' text to the held events they came from.
  bool Distribute() {
    for (const Segment& s : segs_) {
      Action a = s.match ? p_->actions[static_cast<std::size_t>(*s.match)] : Action::kOff;
      if (s.match) {
        c_->matches[static_cast<std::size_t>(*s.match)][static_cast<std::size_t>(a)].fetch_add(
            1, std::memory_order_relaxed);
        if (a == Action::kBlock) return Blocked(*s.match);
      }
      for (Held& h : held_) {
        if (!h.content || h.end <= s.begin || h.begin >= s.end) continue;
        if (a == Action::kRedact) {
          if (h.begin <= s.begin) h.text += RedactionMarker(*s.match);
          continue;
        }
        std::uint64_t from = std::max(h.begin, s.begin), to = std::min(h.end, s.end);
        h.text.append(s.text.substr(from - s.begin, to - from));
      }
    }
    return true;
  }

  // Sends the events whose text is decided, in order.
  void Release(bool all, std::string* out) {
    std::uint64_t decided = scanner_.decided();
    while (!held_.empty()) {
      Held& h = held_.front();
      if (h.content) {
        if (!all && h.end > decided) break;
        json::object& c0 = h.v.as_object()["choices"].as_array()[0].as_object();
        if (h.chat) {
          c0["delta"].as_object()["content"] = h.text;
        } else {
          c0["text"] = h.text;
        }
        out->append(h.prefix + "data: " + ToJson(h.v) + "\n\n");
      } else {
        out->append(h.raw + "\n\n");
      }
      held_.pop_front();
    }
  }

  bool Blocked(Detector d) {
    blocked_ = d;
    reason_ = BlockedReason(d);
    NoteBlock(d, c_);
    return false;
  }
  bool Block(std::string* out) { return Terminal(out); }
  bool Terminal(std::string* out) {
    // What was decided before the leak may go; the rest is dropped.
    held_.clear();
    out->append("data: " + ErrorObject(blocked_) + "\n\ndata: [DONE]\n\n");
    return false;
  }

  const OutputPolicy* p_;
  OutputCounters* c_;
  StreamScanner scanner_;
  std::string raw_;  // bytes of the event being received
  std::deque<Held> held_;
  std::vector<Segment> segs_;
  std::uint64_t fed_ = 0;
  std::string reason_;
  Detector blocked_ = Detector::kCanary;
};

}  // namespace

std::string_view ActionName(Action a) { return kActionNames[static_cast<std::size_t>(a)]; }

std::optional<Action> ActionByName(std::string_view name) {
  for (std::size_t k = 0; k < kActionCount; ++k) {
    if (kActionNames[k] == name) return static_cast<Action>(k);
  }
  return std::nullopt;
}

std::string RedactionMarker(Detector d) {
  return "[REDACTED:" + std::string(DetectorName(d)) + "]";
}

OutputGuard::OutputGuard(OutputPolicy p)
    : policy_(std::move(p)), counters_(std::make_shared<OutputCounters>()) {
  if (policy_.canary.empty()) policy_.actions[static_cast<std::size_t>(Detector::kCanary)] = {};
}

ScanOptions OutputGuard::scan_options() const {
  ScanOptions o;
  for (std::size_t k = 0; k < kDetectorCount; ++k)
    o.enabled.set(k, policy_.actions[k] != Action::kOff);
  o.canary = policy_.canary;
  o.max_hold_back = policy_.max_hold_back;
  return o;
}

std::unique_ptr<ResponseFilter> OutputGuard::NewFilter(int status,
                                                       std::string_view content_type) const {
  ScanOptions o = scan_options();
  // Every status: an upstream error body may echo the prompt, canary included.
  if (o.enabled.none()) return nullptr;
  std::string_view ct = content_type.substr(0, content_type.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  if (ct == "text/event-stream") return std::make_unique<SseFilter>(&policy_, counters_.get(), o);
  if (ct == "application/json" || ct.ends_with("+json"))
    return std::make_unique<JsonFilter>(&policy_, counters_.get(), o);
  return std::make_unique<RawFilter>(&policy_, counters_.get(), o);
}

std::optional<Detector> ApplySegments(const std::vector<Segment>& segs, const OutputPolicy& p,
                                      OutputCounters* c, std::string* out) {
  for (const Segment& s : segs) {
    if (!s.match) {
      out->append(s.text);
      continue;
    }
    Action a = p.actions[static_cast<std::size_t>(*s.match)];
    if (c) {
      c->matches[static_cast<std::size_t>(*s.match)][static_cast<std::size_t>(a)].fetch_add(
          1, std::memory_order_relaxed);
    }
    if (a == Action::kBlock) return *s.match;
    if (a == Action::kRedact) {
      out->append(RedactionMarker(*s.match));
    } else {
      out->append(s.text);
    }
  }
  return std::nullopt;
}

namespace {

// What GuardJsonStrings needs for every string of one value: the options,
// one scanner and the buffers, made once rather than per string.
struct JsonStrings {
  const OutputPolicy& p;
  OutputCounters* c;
  StreamScanner scanner;
  std::vector<Segment> segs;
  std::string storage, rewritten;
  bool changed = false;

  static ScanOptions Options(const OutputPolicy& p) {
    ScanOptions o;
    for (std::size_t k = 0; k < kDetectorCount; ++k) o.enabled.set(k, p.actions[k] != Action::kOff);
    o.canary = p.canary;
    o.max_hold_back = p.max_hold_back;
    if (o.canary.empty()) o.enabled.reset(static_cast<std::size_t>(Detector::kCanary));
    return o;
  }
  JsonStrings(const OutputPolicy& policy, OutputCounters* counters)
      : p(policy), c(counters), scanner(Options(policy)) {}

  std::optional<Detector> Guard(json::value& v) {
    if (auto* s = v.if_string()) {
      ScanText(std::string_view(s->data(), s->size()), &scanner, &storage, &segs);
      bool any = false;
      for (const auto& seg : segs) any |= seg.match.has_value();
      if (!any) return std::nullopt;
      rewritten.clear();
      if (auto b = ApplySegments(segs, p, c, &rewritten)) return b;
      if (std::string_view(rewritten) != std::string_view(s->data(), s->size())) {
        *s = rewritten;
        changed = true;
      }
      return std::nullopt;
    }
    if (auto* a = v.if_array()) {
      for (auto& e : *a) {
        if (auto b = Guard(e)) return b;
      }
    } else if (auto* o = v.if_object()) {
      for (auto& kv : *o) {
        if (auto b = Guard(kv.value())) return b;
      }
    }
    return std::nullopt;
  }
};

}  // namespace

std::optional<Detector> GuardJsonStrings(json::value& v, const OutputPolicy& p, OutputCounters* c,
                                         bool* changed) {
  JsonStrings g(p, c);
  auto b = g.Guard(v);
  if (changed) *changed = g.changed;
  return b;
}

}  // namespace rampart::guards
