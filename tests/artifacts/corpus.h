// The scanner's test corpora, generated once per test binary into a
// temporary directory by Debian's /usr/bin/python3:
//  - Corpus(): tests/artifacts/make_corpus.py (standard library only, layouts
//    and tricks written by hand);
//  - RealCorpus(): tests/artifacts/make_real_corpus.py (files written by
//    torch, joblib, numpy, pandas, onnx and h5py, with malicious twins).
// A missing interpreter or library is `missing` (tests use RAMPART_NEEDS); a
// generator that fails for any other reason is `error`, with its stderr,
// and the tests fail: a broken generator never passes as a skip.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>

#include "testing/testing.h"

namespace rampart::artifacts::testing {

struct GeneratedCorpus {
  std::filesystem::path dir;   // the corpus, when generated
  boost::json::object expect;  // expect.json
  std::string missing;         // what is missing to generate it ("" if nothing)
  std::string error;           // why generation failed ("" if it did not)
};

const GeneratedCorpus& Corpus();
const GeneratedCorpus& RealCorpus();

// Corpus().dir and Corpus().expect.
const std::filesystem::path& CorpusDir();
const boost::json::object& CorpusExpectations();

}  // namespace rampart::artifacts::testing

// In SetUp or a TEST body: skips (or fails under CI) when a dependency is
// missing, fails when the generator itself failed.
#define RAMPART_NEEDS_CORPUS(corpus)                                                     \
  do {                                                                                   \
    const auto& corpus_ = (corpus);                                                      \
    RAMPART_NEEDS(corpus_.missing.empty(), corpus_.missing);                             \
    ASSERT_TRUE(corpus_.error.empty()) << "corpus generator failed:\n" << corpus_.error; \
  } while (0)
