// The kernel path: veth pairs from the client and the server to a router namespace that bridges
// them, TBF on the router's egress towards the server for the rate,
// the link_tc program in front of it for loss, buffer, ECN marks and records, and (where the
// kernel has it) netem for the delay. Used when there is no delay to add or netem exists; the
// userspace emulator covers the rest.
#pragma once
#include "common.h"
#include "link_spec.h"
#include "records.h"
#include "result.h"

#include <memory>
#include <string>

namespace ccbench::link {

inline constexpr const char *kClientVeth = "veth-c";
inline constexpr const char *kServerVeth = "veth-s";
// The router namespace's ends: the bottleneck is r-s's egress (towards the server).
inline constexpr const char *kRouterClientVeth = "r-c";
inline constexpr const char *kRouterServerVeth = "r-s";

// True if this kernel can add a netem qdisc (tried on loopback in `ns`, then removed).
bool netem_available(const std::string &ns);

struct KernelPathState;

class KernelPath {
 public:
  static ccload::Result<std::unique_ptr<KernelPath>> build(const LinkSpec &spec, const std::string &client_ns,
                                                           const std::string &router_ns, const std::string &server_ns,
                                                           bool netem,
                                                           RecordWriter records);
  ~KernelPath();
  KernelPath(const KernelPath &) = delete;
  KernelPath &operator=(const KernelPath &) = delete;

  // An fd that becomes readable when records are waiting (-1 when recording is off).
  int records_fd() const;
  // Moves waiting records to the record file.
  void drain_records();
  void flush();

 private:
  KernelPath();
  std::unique_ptr<KernelPathState> state_;
};

}  // namespace ccbench::link
