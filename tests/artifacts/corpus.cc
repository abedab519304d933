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
  bool have_python = false;
  std::string error;
  Corpus() {
    have_python = rampart::testing::Run({"python3", "-c", ""}).exit_code == 0;
    auto script = rampart::testing::SourceDir() / "tests/artifacts/make_corpus.py";
    auto r = rampart::testing::Run({"python3", script.string(), (dir.path() / "c").string()});
    if (r.exit_code != 0) {
      error = "python3 " + script.string() + " failed (" +
              (r.signal ? "signal " + std::to_string(r.signal)
                        : "exit code " + std::to_string(r.exit_code)) +
              "):\n" + r.err;
      return;
    }
    auto text = ReadFile(dir.path() / "c/expect.json");
    if (!text) {
      error = "the corpus has no expect.json: " + text.error().ToString();
      return;
    }
    auto v = ParseJson(*text, JsonLimits{});
    if (!v || !v->is_object()) {
      error = "the corpus's expect.json is not a JSON object";
      return;
    }
    expect = v->as_object();
    path = dir.path() / "c";
  }
};
Corpus& Get() {
  static Corpus* c = new Corpus();
  return *c;
}
}  // namespace

const std::filesystem::path& CorpusDir() { return Get().path; }
bool HavePython3() { return Get().have_python; }
const std::string& CorpusError() { return Get().error; }
const boost::json::object& CorpusExpectations() { return Get().expect; }

}  // namespace rampart::artifacts::testing
