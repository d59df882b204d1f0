// Waiting for a condition: poll it with a deadline, never sleep a fixed time and hope.
#pragma once
#include "common.h"

#include <chrono>
#include <thread>

namespace ccload {

// Calls `done` until it returns true (-> true) or `timeout` has passed (-> false), sleeping
// `step` between calls. `done` is called once more at the deadline, so a condition that comes
// true just in time counts.
template <class Done>
bool poll_until(Done &&done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(step);
  }
  return true;
}

}  // namespace ccload
