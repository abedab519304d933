// GGUF (llama.cpp): magic "GGUF", version, tensor and metadata counts, typed
// metadata key/values, tensor descriptors, aligned tensor data. Checked for
// bounds (every length and count against the bytes that remain, tensor data
// inside the file) and for executable content: a `tokenizer.chat_template`
// is a Jinja template that inference servers render, so it is reported as
// code, and as suspicious when it reaches for Python internals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "artifacts/byte_io.h"
#include "artifacts/finding.h"

namespace rampart::artifacts {

struct GgufLimits {
  std::uint64_t max_string = 64u << 20;  // one metadata string
  std::uint64_t max_array = 1u << 28;    // elements in one array
  std::uint64_t max_kv = 1u << 20;       // metadata pairs
  std::uint64_t max_tensors = 1u << 20;
  std::size_t max_template_kept = 1u << 20;  // chat template text kept for analysis
};

// Checks a GGUF file of `size` bytes read through `r` from its first byte.
std::vector<Issue> CheckGguf(BufferedReader& r, std::uint64_t size, const GgufLimits& limits = {});

}  // namespace rampart::artifacts
