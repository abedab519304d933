// NumPy .npy files: magic "\x93NUMPY", version, header length, a Python
// dict literal {'descr': ..., 'fortran_order': ..., 'shape': ...}, then the
// data. An object dtype ('O') means the data is a pickle, loaded by
// np.load(allow_pickle=True): that pickle is returned for scanning.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "artifacts/byte_io.h"
#include "artifacts/finding.h"

namespace rampart::artifacts {

bool LooksLikeNpy(std::span<const std::uint8_t> head);

struct NpyHeader {
  std::string descr;    // the descr literal as written
  bool object = false;  // the dtype holds Python objects
  std::uint64_t data_offset = 0;
};

// Reads the header through `r` (left at the first data byte). Malformed
// headers are reported in `issues` and return nullopt.
std::optional<NpyHeader> ReadNpyHeader(BufferedReader& r, std::vector<Issue>& issues);

}  // namespace rampart::artifacts
