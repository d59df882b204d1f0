// A TUN device created inside a network namespace. The fd is opened while the calling thread is
// in that namespace; the device stays there and the fd keeps working from any namespace. The
// device disappears when the fd is closed, so a killed emulator leaves no device behind.
#pragma once
#include "common.h"
#include "result.h"
#include "unique_fd.h"

#include <string>

namespace ccbench::link {

struct TunEnd {
  std::string ns;        // namespace to create the device in
  std::string device;    // "tun-c"
  std::string address;   // "10.201.0.1"
  std::string peer;      // "10.201.0.2": point-to-point, so no ARP and no subnet route tricks
  // Every read and write starts with a virtio-net header (IFF_VNET_HDR), so the emulator can
  // write GSO packets (see coalesce.h). Reads stay single packets: no offload is enabled.
  bool vnet_header = false;
};

// Creates, addresses and brings up the device (MTU 1500, no packet-info header, no offloads, so
// every read is one IP packet of at most 1500 bytes). The fd is non-blocking.
// tun_vnet_header(fd) tells whether the device was opened with `vnet_header`.
ccload::Result<ccload::UniqueFd> open_tun(const TunEnd &end);
bool tun_vnet_header(int fd);

}  // namespace ccbench::link
