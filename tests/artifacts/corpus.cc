#include "corpus.h"

#include <unistd.h>

#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart::artifacts::testing {

namespace {

// Debian's interpreter: its dist-packages hold python3-torch and friends.
constexpr const char* kPython = "/usr/bin/python3";

struct Generated {
  rampart::testing::TempDir tmp;
  GeneratedCorpus corpus;

  Generated(const std::string& script, const std::vector<std::string>& modules) {
    if (::access(kPython, X_OK) != 0) {
      corpus.missing = std::string(kPython) + " (Debian's python3; scripts/install-deps.sh)";
      return;
    }
    if (!modules.empty()) {
      std::vector<std::string> argv = {kPython, "-c",
                                       "import importlib.util, sys\n"
                                       "print(' '.join('python3-' + m for m in sys.argv[1:] "
                                       "if importlib.util.find_spec(m) is None))"};
      argv.insert(argv.end(), modules.begin(), modules.end());
      auto probe = rampart::testing::Run(argv);
      if (probe.exit_code != 0) {
        corpus.error = "cannot probe the Python libraries: " + probe.err;
        return;
      }
      std::string out = probe.out;
      while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
      if (!out.empty()) {
        corpus.missing = "Debian packages " + out + " (scripts/install-deps.sh)";
        return;
      }
    }
    auto path = rampart::testing::SourceDir() / "tests/artifacts" / script;
    auto out = tmp.path() / "corpus";
    auto r = rampart::testing::Run({kPython, path.string(), out.string()});
    if (r.exit_code != 0) {
      corpus.error = script + " exited with " + std::to_string(r.exit_code) +
                     (r.signal != 0 ? " (signal " + std::to_string(r.signal) + ")" : "") +
                     "\n--- stderr ---\n" + r.err + "--- stdout ---\n" + r.out;
      return;
    }
    auto text = ReadFile(out / "expect.json");
    if (!text) {
      corpus.error = script + " wrote no expect.json: " + text.error().message();
      return;
    }
    auto v = ParseJson(*text, JsonLimits{});
    if (!v || !v->is_object()) {
      corpus.error = script + " wrote an unreadable expect.json";
      return;
    }
    corpus.expect = v->as_object();
    corpus.dir = out;
  }
};

}  // namespace

const GeneratedCorpus& Corpus() {
  static Generated* g = new Generated("make_corpus.py", {});
  return g->corpus;
}

const GeneratedCorpus& RealCorpus() {
  static Generated* g =
      new Generated("make_real_corpus.py", {"torch", "joblib", "numpy", "pandas", "onnx", "h5py"});
  return g->corpus;
}

const std::filesystem::path& CorpusDir() { return Corpus().dir; }
const boost::json::object& CorpusExpectations() { return Corpus().expect; }

}  // namespace rampart::artifacts::testing
