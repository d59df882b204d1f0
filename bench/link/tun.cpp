#include "tun.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cstring>

#include "netns.h"
#include "process.h"

namespace ccbench::link {

using ccload::fail;
using ccload::fail_errno;
using ccload::Result;
using ccload::UniqueFd;

Result<UniqueFd> open_tun(const TunEnd &end) {
  UniqueFd fd;
  {
    auto inside = ccload::NetnsEnter::enter(end.ns);
    if (!inside) return std::unexpected(inside.error());
    fd.reset(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return fail_errno("Failed to open /dev/net/tun", "is the tun module available? try `modprobe tun`");
    ifreq ifr{};
    // No offloads (no TUNSETOFFLOAD): the kernel segments GSO packets before we read them, so
    // every read is one MTU-sized packet and the buffer counts real packets. A virtio-net header
    // does not change that; it only lets our writes be GSO packets.
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (end.vnet_header ? IFF_VNET_HDR : 0);
    std::strncpy(ifr.ifr_name, end.device.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd.get(), TUNSETIFF, &ifr) < 0)
      return fail_errno("Failed to create TUN device " + end.device + " in namespace " + end.ns);
  }
  auto ip = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"ip", "-n", end.ns};
    argv.insert(argv.end(), args.begin(), args.end());
    return ccload::run_checked(argv);
  };
  if (auto r = ip({"link", "set", end.device, "mtu", "1500", "txqueuelen", "10000"}); !r)
    return std::unexpected(r.error());
  if (auto r = ip({"addr", "add", end.address, "peer", end.peer, "dev", end.device}); !r)
    return std::unexpected(r.error());
  if (auto r = ip({"link", "set", end.device, "up"}); !r) return std::unexpected(r.error());
  return fd;
}

bool tun_vnet_header(int fd) {
  ifreq ifr{};
  return ::ioctl(fd, TUNGETIFF, &ifr) == 0 && (ifr.ifr_flags & IFF_VNET_HDR);
}

}  // namespace ccbench::link
