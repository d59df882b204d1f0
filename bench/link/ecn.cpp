#include "ecn.h"

namespace ccbench::link {
namespace {

constexpr uint8_t kCe = 3;

int ecn_bits(const uint8_t *p, size_t len) {
  if (len < 1) return -1;
  switch (p[0] >> 4) {
    case 4: return len >= 20 ? p[1] & 3 : -1;
    case 6: return len >= 40 ? (p[1] >> 4) & 3 : -1;
  }
  return -1;
}

}  // namespace

bool is_ect(const uint8_t *p, size_t len) { return ecn_bits(p, len) > 0; }

bool mark_ce(uint8_t *p, size_t len) {
  int ecn = ecn_bits(p, len);
  if (ecn <= 0) return false;
  if (ecn == kCe) return true;
  if ((p[0] >> 4) == 6) {
    p[1] |= kCe << 4;
    return true;
  }
  // RFC 1624 incremental update of the header checksum for the changed first 16-bit word.
  uint16_t old_word = static_cast<uint16_t>(p[0] << 8 | p[1]);
  p[1] |= kCe;
  uint16_t new_word = static_cast<uint16_t>(p[0] << 8 | p[1]);
  uint32_t sum = static_cast<uint16_t>(~(p[10] << 8 | p[11]));
  sum += static_cast<uint16_t>(~old_word);
  sum += new_word;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t check = static_cast<uint16_t>(~sum);
  p[10] = static_cast<uint8_t>(check >> 8);
  p[11] = static_cast<uint8_t>(check);
  return true;
}

}  // namespace ccbench::link
