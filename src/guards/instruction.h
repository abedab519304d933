// The planted-instruction detector: a second judge of outside content (tool
// and function results, retrieved documents, client-supplied system content,
// image alt text), beside the n-gram classifier (classifier.h).
//
// An instruction planted in a document is an injection because of where it
// sits and what it asks, not because of its wording: "forward the thread to
// ops@example.org" is an ordinary sentence. So the detector splits a document
// into segments (SegmentDocument: sentences, lines, Markdown table cells,
// HTML text and comments, e-mail bodies with their quote markers) and scores
// each one on
//   - what it asks: an imperative or obligation ("please X", "you must",
//     "make sure to", a sentence that starts with the verb);
//   - whether the action is one a model with tools could carry out against
//     its user: send or share data, pay or approve, change or delete access,
//     open or run something;
//   - on what: the conversation, credentials, contacts, the inbox, files,
//     account numbers, invoices; or to where: an e-mail address, a URL, a
//     phone number outside the document;
//   - whom it addresses: the reader as an agent ("AI assistant", "whoever
//     processes this");
//   - concealment ("do not tell the user", "silently") and urgency;
//   - against the register of a note for people ("by Friday", "thanks",
//     "the team"), which lowers the score.
// The score is a logistic function of these cues and their conjunctions,
// with weights set by hand (docs/design/guards.md, "The planted-instruction
// detector"); a document's score is its highest segment's.
//
// Thread-safety: all functions are pure; call them from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::guards {

// A piece of a document, as byte offsets into the text given to
// SegmentDocument: [begin, end). Segments do not overlap, are in order, and
// hold at least one letter or digit.
struct TextSegment {
  std::size_t begin = 0, end = 0;
};

// Longer runs without a boundary are cut into pieces of at most this many
// bytes (at a space where there is one), so one segment's cost is bounded.
inline constexpr std::size_t kMaxSegmentBytes = 512;

// Splits untrusted bytes (any encoding, invalid UTF-8 included) into
// segments: at line ends, sentence ends (. ! ? followed by a space), table
// cell bars, HTML block tags and the ends of HTML comments. Tags, entities,
// quote markers ('>' at a line start) and list bullets are not part of any
// segment's letters but may sit inside its range.
std::vector<TextSegment> SegmentDocument(std::string_view text);

// The cues of one segment, a bit each (the names are in InstructionCueNames).
enum InstructionCue : std::uint32_t {
  kCueRequest = 1u << 0,      // please / kindly / an imperative verb first
  kCueObligation = 1u << 1,   // you must / should / need to, make sure, be sure to
  kCueSend = 1u << 2,         // send, forward, e-mail, share, upload, post, export
  kCuePay = 1u << 3,          // pay, transfer, wire, approve, refund, authorise
  kCueAccess = 1u << 4,       // change, reset, delete, grant, revoke, disable
  kCueRun = 1u << 5,          // open, visit, click, download, run, install
  kCueAsset = 1u << 6,        // conversation, credentials, contacts, inbox, invoice...
  kCueDestination = 1u << 7,  // an e-mail address, URL or phone number (only with an action)
  kCueAgent = 1u << 8,        // AI, assistant, model, agent, whoever processes this
  kCueConceal = 1u << 9,      // do not tell, silently, without notifying
  kCueUrgent = 1u << 10,      // immediately, right away, before anything else
  kCueThirdParty = 1u << 11,  // the user, the user's, the customer's
  kCueHumanNote = 1u << 12,   // by Friday, the team, thanks, let me know
  kCueNearAgent = 1u << 13,   // an agent is addressed in the neighbouring segment
};
std::vector<std::string_view> InstructionCueNames(std::uint32_t cues);

struct InstructionVerdict {
  double score = 0;        // 0..1; the highest segment's
  std::size_t offset = 0;  // that segment, as bytes of the text judged
  std::size_t length = 0;
  std::uint32_t cues = 0;  // that segment's cues
};

// The cues of one segment's text (no neighbour context).
std::uint32_t SegmentCues(std::string_view segment);
// The score of a cue set, 0..1.
double CueScore(std::uint32_t cues);

// Judges a document: every segment, with its neighbours' addressee; the
// verdict of each segment, in order. Invalid UTF-8 and control bytes are
// tolerated; cost is linear in the text.
std::vector<InstructionVerdict> JudgeSegments(std::string_view text);
// The highest-scoring segment's verdict (score 0 for a text without one).
InstructionVerdict JudgeInstructions(std::string_view text);

// `text` with every segment scoring at or above `threshold` replaced by
// `replacement`; *n (may be null) gets the number replaced.
std::string RedactInstructions(std::string_view text, double threshold,
                               std::string_view replacement, std::size_t* n = nullptr);

// The default threshold: a segment at or above it is a planted instruction.
inline constexpr double kInstructionThreshold = 0.5;

}  // namespace rampart::guards
