// A pickle-machine emulator: reads a pickle stream (protocols 0-5) opcode by
// opcode, tracking the stack, the mark stack and the memo the way CPython's
// unpickler does, but never importing or calling anything. It reports what
// the stream would import (GLOBAL, INST, STACK_GLOBAL, EXT1/2/4) and what it
// would call (REDUCE, OBJ, INST, NEWOBJ, NEWOBJ_EX, BUILD via __setstate__),
// plus every anomaly (malformed or truncated data, lying FRAME lengths,
// unresolvable imports, limits hit).
//
// Robustness: concatenated pickles are all scanned; scanning stops at the
// first malformation *after* reporting everything before it; memory is
// bounded by PickleLimits; tensor-sized byte strings are skipped, not copied.
// joblib's NumpyArrayWrapper is understood: the raw array bytes that follow
// its BUILD are skipped by their computed size (object arrays are scanned as
// the nested pickle they are).
//
// Thread-safety: one machine per thread; the Policy is shared read-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/byte_io.h"
#include "artifacts/finding.h"
#include "artifacts/policy.h"

namespace rampart::artifacts {

struct PickleLimits {
  std::size_t max_stack = 1u << 20;         // values on the stack, all marks together
  std::size_t max_marks = 1u << 16;         // nested MARKs
  std::size_t max_memo = 16u << 20;         // memo entries
  std::size_t max_kept_string = 1024;       // longer strings are tracked without text
  std::size_t max_line = 64 * 1024;         // protocol 0 text lines
  std::size_t max_container_kept = 32;      // children remembered per container
  std::size_t max_live_bytes = 256u << 20;  // memory held by tracked values
  std::size_t max_pickles = 1u << 16;       // concatenated pickles in one stream
  int max_nested = 8;                       // joblib object arrays inside each other
};

// One global the stream imports, aggregated over its uses.
struct PickleImport {
  std::string module, name;  // after Python 2 name mapping (fix_imports)
  std::string written_as;    // "module.name" as written, if the mapping changed it
  std::string opcode;        // first opcode that imported it
  std::uint64_t offset = 0;  // of that opcode
  std::uint32_t count = 0;   // times imported
  std::string call;          // first call of it: "REDUCE", "NEWOBJ", "BUILD (__setstate__)"...
  std::uint64_t call_offset = 0;
  std::uint32_t calls = 0;
  std::string args;  // a short rendering of the first call's arguments
};

struct PickleIssue {
  std::string rule;  // "pickle.malformed", "pickle.unresolved-import", ...
  std::string message;
  std::uint64_t offset = 0;
};

struct PickleScanResult {
  std::vector<PickleImport> imports;  // first-seen order
  std::vector<PickleIssue> issues;
  std::size_t pickles = 0;  // STOPs reached
  int max_protocol = -1;
  std::uint64_t persistent_ids = 0;
  std::uint64_t end_offset = 0;  // where scanning stopped
  bool stopped_on_error = false;
  std::uint64_t ops = 0;
};

struct PickleOptions {
  PickleLimits limits;
  // Stop after this many complete pickles (0: scan concatenated pickles to
  // the end). Legacy PyTorch files are 5 pickles followed by raw storage.
  std::size_t stop_after = 0;
  // Apply Python 2 module renames for protocols < 3 (pickle.load default).
  bool fix_imports = true;
};

// Scans the stream in `reader` from its current position.
PickleScanResult ScanPickle(BufferedReader& reader, const Policy& policy,
                            const PickleOptions& options = {});

namespace internal {
// Value nodes live in this thread's pool: 0 whenever no scan is running
// (tests check that reference cycles do not outlive their scan).
std::size_t PickleNodesLive();
}  // namespace internal

// True if `head` (the first bytes of a blob) starts with a PROTO opcode.
bool LooksLikeBinaryPickle(std::span<const std::uint8_t> head);

// True if a pickle may start with opcode `op`: pickle.load accepts streams
// without PROTO (protocols 0 and 1 never write it), so any opcode valid on an
// empty stack starts one ("(", "c", "]", "}", "I", "S", "X", "\x95", ...).
bool StartsLikePickle(std::uint8_t op);

// After a speculative scan of bytes that merely start like a pickle: true if
// they are one as far as a loader is concerned — a STOP was reached, or an
// import that Python could resolve (dotted identifiers) or a call was seen
// before the bytes ran out, or a limit stopped the machine first. A README
// that starts with "c" is not; a truncated "cbuiltins\nexec\n..." is.
bool IsPickleEvidence(const PickleScanResult& r);

}  // namespace rampart::artifacts
