#include "trace.h"
#include "text_file.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace ccbench::link {

using ccload::fail;

Result<Trace> parse_trace(const std::string &text, const std::string &path) {
  Trace trace{path, {}};
  std::istringstream in(text);
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    uint32_t ms = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), ms);
    if (ec != std::errc() || end != line.data() + line.size())
      return fail(fmt::format("--trace: {}:{}: '{}' is not a millisecond timestamp (Mahimahi "
                              "format: one non-negative integer per line)", path, lineno, line));
    if (!trace.ms.empty() && ms < trace.ms.back())
      return fail(fmt::format("--trace: {}:{}: timestamp {} is earlier than the line before ({}); "
                              "timestamps must not decrease", path, lineno, ms, trace.ms.back()));
    trace.ms.push_back(ms);
  }
  if (trace.ms.empty())
    return fail(fmt::format("--trace: {} has no delivery opportunities; it needs at least one "
                            "line with a millisecond timestamp", path));
  if (trace.ms.back() == 0)
    return fail(fmt::format("--trace: {} ends at 0 ms; its last timestamp is the loop period and "
                            "must be at least 1", path));
  return trace;
}

Result<Trace> load_trace(const std::string &path) {
  auto text = ccload::read_text_file(path);
  if (!text)
    return fail(fmt::format("--trace: cannot read '{}'; give the path of an existing Mahimahi "
                            "trace file", path));
  return parse_trace(*text, path);
}

}  // namespace ccbench::link
