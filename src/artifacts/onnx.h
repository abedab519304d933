// ONNX models: a protobuf ModelProto, read here straight from the wire format
// (only the fields that matter; tensor bytes are skipped by length). Reported:
// external-data locations that escape the model directory (absolute paths,
// "..", symlinks pointing out), and nodes or opset imports in operator
// domains that ONNX Runtime does not ship, which need a custom-op library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "artifacts/byte_io.h"
#include "artifacts/finding.h"
#include "artifacts/policy.h"

namespace rampart::artifacts {

// True if `head` starts like a serialized ModelProto.
bool LooksLikeOnnx(std::span<const std::uint8_t> head);

// Checks a ModelProto of `size` bytes read through `r`. `model_dir`, when
// known, is where external data paths are resolved (symlinks checked).
std::vector<Issue> CheckOnnx(BufferedReader& r, std::uint64_t size, const Policy& policy,
                             const std::optional<std::filesystem::path>& model_dir);

}  // namespace rampart::artifacts
