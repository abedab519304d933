// The numbers of a KServe v2 / Triton JSON inference request
// (`{"inputs": [{"name", "shape", "datatype", "data"}]}`), projected to
// kProjDims dimensions as they are read: every numeric input, in order, is
// one vector (element indices continue across inputs). Untrusted bytes: any
// body gives a result, never a crash; see docs/design/monitor.md "Bad input".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "monitor/sketch.h"

namespace rampart::monitor {

enum class TensorIssue : std::uint8_t {
  kNone,         // proj holds the sketch
  kInvalidJson,  // not a JSON object, or no `inputs` array of objects
  kShape,        // shape missing/negative, or data's length differs from it
  kDatatype,     // unknown datatype, or a non-number in `data`
  kOversized,    // more than max_elements elements (or a body too large to hold them)
  kEmpty,        // no numeric element (BYTES inputs only, or empty tensors)
};
inline constexpr std::size_t kTensorIssueCount = 6;
std::string_view TensorIssueName(TensorIssue i);  // "invalid_json", "shape", ...

struct TensorSketch {
  TensorIssue issue = TensorIssue::kNone;
  std::size_t elements = 0;
  Projection proj{};
};

// One pass over the bytes, nothing allocated (docs/design/monitor.md "Costs").
TensorSketch SketchTensor(std::string_view body, const Projector& projector,
                          std::size_t max_elements);

// The same through core/json's DOM: the reference SketchTensor is tested
// (and fuzzed) against.
TensorSketch SketchTensorReference(std::string_view body, const Projector& projector,
                                   std::size_t max_elements);

}  // namespace rampart::monitor
