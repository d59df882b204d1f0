// Reading and setting the ECN field of a raw IP packet (as read from a TUN device: no link-layer
// header). IPv4 needs its header checksum patched; IPv6 has none.
#pragma once
#include "common.h"

#include <cstddef>
#include <cstdint>

namespace ccbench::link {

// ECT(0), ECT(1) or CE: the sender negotiated ECN for this packet.
bool is_ect(const uint8_t *packet, size_t len);
// Sets CE on an ECN-capable packet. Returns false (and leaves it alone) for anything else.
bool mark_ce(uint8_t *packet, size_t len);

}  // namespace ccbench::link
