// Parsing the quantities a link is described with: rates ("100mbit"), times ("40ms"), sizes
// ("256kb", "200pkt", "1bdp") and percentages ("0.5%"). Units follow tc where tc is unambiguous
// (bit/kbit/mbit/gbit, 1000-based); byte sizes are 1000-based too, with kib/mib for 1024.
// A parse failure names the parameter and what it accepts, so it can be shown to the user as is.
#pragma once
#include "common.h"
#include "result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace ccbench::link {

using ccload::Result;

// Bits per second.
Result<uint64_t> parse_rate(std::string_view param, std::string_view text);
// Nanoseconds; "0" without unit is allowed (no delay).
Result<int64_t> parse_duration(std::string_view param, std::string_view text);

// A size as written: the number and what it counts. Resolved to bytes once rate and RTT are known.
struct Size {
  enum class Unit { bytes, packets, bdp };
  double value = 0;
  Unit unit = Unit::bytes;
  std::string text;  // as the user wrote it, for messages and output
};
Result<Size> parse_size(std::string_view param, std::string_view text);

// A fraction in [0, 1] from "0.5%".
Result<double> parse_percent(std::string_view param, std::string_view text);

// "100mbit", "1.5gbit", "40ms", "200us": for printing effective settings.
std::string format_rate(uint64_t bits_per_second);
std::string format_duration(int64_t ns);

}  // namespace ccbench::link
