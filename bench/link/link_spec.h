// What a link is: the user's words (LinkArgs, strings as typed) and the validated, resolved
// settings every backend builds from (LinkSpec). Validation is the only place that knows the
// valid ranges, so `ccbench link up` and the benchmark reject the same inputs with the same words.
#pragma once
#include "common.h"
#include "result.h"
#include "trace.h"
#include "units.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ccbench::link {

using ccload::Result;

// Packets on the bottleneck are at most this big (IP MTU), and each is charged this much framing
// (an Ethernet header) in rate mode, so the kernel path (which sees Ethernet frames) and the
// userspace path (which sees IP packets) drain at the same rate and hold the same bytes.
inline constexpr uint32_t kMtu = 1500;
inline constexpr uint32_t kFramingBytes = 14;
inline constexpr uint32_t kMaxWireBytes = kMtu + kFramingBytes;

enum class Backend { automatic, kernel, tun };

struct LinkArgs {
  std::string name;       // empty: pick a free one
  std::string rate;       // "100mbit"; empty with a trace
  std::string rtt = "0";
  std::string buffer;     // empty: the default (1bdp, at least 10 packets)
  std::string loss = "0%";
  std::string ecn_threshold;  // empty: no marking
  std::string trace;      // Mahimahi trace file
  std::string backend = "auto";
  std::string record_dir; // empty: /run/ccbench/links/<name>
  bool gso = false;
  bool record = true;
  // "PORT=RTT", e.g. "5302=40ms": the flow whose server listens on PORT has this base RTT.
  std::vector<std::string> flow_rtts;
};

// A queue limit, in packets or in bytes (exactly one is non-zero).
struct Limit {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  // In bytes, a packet counted as a full-size frame (for comparisons across units).
  uint64_t as_bytes() const { return packets ? packets * kMaxWireBytes : bytes; }
};

// One flow class with a base RTT of its own: the link's RTT plus extra_ns, all of it added on the
// ACK path (server -> client) to packets whose source port is `port`, outside the bottleneck.
struct FlowRtt {
  uint16_t port = 0;
  int64_t rtt_ns = 0;    // the flow's whole base RTT
  int64_t extra_ns = 0;  // rtt_ns - the link's rtt_ns
};
inline constexpr size_t kMaxFlowRtts = 16;

struct LinkSpec {
  std::string name;
  uint64_t rate_bps = 0;   // the shaped rate; with a trace, the trace's average (for BDP)
  int64_t rtt_ns = 0;      // base RTT: rtt/2 on the data path, rtt/2 on the ACK path
  Limit buffer;
  std::string buffer_text;
  double loss = 0;         // drop probability on the data path, 0..1
  std::optional<Limit> ecn_threshold;
  std::optional<Trace> trace;
  Backend backend = Backend::automatic;
  bool gso = false;
  bool record = true;
  std::string record_dir;
  std::vector<FlowRtt> flow_rtts;  // sorted by port; tun backend only
};

// Validates everything the user typed; the error is one line naming the parameter and its range.
Result<LinkSpec> resolve(const LinkArgs &args);
// Parses "PORT=RTT" (e.g. "5302=40ms") for --flow-rtt; the RTT is the flow's whole base RTT.
Result<FlowRtt> parse_flow_rtt(const std::string &text);
// Link names become parts of namespace names and paths.
Result<> check_name(const std::string &name);

std::string to_string(Backend b);
nlohmann::json to_json(const LinkSpec &spec);
Result<LinkSpec> spec_from_json(const nlohmann::json &j);

}  // namespace ccbench::link
