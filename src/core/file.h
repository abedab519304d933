// Files: bounded reads and all-or-nothing writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace rampart {

inline constexpr std::uint64_t kDefaultMaxFileSize = 256ull << 20;  // 256 MiB

// Reads a whole file. NotFound if missing, InvalidArgument if it is a
// directory or larger than `max_size`; the message names the path.
Result<std::string> ReadFile(const std::filesystem::path& path,
                             std::uint64_t max_size = kDefaultMaxFileSize);

// Writes `data` to a temporary file beside `path`, fsyncs it, renames it over
// `path` and fsyncs the directory: readers see the old or the new content,
// never a partial write. `mode` applies to a newly created file.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data,
                       unsigned mode = 0644);

}  // namespace rampart
