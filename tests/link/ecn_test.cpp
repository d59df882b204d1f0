#include "ecn.h"

#include <gtest/gtest.h>

#include <array>

using namespace ccbench::link;

namespace {

uint16_t checksum(const uint8_t *p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

std::array<uint8_t, 20> ipv4(uint8_t tos) {
  std::array<uint8_t, 20> h{0x45, tos, 0x05, 0xdc, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 201, 0, 1, 10, 201, 0, 2};
  uint16_t c = checksum(h.data(), h.size());
  h[10] = static_cast<uint8_t>(c >> 8);
  h[11] = static_cast<uint8_t>(c);
  return h;
}

}  // namespace

TEST(Ecn, MarksEctAndKeepsTheChecksumValid) {
  auto h = ipv4(0x02);  // ECT(0)
  EXPECT_TRUE(is_ect(h.data(), h.size()));
  EXPECT_TRUE(mark_ce(h.data(), h.size()));
  EXPECT_EQ(h[1] & 3, 3);
  EXPECT_EQ(checksum(h.data(), h.size()), 0);  // a valid header sums to 0xffff
}

TEST(Ecn, LeavesNonEctAlone) {
  auto h = ipv4(0x00);
  auto copy = h;
  EXPECT_FALSE(is_ect(h.data(), h.size()));
  EXPECT_FALSE(mark_ce(h.data(), h.size()));
  EXPECT_EQ(h, copy);
}

TEST(Ecn, Ipv6TrafficClass) {
  std::array<uint8_t, 40> h{};
  h[0] = 0x60;
  h[1] = 0x20;  // traffic class low bits = ECT(0)
  EXPECT_TRUE(is_ect(h.data(), h.size()));
  EXPECT_TRUE(mark_ce(h.data(), h.size()));
  EXPECT_EQ((h[1] >> 4) & 3, 3);
}
