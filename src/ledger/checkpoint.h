// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text of a
// log's signed tree head, exactly
//
//   <origin>\n
//   <tree size, ASCII decimal, no leading zeros>\n
//   <base64 root hash>\n
//   [<extension line>\n]...
//
// signed as a C2SP signed note (note.h). See docs/formats/checkpoint.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace rampart::ledger {

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // opaque, non-empty lines; Rampart writes none

  std::string ToText() const;
};

// Parses a checkpoint note text (without signatures). InvalidArgument naming
// the line that is wrong.
Result<Checkpoint> ParseCheckpointText(std::string_view text);

// Signs `cp` with `signer` and returns the signed note.
Result<std::string> SignCheckpoint(const Checkpoint& cp, const NoteSigner& signer);

// Verifies the signed note with `verifier` and parses its checkpoint. The
// origin must equal the verifier's key name (Rampart's logs sign with a key
// named after the origin), unless `expected_origin` is given.
Result<Checkpoint> OpenCheckpoint(std::string_view signed_note, const NoteVerifier& verifier,
                                  std::string_view expected_origin = "");

}  // namespace rampart::ledger
