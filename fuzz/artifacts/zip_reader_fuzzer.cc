// Fuzzes the lenient zip reader and member streams (stored and deflate).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "artifacts/zip_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  auto blob = MemoryBlob::View(std::string_view(reinterpret_cast<const char*>(data), size));
  ZipLimits lim;
  lim.max_entries = 256;
  auto z = ZipReader::Open(blob.get(), lim);
  if (!z) return 0;
  std::uint8_t buf[4096];
  for (const auto& e : z->entries()) {
    auto s = z->OpenEntry(e, 1 << 20);
    if (!s) continue;
    CrcCheckingStream cs(std::move(*s));
    for (int i = 0; i < 512; ++i) {
      auto got = cs.Read(buf, sizeof buf);
      if (!got || *got == 0) break;
    }
  }
  return 0;
}
