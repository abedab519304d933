#include "guards/stream_scanner.h"

#include <algorithm>

namespace rampart::guards {

namespace {

// Which detectors may start at each byte, the canary apart (its first byte is
// per deployment): the same for every scanner, so computed once. A scanner
// is made per response, and building this per scanner was most of what the
// output guards cost a request.
const std::array<std::uint16_t, 256>& StartTable() {
  static const std::array<std::uint16_t, 256> table = [] {
    std::array<std::uint16_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
      for (std::size_t k = 0; k < kDetectorCount; ++k) {
        auto d = static_cast<Detector>(k);
        if (d != Detector::kCanary && MayStartWith(d, static_cast<char>(c)))
          t[static_cast<std::size_t>(c)] |= static_cast<std::uint16_t>(1u << k);
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

StreamScanner::StreamScanner(ScanOptions o) : o_(std::move(o)) {
  o_.max_hold_back = std::max<std::size_t>(o_.max_hold_back, 64);
  if (o_.canary.empty()) o_.enabled.reset(static_cast<std::size_t>(Detector::kCanary));
  static_assert(kDetectorCount <= 16);
  std::uint16_t enabled = 0;
  for (std::size_t k = 0; k < kDetectorCount; ++k) {
    if (o_.enabled.test(k)) enabled |= static_cast<std::uint16_t>(1u << k);
  }
  const auto& table = StartTable();
  for (std::size_t c = 0; c < 256; ++c) starts_[c] = table[c] & enabled;
  const auto canary = static_cast<std::size_t>(Detector::kCanary);
  if (o_.enabled.test(canary) && MayStartWith(Detector::kCanary, o_.canary[0], o_.canary)) {
    starts_[static_cast<unsigned char>(o_.canary[0])] |= static_cast<std::uint16_t>(1u << canary);
  }
}

void StreamScanner::Reset() {
  buf_.clear();
  emitted_.clear();
  base_ = 0;
  prev_ = 0;
}

void StreamScanner::Push(std::string_view piece, std::vector<Segment>* out) {
  buf_.append(piece);
  Decide(false, out);
}

void StreamScanner::Finish(std::vector<Segment>* out) { Decide(true, out); }

void StreamScanner::Decide(bool final, std::vector<Segment>* out) {
  std::string_view b = buf_;
  // Decided segments as [begin, end) in buf_; turned into views at the end.
  std::vector<Cut>& cuts = cuts_;
  cuts.clear();
  std::size_t i = 0, plain = 0;
  while (i < b.size()) {
    // Past the hold-back bound, the detectors decide on what they have.
    bool force = final || b.size() - i > o_.max_hold_back;
    char prev = i > 0 ? b[i - 1] : prev_;
    MatchResult best;
    std::optional<Detector> best_d;
    bool undecided = false;
    std::uint16_t may = starts_[static_cast<unsigned char>(b[i])];
    if (may == 0) {
      ++i;
      continue;
    }
    for (std::size_t k = 0; k < kDetectorCount; ++k) {
      if ((may & (1u << k)) == 0) continue;
      auto d = static_cast<Detector>(k);
      MatchResult r = MatchAt(d, b, i, prev, force, o_.canary);
      if (r.state == MatchResult::State::kNeedMore) {
        undecided = true;
        break;
      }
      // The longest match wins; on a tie, the first detector (secrets first).
      if (r.state == MatchResult::State::kMatch &&
          (!best_d || r.end > best.end || (r.end == best.end && r.begin < best.begin))) {
        best = r;
        best_d = d;
      }
    }
    if (undecided) break;
    if (best_d && best.end > best.begin) {
      if (best.begin > plain) cuts.push_back({plain, best.begin, std::nullopt});
      cuts.push_back({best.begin, best.end, best_d});
      i = plain = best.end;
      continue;
    }
    ++i;
  }
  if (i > plain) cuts.push_back({plain, i, std::nullopt});
  if (i == 0) return;
  emitted_.assign(buf_, 0, i);
  for (const Cut& c : cuts) {
    out->push_back(Segment{base_ + c.begin, base_ + c.end, c.match,
                           std::string_view(emitted_).substr(c.begin, c.end - c.begin)});
  }
  prev_ = buf_[i - 1];
  buf_.erase(0, i);
  base_ += i;
}

std::vector<Segment> ScanText(std::string_view text, const ScanOptions& o, std::string* storage) {
  StreamScanner s(o);
  std::vector<Segment> out;
  ScanText(text, &s, storage, &out);
  return out;
}

void ScanText(std::string_view text, StreamScanner* s, std::string* storage,
              std::vector<Segment>* out) {
  s->Reset();
  out->clear();
  s->Push(text, out);
  // Views point into the scanner's latest batch: copy each batch out.
  storage->clear();
  for (const auto& seg : *out) storage->append(seg.text);
  std::size_t first_batch = out->size();
  s->Finish(out);
  for (std::size_t k = first_batch; k < out->size(); ++k) storage->append((*out)[k].text);
  std::size_t pos = 0;
  for (auto& seg : *out) {
    seg.text = std::string_view(*storage).substr(pos, seg.text.size());
    pos += seg.text.size();
  }
}

}  // namespace rampart::guards
