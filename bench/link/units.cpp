#include "units.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

namespace ccbench::link {
namespace {

using ccload::fail;

// Splits "1.5mbit" into 1.5 and "mbit". The number must be finite and non-negative.
Result<std::pair<double, std::string>> split_number(std::string_view param, std::string_view text,
                                                    std::string_view example) {
  auto bad = [&] {
    return fail(fmt::format("--{}: cannot read '{}' as a number with a unit (e.g. {})", param, text,
                            example));
  };
  if (text.empty()) return bad();
  if (text.front() == '-')
    return fail(fmt::format("--{}: '{}' is negative; it must be 0 or more (e.g. {})", param, text,
                            example));
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return bad();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc() || end != text.data() + i || !std::isfinite(value)) return bad();
  std::string unit;
  for (char c : text.substr(i)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::pair{value, unit};
}

template <size_t N>
std::string unit_list(const std::array<std::pair<std::string_view, double>, N> &units) {
  std::string s;
  for (size_t i = 0; i < N; ++i) {
    if (i) s += (i + 1 == N) ? " or " : ", ";
    s += units[i].first;
  }
  return s;
}

template <size_t N>
const double *find_unit(const std::array<std::pair<std::string_view, double>, N> &units,
                        std::string_view unit) {
  for (const auto &[name, scale] : units)
    if (name == unit) return &scale;
  return nullptr;
}

constexpr std::array<std::pair<std::string_view, double>, 5> kRateUnits{{
    {"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}, {"tbit", 1e12}}};
constexpr std::array<std::pair<std::string_view, double>, 4> kTimeUnits{{
    {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"ns", 1}}};
constexpr std::array<std::pair<std::string_view, double>, 6> kByteUnits{{
    {"b", 1}, {"kb", 1e3}, {"mb", 1e6}, {"kib", 1024}, {"mib", 1024 * 1024}, {"gb", 1e9}}};

}  // namespace

Result<uint64_t> parse_rate(std::string_view param, std::string_view text) {
  auto parts = split_number(param, text, "100mbit");
  if (!parts) return std::unexpected(parts.error());
  const auto &[value, unit] = *parts;
  const double *scale = find_unit(kRateUnits, unit);
  if (!scale)
    return fail(fmt::format("--{}: unknown unit '{}' in '{}'; use {} (e.g. 100mbit)", param, unit,
                            text, unit_list(kRateUnits)));
  return static_cast<uint64_t>(std::llround(value * *scale));
}

Result<int64_t> parse_duration(std::string_view param, std::string_view text) {
  auto parts = split_number(param, text, "40ms");
  if (!parts) return std::unexpected(parts.error());
  const auto &[value, unit] = *parts;
  if (unit.empty() && value == 0) return 0;
  const double *scale = find_unit(kTimeUnits, unit);
  if (!scale)
    return fail(fmt::format("--{}: unknown unit '{}' in '{}'; use {} (e.g. 40ms)", param, unit, text,
                            unit_list(kTimeUnits)));
  double ns = value * *scale;
  if (ns > 1e15) return fail(fmt::format("--{}: '{}' is far too long", param, text));
  return static_cast<int64_t>(std::llround(ns));
}

Result<Size> parse_size(std::string_view param, std::string_view text) {
  auto parts = split_number(param, text, "200pkt, 256kb or 1bdp");
  if (!parts) return std::unexpected(parts.error());
  const auto &[value, unit] = *parts;
  Size size{value, Size::Unit::bytes, std::string(text)};
  if (unit == "pkt" || unit == "pkts" || unit == "p") {
    size.unit = Size::Unit::packets;
  } else if (unit == "bdp") {
    size.unit = Size::Unit::bdp;
  } else if (const double *scale = find_unit(kByteUnits, unit)) {
    size.value = value * *scale;
  } else {
    return fail(fmt::format("--{}: unknown unit '{}' in '{}'; use pkt, bdp, {} (e.g. 200pkt)", param,
                            unit, text, unit_list(kByteUnits)));
  }
  return size;
}

Result<double> parse_percent(std::string_view param, std::string_view text) {
  auto parts = split_number(param, text, "0.5%");
  if (!parts) return std::unexpected(parts.error());
  const auto &[value, unit] = *parts;
  if (unit != "%")
    return fail(fmt::format("--{}: '{}' needs a % sign; give a percentage from 0% to 100% (e.g. 0.5%)",
                            param, text));
  if (value > 100)
    return fail(fmt::format("--{}: {} is outside 0% to 100%", param, text));
  return value / 100.0;
}

std::string format_rate(uint64_t bps) {
  if (bps >= 1'000'000'000 && bps % 1'000'000 == 0) return fmt::format("{:g}gbit", bps / 1e9);
  if (bps >= 1'000'000 && bps % 1000 == 0) return fmt::format("{:g}mbit", bps / 1e6);
  if (bps >= 1000) return fmt::format("{:g}kbit", bps / 1e3);
  return fmt::format("{}bit", bps);
}

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0ms";
  if (ns % 1'000'000 == 0 || ns >= 10'000'000) return fmt::format("{:g}ms", ns / 1e6);
  return fmt::format("{:g}us", ns / 1e3);
}

}  // namespace ccbench::link
