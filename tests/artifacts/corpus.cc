#include "corpus.h"

#include <cstdlib>

#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart::artifacts::testing {

namespace {
struct Corpus {
  rampart::testing::TempDir dir;
  std::filesystem::path path;
  boost::json::object expect;
  Corpus() {
    auto script = rampart::testing::SourceDir() / "tests/artifacts/make_corpus.py";
    auto r = rampart::testing::Run({"python3", script.string(), (dir.path() / "c").string()});
    if (r.exit_code != 0) return;
    path = dir.path() / "c";
    auto text = ReadFile(path / "expect.json");
    if (!text) return;
    auto v = ParseJson(*text, JsonLimits{});
    if (v && v->is_object()) expect = v->as_object();
  }
};
Corpus& Get() {
  static Corpus* c = new Corpus();
  return *c;
}
}  // namespace

const std::filesystem::path& CorpusDir() { return Get().path; }
const boost::json::object& CorpusExpectations() { return Get().expect; }

}  // namespace rampart::artifacts::testing
