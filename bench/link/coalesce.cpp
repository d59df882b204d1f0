#include "coalesce.h"

#include <netinet/in.h>

#include <cstring>

namespace ccbench::link {
namespace {

constexpr uint32_t kIpHeader = 20;  // IPv4 without options: the only kind merged
constexpr uint8_t kPsh = 0x08, kAck = 0x10;
constexpr uint32_t kMaxIpLength = 65535;

uint32_t load16(const uint8_t *p) { return static_cast<uint32_t>(p[0] << 8 | p[1]); }
uint32_t load32(const uint8_t *p) { return load16(p) << 16 | load16(p + 2); }
void store16(uint8_t *p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
uint32_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

struct Segment {
  bool ok = false;
  uint32_t header_len = 0, payload = 0, seq = 0;
  uint8_t flags = 0;
};

// A TCP data segment GRO could merge, or !ok. Pure ACKs are never merged (GRO does not either).
Segment parse(const uint8_t *p, uint32_t len) {
  if (len < kIpHeader + 20 || p[0] != 0x45 || p[9] != IPPROTO_TCP) return {};
  if (load16(p + 2) != len || (load16(p + 6) & 0x3fff) != 0) return {};  // fragments
  uint32_t tcp_len = (p[kIpHeader + 12] >> 4) * 4u;
  if (tcp_len < 20 || kIpHeader + tcp_len >= len) return {};
  uint8_t flags = p[kIpHeader + 13];
  // CWR, ECE, URG, SYN, FIN, RST each need the receiver to see that exact segment.
  if ((flags & ~kPsh) != kAck) return {};
  return {true, kIpHeader + tcp_len, len - kIpHeader - tcp_len, load32(p + kIpHeader + 4), flags};
}

// Everything but length, ID, checksums, sequence number and PSH must match, as in GRO.
bool same_stream(const uint8_t *a, const uint8_t *b, uint32_t header_len) {
  return a[1] == b[1]                                              // TOS, so ECN marks too
         && (a[6] & 0x40) == (b[6] & 0x40) && a[8] == b[8]         // DF, TTL
         && std::memcmp(a + 12, b + 12, 12) == 0                   // addresses, ports
         && std::memcmp(a + kIpHeader + 8, b + kIpHeader + 8, 5) == 0   // ACK, data offset
         && std::memcmp(a + kIpHeader + 14, b + kIpHeader + 14, 2) == 0  // window
         && std::memcmp(a + kIpHeader + 20, b + kIpHeader + 20, header_len - kIpHeader - 20) == 0;
}

}  // namespace

void TcpCoalescer::start(uint8_t *packet, uint32_t len) {
  head_ = packet;
  iov_[0] = {&hdr_, sizeof(hdr_)};
  iov_[1] = {packet, len};
  iovcnt_ = 2;
  total_len_ = len;
  push_ = false;
  Segment s = parse(packet, len);
  open_ = s.ok && !(s.flags & kPsh);
  head_hdr_len_ = s.header_len;
  mss_ = s.payload;
  next_seq_ = s.seq + s.payload;
}

bool TcpCoalescer::append(const uint8_t *packet, uint32_t len) {
  if (!open_ || iovcnt_ == iov_.size()) return false;
  Segment s = parse(packet, len);
  if (!s.ok || s.header_len != head_hdr_len_ || s.seq != next_seq_ || s.payload > mss_ ||
      total_len_ + s.payload > kMaxIpLength || !same_stream(head_, packet, head_hdr_len_))
    return false;
  iov_[iovcnt_++] = {const_cast<uint8_t *>(packet) + s.header_len, s.payload};
  total_len_ += s.payload;
  next_seq_ += s.payload;
  // GSO needs every segment but the last to be full-sized; PSH ends a burst in GRO too.
  if (s.payload < mss_ || (s.flags & kPsh)) {
    open_ = false;
    push_ = s.flags & kPsh;
  }
  return true;
}

std::span<const iovec> TcpCoalescer::finish() {
  hdr_ = {};
  if (segments() == 1) return {iov_.data(), iovcnt_};
  uint8_t *p = head_;
  store16(p + 2, total_len_);
  store16(p + 10, 0);
  uint32_t sum = 0;
  for (uint32_t i = 0; i < kIpHeader; i += 2) sum += load16(p + i);
  store16(p + 10, ~fold(sum) & 0xffff);
  if (push_) p[kIpHeader + 13] |= kPsh;
  // CHECKSUM_PARTIAL: the field holds the pseudo-header sum and the kernel (which, delivering
  // locally, trusts it) would complete it over the segment if the packet were ever forwarded.
  uint32_t pseudo = load16(p + 12) + load16(p + 14) + load16(p + 16) + load16(p + 18) + IPPROTO_TCP +
                    (total_len_ - kIpHeader);
  store16(p + kIpHeader + 16, fold(pseudo));
  hdr_.flags = VnetHeader::kNeedsCsum;
  hdr_.gso_type = VnetHeader::kGsoTcpV4;
  hdr_.hdr_len = static_cast<uint16_t>(head_hdr_len_);
  hdr_.gso_size = static_cast<uint16_t>(mss_);
  hdr_.csum_start = kIpHeader;
  hdr_.csum_offset = 16;  // offsetof(struct tcphdr, check)
  return {iov_.data(), iovcnt_};
}

}  // namespace ccbench::link
