// Tests wait for a condition, never for a fixed time: lib/poll_until.h with the tests' default
// deadline.
#pragma once
#include <chrono>

#include "poll_until.h"

namespace ccload::test {

template <class F>
bool eventually(F &&done, std::chrono::milliseconds deadline = std::chrono::milliseconds(5000)) {
  return poll_until(std::forward<F>(done), deadline);
}

}  // namespace ccload::test
