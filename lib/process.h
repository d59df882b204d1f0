// Running helper programs (ip, tc, iperf3, ethtool): in the foreground with captured output, or in
// the background with a guard that stops the process when it goes out of scope.
#pragma once
#include "common.h"
#include "result.h"

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace ccload {

struct ProcessOutput {
  int exit_code = -1;   // the exit status, or 128 + signal number
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
};

// Runs argv[0] (looked up in PATH) and waits for it. Fails only if it could not be started;
// a non-zero exit is reported in exit_code. Output is captured, never echoed.
Result<ProcessOutput> run(const std::vector<std::string> &argv);

// Like run(), but a non-zero exit becomes an Error holding the command and its stderr.
Result<std::string> run_checked(const std::vector<std::string> &argv);

// The command line as a user would type it, for messages.
std::string shell_quote(const std::vector<std::string> &argv);

// A process started in the background. Destroying the guard sends SIGTERM, then SIGKILL after a
// grace period, and reaps it, so no error path leaves a stray iperf3 behind.
class BackgroundProcess {
 public:
  static Result<BackgroundProcess> start(const std::vector<std::string> &argv,
                                         const std::string &stdout_path = "/dev/null",
                                         const std::string &stderr_path = "/dev/null");
  BackgroundProcess() = default;
  BackgroundProcess(BackgroundProcess &&other) noexcept;
  BackgroundProcess &operator=(BackgroundProcess &&other) noexcept;
  BackgroundProcess(const BackgroundProcess &) = delete;
  BackgroundProcess &operator=(const BackgroundProcess &) = delete;
  ~BackgroundProcess() { stop(); }

  pid_t pid() const { return pid_; }
  bool running();
  // Waits for the process to exit by itself; returns its exit code, or an error on timeout.
  Result<int> wait(std::chrono::milliseconds timeout);
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace ccload
