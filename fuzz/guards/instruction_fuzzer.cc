// Untrusted documents through the planted-instruction detector's segmenter
// and scorer: segments ordered, inside the text, bounded, holding a letter;
// a score in [0, 1] naming a segment of the text; redaction leaving the
// text unchanged when nothing scores above the threshold. Any bytes
// (invalid UTF-8, unterminated tags and comments, megabyte lines), never a
// crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "guards/instruction.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::guards;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t last = 0;
  for (const TextSegment& s : SegmentDocument(text)) {
    if (s.begin < last || s.begin >= s.end || s.end > size) std::abort();
    if (s.end - s.begin > kMaxSegmentBytes) std::abort();
    last = s.end;
  }
  InstructionVerdict v = JudgeInstructions(text);
  if (!(v.score >= 0.0 && v.score <= 1.0)) std::abort();
  if (v.offset + v.length > size) std::abort();
  std::size_t n = 0;
  std::string r = RedactInstructions(text, kInstructionThreshold, "[x]", &n);
  if (n == 0 && r != text) std::abort();
  if ((v.score >= kInstructionThreshold) != (n != 0)) std::abort();
  return 0;
}
