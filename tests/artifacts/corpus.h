// The scanner test corpus, generated once per test binary by
// tests/artifacts/make_corpus.py (python3, standard library only).
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <string>

namespace rampart::artifacts::testing {

// The corpus directory, or "" if python3 is unavailable (tests then skip).
const std::filesystem::path& CorpusDir();
// expect.json: {"mal/x.pkl": {"rule": ..., "symbol": ..., "severity": ...}, ...}
const boost::json::object& CorpusExpectations();

}  // namespace rampart::artifacts::testing
