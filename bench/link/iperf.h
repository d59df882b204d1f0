// Measuring a link with iperf3, for `ccbench link bench` and the link tests: a server in the
// server namespace, a client in the client namespace, the receiver's goodput from iperf3's JSON.
#pragma once
#include "common.h"
#include "links.h"
#include "result.h"

#include <string>
#include <vector>

namespace ccbench::link {

struct IperfResult {
  double goodput_bps = 0;      // TCP: receiver's goodput; UDP: what arrived
  double sent_bps = 0;
  double seconds = 0;
  uint64_t udp_packets = 0, udp_lost = 0;
  double min_rtt_ms = 0;       // TCP: the sender's smallest srtt sample (tcp_info), 0 if none
};

struct IperfOptions {
  double seconds = 3;
  std::string udp_rate;            // non-empty: a UDP stream at this rate ("50M")
  int udp_length = 1400;
  std::string congestion;          // -C
  int port = 5201;
  std::vector<std::string> extra;  // more client arguments
};

Result<IperfResult> run_iperf(const LinkState &link, const IperfOptions &options);

// Blocks until something listens on TCP `port` in namespace `ns`, or the deadline passes.
Result<> wait_listening(const std::string &ns, int port, std::chrono::milliseconds timeout);

// CPU seconds (user + system, all threads) a process has used so far.
Result<double> process_cpu_seconds(int pid);

}  // namespace ccbench::link
