// Signed notes, checkpoints and key texts from untrusted sources.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/checkpoint.h"
#include "ledger/note.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::ledger;
  static const NoteVerifier verifier =
      *NoteVerifier::Parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto note = ParseNote(text);
  if (note) {
    auto cp = ParseCheckpointText(note->text);
    if (cp && ParseCheckpointText(cp->ToText())->size != cp->size) std::abort();
  }
  (void)OpenNote(text, verifier);
  (void)OpenCheckpoint(text, verifier);
  (void)ParseCheckpointText(text);
  (void)NoteVerifier::Parse(text);
  (void)NoteSigner::Parse(text);
  (void)IsValidKeyName(text);
  return 0;
}
