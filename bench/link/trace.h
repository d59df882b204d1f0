// Mahimahi's trace format for trace-driven links: one line per delivery opportunity, each a
// millisecond timestamp at which one 1500-byte packet may leave. Timestamps never decrease; the
// trace loops with a period of its last timestamp, so a 60 s cellular capture can drive any run.
#pragma once
#include "common.h"
#include "result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ccbench::link {

using ccload::Result;

inline constexpr uint32_t kTraceOpportunityBytes = 1500;

struct Trace {
  std::string path;
  std::vector<uint32_t> ms;  // delivery opportunities, non-decreasing, last > 0

  uint32_t period_ms() const { return ms.back(); }
  // Long-run average rate the trace allows.
  uint64_t average_bps() const {
    return static_cast<uint64_t>(ms.size()) * kTraceOpportunityBytes * 8 * 1000 / period_ms();
  }
};

Result<Trace> parse_trace(const std::string &text, const std::string &path_for_messages);
Result<Trace> load_trace(const std::string &path);

}  // namespace ccbench::link
