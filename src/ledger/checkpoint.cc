#include "ledger/checkpoint.h"

#include <charconv>
#include <cstring>

#include "core/encoding.h"

namespace rampart::ledger {

std::string Checkpoint::ToText() const {
  std::string s = origin + "\n" + std::to_string(size) + "\n" +
                  Base64Encode(std::span<const std::uint8_t>(root.data(), root.size())) + "\n";
  for (const std::string& e : extensions) s += e + "\n";
  return s;
}

Result<Checkpoint> ParseCheckpointText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return InvalidArgumentError("checkpoint: text must end with a newline");
  }
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) return InvalidArgumentError("checkpoint: want at least 3 lines");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return InvalidArgumentError("checkpoint: line " + std::to_string(i + 1) + " is empty");
    }
  }
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  std::string_view size = lines[1];
  if ((size.size() > 1 && size[0] == '0') || size.size() > 20) {
    return InvalidArgumentError("checkpoint: line 2: tree size '" + std::string(size) +
                                "' has leading zeros or is too long");
  }
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), cp.size);
  if (ec != std::errc() || end != size.data() + size.size()) {
    return InvalidArgumentError("checkpoint: line 2: tree size '" + std::string(size) +
                                "' is not a decimal number");
  }
  auto root = Base64Decode(lines[2]);
  if (!root) return InvalidArgumentError("checkpoint: line 3: " + root.error().message());
  if (root->size() != kHashSize) {
    return InvalidArgumentError("checkpoint: line 3: root hash is " + std::to_string(root->size()) +
                                " bytes, want 32");
  }
  std::memcpy(cp.root.data(), root->data(), kHashSize);
  for (std::size_t i = 3; i < lines.size(); ++i) cp.extensions.emplace_back(lines[i]);
  return cp;
}

Result<std::string> SignCheckpoint(const Checkpoint& cp, const NoteSigner& signer) {
  if (cp.origin.empty() || cp.origin.find('\n') != std::string::npos) {
    return InvalidArgumentError("checkpoint origin must be one non-empty line");
  }
  return SignNote(cp.ToText(), signer);
}

Result<Checkpoint> OpenCheckpoint(std::string_view signed_note, const NoteVerifier& verifier,
                                  std::string_view expected_origin) {
  RAMPART_ASSIGN_OR_RETURN(Note note, OpenNote(signed_note, verifier));
  RAMPART_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointText(note.text));
  std::string_view want =
      expected_origin.empty() ? std::string_view(verifier.name()) : expected_origin;
  if (cp.origin != want) {
    return UnauthenticatedError("checkpoint origin '" + cp.origin + "' is not '" +
                                std::string(want) + "'");
  }
  return cp;
}

}  // namespace rampart::ledger
