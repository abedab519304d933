// Untrusted prompt text through the normaliser (guards/normalize.h): any
// bytes give valid UTF-8 without invisible controls, and the decoded
// payloads stay within their bounds; never a crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "guards/normalize.h"

namespace {

// Valid UTF-8 (shortest forms, no surrogates, <= U+10FFFF), and none of the
// code points FoldText drops.
bool CleanUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80                 ? 0
            : c >= 0xC2 && c <= 0xDF ? 1
            : c >= 0xE0 && c <= 0xEF ? 2
            : c >= 0xF0 && c <= 0xF4 ? 3
                                     : -1;
    if (n < 0 || i + static_cast<std::size_t>(n) >= s.size()) return false;
    char32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || cp == 0xFEFF ||
        (cp >= 0xE0000 && cp <= 0xE007F))
      return false;
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string folded = rampart::guards::FoldText(text);
  if (!CleanUtf8(folded)) std::abort();
  auto payloads = rampart::guards::DecodedPayloads(folded);
  if (payloads.size() > rampart::guards::kMaxPayloads) std::abort();
  std::size_t total = 0;
  for (const std::string& p : payloads) total += p.size();
  if (total > 2 * folded.size()) std::abort();
  return 0;
}
