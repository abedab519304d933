// Finds detector matches (detectors.h) in a byte stream that arrives in
// pieces, holding back only what is still undecided.
//
// The scanner keeps the bytes from the first position at which some
// detector answered "need more" (a candidate cut by the end of the piece);
// everything before it is decided and handed out as segments: plain text,
// or a match with its detector. A match split across pieces — at any byte
// boundary — is therefore seen whole. The hold-back is bounded by
// `max_hold_back`: when the undecided tail grows past it, the detectors are
// asked to decide on what they have (a candidate longer than the bound is
// cut there).
//
// Segments cover the input without gaps or overlaps, in order; offsets are
// positions in the whole stream. Not thread-safe: one scanner per stream.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "guards/detectors.h"

namespace rampart::guards {

struct ScanOptions {
  std::bitset<kDetectorCount> enabled;  // detectors to run
  std::string canary;                   // kCanary's token ("" = none)
  std::size_t max_hold_back = 8192;     // bytes, at least 64
};

struct Segment {
  std::uint64_t begin = 0;  // in the stream
  std::uint64_t end = 0;
  std::optional<Detector> match;  // nullopt: plain text
  std::string_view text;          // valid until the next Push/Take
};

class StreamScanner {
 public:
  explicit StreamScanner(ScanOptions o);

  // Appends the next piece and appends the segments now decided to *out.
  void Push(std::string_view piece, std::vector<Segment>* out);
  // The stream ended: decides and hands out everything held back.
  void Finish(std::vector<Segment>* out);

  // Starts a new stream with the same options, keeping the buffers' memory.
  void Reset();

  std::size_t held() const { return buf_.size(); }
  std::uint64_t decided() const { return base_; }  // stream offset of the first held byte

 private:
  void Decide(bool final, std::vector<Segment>* out);

  // A decided segment as [begin, end) in buf_, before it becomes a view.
  struct Cut {
    std::size_t begin, end;
    std::optional<Detector> match;
  };

  ScanOptions o_;
  // Per first byte, the enabled detectors a match may start with.
  std::array<std::uint16_t, 256> starts_{};
  std::string buf_;         // undecided bytes
  std::string emitted_;     // the bytes the last segments point into
  std::uint64_t base_ = 0;  // stream offset of buf_[0]
  char prev_ = 0;           // the byte before buf_[0]
  std::vector<Cut> cuts_;   // Decide's, kept for its memory
};

// Scans a whole text at once (documents, prompts): every match.
std::vector<Segment> ScanText(std::string_view text, const ScanOptions& o, std::string* storage);
// The same with a scanner made once for many texts (*s is reset first): the
// segments replace *out.
void ScanText(std::string_view text, StreamScanner* s, std::string* storage,
              std::vector<Segment>* out);

}  // namespace rampart::guards
