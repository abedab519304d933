// Helpers shared by tests: temporary directories, running the real `rampart`
// binary and other processes, free loopback ports.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace rampart::testing {

// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Writes `text` to path()/name (creating parent directories) and returns the path.
  std::filesystem::path Write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs argv[0] with `args`, feeding `input` on stdin, and waits for it.
CommandResult Run(const std::vector<std::string>& argv, const std::string& input = "",
                  const std::vector<std::string>& env = {});

// The `rampart` binary under test ($RAMPART_BIN, set by CTest).
std::string RampartBin();
// The source tree ($RAMPART_SOURCE_DIR, or the working directory).
std::filesystem::path SourceDir();
CommandResult RunRampart(const std::vector<std::string>& args, const std::string& input = "",
                         const std::vector<std::string>& env = {});

// A background process (a server under test). Killed (SIGKILL) on destruction
// if still running. stdout/stderr go to files in `log_dir`.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& log_dir,
          const std::vector<std::string>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `sig` and waits up to `timeout` for exit; returns the exit code
  // (or -signal), or INT_MIN on timeout (the process is then SIGKILLed).
  int Stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits until stderr or stdout contains `text`; false on timeout or exit.
  bool WaitForOutput(const std::string& text,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::filesystem::path out_, err_;
};

// True when a test may not skip for a missing dependency (a server, root, a
// package, ../shared): CI=true or RAMPART_REQUIRE_ALL=1. Use RAMPART_NEEDS.
bool RequireAll();

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// A listening TCP socket on 127.0.0.1 at a free port (written to *port): its
// descriptor, for test servers that accept connections themselves.
int ListenLoopback(int* port);
// True once something accepts TCP connections on 127.0.0.1:port.
bool WaitForPort(int port, std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace rampart::testing

// RAMPART_NEEDS(have, what): when `have` is false, the test fails under
// RequireAll() (CI) and is skipped with "needs <what>" elsewhere. Use it in
// place of GTEST_SKIP for every missing dependency, so that CI never counts a
// test as passed that did not run. Like GTEST_SKIP, it returns from a void
// function (a TEST body or SetUp).
#define RAMPART_NEEDS(have, what)                                                          \
  do {                                                                                     \
    if (!(have)) {                                                                         \
      if (::rampart::testing::RequireAll()) {                                              \
        GTEST_FAIL() << "needs " << what                                                   \
                     << " (CI=true or RAMPART_REQUIRE_ALL=1: a missing dependency fails)"; \
      } else {                                                                             \
        GTEST_SKIP() << "needs " << what;                                                  \
      }                                                                                    \
    }                                                                                      \
  } while (0)
