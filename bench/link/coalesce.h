// Receive-side coalescing after the bottleneck: what GRO does on a real receiver, done by the
// emulator because a TUN write() cannot give the kernel's GRO more than one packet to merge.
//
// Consecutive MTU-sized TCP segments of one flow that leave the link at the same moment are
// written to the server's TUN device (opened with a virtio-net header) as one GSO packet, so the
// receiver's TCP runs once per burst instead of once per segment, and acknowledges once per burst
// as it would behind a NIC with GRO. That work runs in the emulator thread's write(), so it is the
// emulator's throughput. The link itself is untouched: only packets that are already due are
// merged (no segment leaves earlier or later), and the queue, buffer, loss, marks and records
// all act on the MTU-sized packets before this.
//
// The rules are those of the kernel's inet/tcp GRO: IPv4 without options, same addresses, ports,
// TOS (so a CE mark is never spread over unmarked segments), TTL, DF, ACK, window and TCP options;
// consecutive sequence numbers; every segment but the last exactly the first one's size; only
// ACK (and PSH, which ends a run) among the flags.
#pragma once
#include "common.h"

#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <span>

namespace ccbench::link {

// struct virtio_net_hdr in host byte order (a TUN device without TUNSETVNETLE/BE, on a
// little-endian host). <linux/virtio_net.h> does not compile as C++: a member is named `class`.
struct VnetHeader {
  static constexpr uint8_t kNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
  static constexpr uint8_t kGsoTcpV4 = 1;   // VIRTIO_NET_HDR_GSO_TCPV4
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len, gso_size, csum_start, csum_offset;
};
static_assert(sizeof(VnetHeader) == 10);

class TcpCoalescer {
 public:
  // Up to 64 KB in one GSO packet: 45 segments of 1448 bytes.
  static constexpr size_t kMaxSegments = 64;

  // Starts a run with `packet`, which finish() may rewrite in place (its headers become those of
  // the merged packet), so it must stay valid and unshared until the write.
  void start(uint8_t *packet, uint32_t len);
  // Appends `packet` to the run if it continues it; false if it has to start a run of its own.
  // Only its payload is referenced; it must stay valid until the write.
  bool append(const uint8_t *packet, uint32_t len);
  // Patches the first packet's headers for the merged length and returns what to writev() to a
  // TUN device with IFF_VNET_HDR: the virtio-net header, then the packet.
  std::span<const iovec> finish();
  size_t segments() const { return iovcnt_ - 1; }

 private:
  VnetHeader hdr_{};
  std::array<iovec, kMaxSegments + 1> iov_{};
  size_t iovcnt_ = 0;
  uint8_t *head_ = nullptr;
  uint32_t head_hdr_len_ = 0;    // IP + TCP header bytes of the head packet
  uint32_t mss_ = 0;             // the head's payload: the GSO segment size
  uint32_t total_len_ = 0;       // IP length of the merged packet
  uint32_t next_seq_ = 0;
  bool open_ = false;            // the run can still grow (mergeable head, no PSH, full segments)
  bool push_ = false;            // the last segment carried PSH
};

}  // namespace ccbench::link
