// Assessment JSON (untrusted files given to `rampart assess diff`): a diff or
// an error, never a crash. The input is diffed against itself and against a
// small fixed assessment.
#include <cstdint>
#include <string_view>

#include "posture/diff.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::posture;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kBase =
      R"({"rampart_assessment": 1, "cells": [{"layer": "a", "control": "b", "status": "pass"}],)"
      R"( "checks": [{"id": "c", "status": "fail"}]})";
  if (auto d = DiffAssessments(text, "a", text, "b"); d && !d->changes.empty()) __builtin_trap();
  if (auto d = DiffAssessments(kBase, "a", text, "b")) (void)DiffToText(*d);
  return 0;
}
