// Polling with a deadline: tests wait for a condition, never for a fixed time.
#pragma once
#include <chrono>
#include <thread>

namespace ccload::test {

template <class F>
bool eventually(F done, std::chrono::milliseconds deadline = std::chrono::milliseconds(5000)) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace ccload::test
