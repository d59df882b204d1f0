// What one iperf3 client run says about its flow, read from its JSON
// (`iperf3 -c ... -J -i 0.1 --get-server-output`, server started with `-J -i 0.1`). The client is the
// sender. Until the sock_ops telemetry lands, the time series are iperf3's interval reports: per
// 100 ms, the receiver's bytes (the server's intervals, when present: the sender's count what
// left the socket buffer, which swings between 0 and twice the rate at 100 ms), and tcp_info's
// snd_cwnd and smoothed RTT sampled at the end of the sender's interval. The RTT percentiles are
// over those samples (srtt, not per-ACK samples).
#pragma once
#include "common.h"
#include "result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ccbench::run {

using ccload::Result;

struct FlowSeries {
  std::vector<double> t_s;             // end of each interval, seconds from the flow's start
  std::vector<double> throughput_bps;  // receiver's bytes in the interval (sender's if absent)
  std::vector<double> cwnd_bytes;
  std::vector<double> rtt_ms;          // smoothed RTT (tcp_info) at the interval's end
};

struct FlowResult {
  std::string cc;               // what the sender actually used (iperf3 reports it)
  double seconds = 0;           // receiver's measured duration
  uint64_t bytes_received = 0;
  double goodput_bps = 0;       // receiver side
  double sent_bps = 0;
  uint64_t retransmits = 0;
  // CPU seconds, from iperf3's cpu_utilization_percent (getrusage of each iperf3 process, user +
  // system, as a share of the test's wall time) times the test's duration.
  double cpu_sender_s = 0, cpu_receiver_s = 0;
  double rtt_min_ms = 0;        // iperf3's own min over its srtt samples
  FlowSeries series;
};

// Fails with iperf3's own error text when the run failed ("error" member).
Result<FlowResult> parse_iperf_json(const std::string &text);

}  // namespace ccbench::run
