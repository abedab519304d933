#include <pthread.h>

#include <cstdio>

#include "cli/cli.h"

namespace rampart::cli {

int ReportError(const Status& s) {
  std::fprintf(stderr, "rampart: %s\n", s.message().c_str());
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
      return kExitUsage;
    default:
      return kExitFindings;
  }
}

void PrintOut(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

sigset_t BlockServiceSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace rampart::cli
