// The scanner test corpus, generated once per test binary by
// tests/artifacts/make_corpus.py (python3, standard library only).
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <string>

namespace rampart::artifacts::testing {

// The corpus directory, or "" if it could not be generated.
const std::filesystem::path& CorpusDir();
// Whether a python3 interpreter runs at all (a dependency: tests use RAMPART_NEEDS).
bool HavePython3();
// Why generation failed ("" when CorpusDir() is set): the generator's exit
// status and stderr. A generator that fails is a test error, not a skip.
const std::string& CorpusError();
// expect.json: {"mal/x.pkl": {"rule": ..., "symbol": ..., "severity": ...}, ...}
const boost::json::object& CorpusExpectations();

}  // namespace rampart::artifacts::testing
