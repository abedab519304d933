// safetensors: an 8-byte little-endian header length, a JSON header mapping
// tensor names to {dtype, shape, data_offsets} (plus optional string
// "__metadata__"), then the tensor bytes. The format cannot carry code; what
// goes wrong is structure: absurd header lengths, invalid JSON, offsets out
// of order, overlapping or out of bounds, sizes that disagree with
// dtype x shape, bytes after the last tensor (room for a polyglot).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "artifacts/byte_io.h"
#include "artifacts/finding.h"

namespace rampart::artifacts {

// Largest header the reference implementation accepts.
inline constexpr std::uint64_t kSafetensorsMaxHeader = 100'000'000;
// Largest header Rampart parses (bounded memory).
inline constexpr std::uint64_t kSafetensorsParseLimit = 32u << 20;

// True if `head` could start a safetensors file of `size` bytes.
bool LooksLikeSafetensors(std::span<const std::uint8_t> head, std::uint64_t size);

// Checks a safetensors file of `size` bytes read through `r` (which starts at
// the file's first byte). Only the header is read; tensor data is skipped.
std::vector<Issue> CheckSafetensors(BufferedReader& r, std::uint64_t size);

// The same for a header already in memory (the fuzz target's entry point):
// `header` is the JSON text and `data_size` the bytes that follow it.
std::vector<Issue> CheckSafetensorsHeader(std::string_view header, std::uint64_t data_size);

}  // namespace rampart::artifacts
