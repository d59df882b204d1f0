#include "link_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ccbench::link {
namespace {

using ccload::fail;

constexpr uint64_t kMinRate = 64'000;               // below this a 1500-byte packet takes 190 ms
constexpr uint64_t kMaxRate = 40'000'000'000;       // veth tops out well below this
constexpr int64_t kMaxRtt = 5'000'000'000;          // 5 s: beyond any real path
constexpr uint64_t kMaxBufferBytes = 1'000'000'000;
constexpr uint64_t kDefaultMinBufferPackets = 10;

template <class T>
std::unexpected<ccload::Error> pass(Result<T> &r) {
  return std::unexpected(r.error());
}

Result<Limit> to_limit(const Size &size, std::string_view param, uint64_t bdp_bytes) {
  Limit limit;
  switch (size.unit) {
    case Size::Unit::packets:
      if (size.value != std::floor(size.value))
        return fail(fmt::format("--{}: '{}' is not a whole number of packets", param, size.text));
      limit.packets = static_cast<uint64_t>(size.value);
      break;
    case Size::Unit::bytes:
      limit.bytes = static_cast<uint64_t>(std::llround(size.value));
      break;
    case Size::Unit::bdp:
      if (bdp_bytes == 0)
        return fail(fmt::format("--{}: '{}' is in BDPs, but with --rtt 0 the BDP is 0; give "
                                "packets (200pkt) or bytes (256kb)", param, size.text));
      limit.bytes = static_cast<uint64_t>(std::llround(size.value * static_cast<double>(bdp_bytes)));
      break;
  }
  return limit;
}

}  // namespace

Result<FlowRtt> parse_flow_rtt(const std::string &text) {
  const auto eq = text.find('=');
  const std::string port_text = text.substr(0, eq);
  bool digits = !port_text.empty() && port_text.size() <= 5 &&
                std::all_of(port_text.begin(), port_text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (eq == std::string::npos || !digits || std::stoul(port_text) < 1 || std::stoul(port_text) > 65535)
    return fail(fmt::format("--flow-rtt: '{}' is not PORT=RTT with a server port 1..65535 (e.g. 5302=40ms)", text));
  auto rtt = parse_duration("flow-rtt", text.substr(eq + 1));
  if (!rtt) return pass(rtt);
  if (*rtt > kMaxRtt) return fail(fmt::format("--flow-rtt: {} is outside the valid range 0ms to 5s", text));
  return FlowRtt{static_cast<uint16_t>(std::stoul(port_text)), *rtt, 0};
}

std::string to_string(Backend b) {
  switch (b) {
    case Backend::kernel: return "kernel";
    case Backend::tun: return "tun";
    case Backend::automatic: break;
  }
  return "auto";
}

Result<> check_name(const std::string &name) {
  bool ok = !name.empty() && name.size() <= 20 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name)
    ok = ok && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                c == '-' || c == '_');
  if (!ok)
    return fail(fmt::format("--name: '{}' is not a valid link name; use 1 to 20 characters "
                            "a-z, 0-9, '-' or '_', starting with a letter or digit", name));
  return {};
}

Result<LinkSpec> resolve(const LinkArgs &args) {
  LinkSpec spec;
  spec.name = args.name;
  if (!spec.name.empty())
    if (auto r = check_name(spec.name); !r) return pass(r);

  if (!args.trace.empty()) {
    if (!args.rate.empty())
      return fail("--rate and --trace both given; a trace sets the rate, so give only one");
    auto trace = load_trace(args.trace);
    if (!trace) return pass(trace);
    spec.trace = std::move(*trace);
    spec.rate_bps = spec.trace->average_bps();
  } else {
    if (args.rate.empty())
      return fail("--rate is required (e.g. --rate 100mbit), unless --trace gives a rate trace");
    auto rate = parse_rate("rate", args.rate);
    if (!rate) return pass(rate);
    if (*rate < kMinRate || *rate > kMaxRate)
      return fail(fmt::format("--rate: {} is outside the valid range 64kbit to 40gbit", args.rate));
    spec.rate_bps = *rate;
  }

  auto rtt = parse_duration("rtt", args.rtt);
  if (!rtt) return pass(rtt);
  if (*rtt > kMaxRtt)
    return fail(fmt::format("--rtt: {} is outside the valid range 0ms to 5s", args.rtt));
  spec.rtt_ns = *rtt;

  const uint64_t bdp_bytes =
      static_cast<uint64_t>(static_cast<double>(spec.rate_bps) / 8.0 * static_cast<double>(spec.rtt_ns) / 1e9);
  if (args.buffer.empty()) {
    // One BDP, but never so small that a handful of packets cannot queue.
    if (bdp_bytes >= kDefaultMinBufferPackets * kMaxWireBytes) {
      spec.buffer.bytes = bdp_bytes;
      spec.buffer_text = "1bdp";
    } else {
      spec.buffer.packets = kDefaultMinBufferPackets;
      spec.buffer_text = "10pkt";
    }
  } else {
    auto size = parse_size("buffer", args.buffer);
    if (!size) return pass(size);
    auto limit = to_limit(*size, "buffer", bdp_bytes);
    if (!limit) return pass(limit);
    if ((limit->packets == 0 && limit->bytes < kMaxWireBytes) || limit->as_bytes() > kMaxBufferBytes)
      return fail(fmt::format("--buffer: {} is outside the valid range of one packet (1pkt, {} bytes) "
                              "to 1gb{}", args.buffer, kMaxWireBytes,
                              size->unit == Size::Unit::bdp ? fmt::format("; 1bdp is {} bytes here", bdp_bytes) : ""));
    spec.buffer = *limit;
    spec.buffer_text = args.buffer;
  }

  auto loss = parse_percent("loss", args.loss);
  if (!loss) return pass(loss);
  spec.loss = *loss;

  if (!args.ecn_threshold.empty()) {
    auto size = parse_size("ecn-threshold", args.ecn_threshold);
    if (!size) return pass(size);
    auto k = to_limit(*size, "ecn-threshold", bdp_bytes);
    if (!k) return pass(k);
    if ((k->packets == 0 && k->bytes < kMaxWireBytes) || k->as_bytes() > spec.buffer.as_bytes())
      return fail(fmt::format("--ecn-threshold: {} is outside the valid range of 1pkt to the buffer "
                              "({})", args.ecn_threshold, spec.buffer_text));
    spec.ecn_threshold = *k;
  }

  if (args.backend == "kernel") {
    spec.backend = Backend::kernel;
    if (spec.trace)
      return fail("--backend kernel cannot replay a --trace; use --backend tun or auto");
  } else if (args.backend == "tun") {
    spec.backend = Backend::tun;
  } else if (args.backend != "auto") {
    return fail(fmt::format("--backend: '{}' is not one of auto, kernel, tun", args.backend));
  }
  spec.gso = args.gso;
  if (spec.gso && (spec.backend == Backend::tun || spec.trace))
    return fail("--gso applies to the kernel path only; drop it or use --backend kernel");
  // A GSO super-packet is up to 64 KB: a smaller buffer would drop every one of them.
  if (spec.gso && spec.buffer.as_bytes() < 128 * 1024)
    return fail(fmt::format("--buffer: {} is too small with --gso; give at least 128kib (e.g. 100pkt), "
                            "as one segmentation-offload packet is up to 64 KB", spec.buffer_text));
  if (args.flow_rtts.size() > kMaxFlowRtts)
    return fail(fmt::format("--flow-rtt: {} given; at most {} flows can have RTTs of their own", args.flow_rtts.size(),
                            kMaxFlowRtts));
  for (const auto &text : args.flow_rtts) {
    auto f = parse_flow_rtt(text);
    if (!f) return pass(f);
    if (f->rtt_ns < spec.rtt_ns)
      return fail(fmt::format("--flow-rtt: {} is shorter than the link's --rtt {}; a flow's RTT is the link's plus "
                              "extra delay, so give --rtt the shortest flow RTT", text, args.rtt));
    for (const auto &g : spec.flow_rtts)
      if (g.port == f->port) return fail(fmt::format("--flow-rtt: port {} is given twice", f->port));
    f->extra_ns = f->rtt_ns - spec.rtt_ns;
    spec.flow_rtts.push_back(*f);
  }
  std::sort(spec.flow_rtts.begin(), spec.flow_rtts.end(), [](const FlowRtt &a, const FlowRtt &b) { return a.port < b.port; });
  if (!spec.flow_rtts.empty() && (spec.backend == Backend::kernel || spec.gso))
    return fail("--flow-rtt needs the userspace emulator (the kernel path has no per-flow delay); use --backend tun "
                "or auto, without --gso");
  spec.record = args.record;
  spec.record_dir = args.record_dir;
  return spec;
}

namespace {
nlohmann::json limit_json(const Limit &l) { return {{"packets", l.packets}, {"bytes", l.bytes}}; }
Limit limit_from(const nlohmann::json &j) {
  return Limit{j.at("packets").get<uint64_t>(), j.at("bytes").get<uint64_t>()};
}
}  // namespace

nlohmann::json to_json(const LinkSpec &s) {
  nlohmann::json j{{"name", s.name},           {"rate_bps", s.rate_bps},
                   {"rtt_ns", s.rtt_ns},       {"buffer", limit_json(s.buffer)},
                   {"buffer_text", s.buffer_text}, {"loss", s.loss},
                   {"backend", to_string(s.backend)}, {"gso", s.gso},
                   {"record", s.record},       {"record_dir", s.record_dir}};
  j["ecn_threshold"] = s.ecn_threshold ? limit_json(*s.ecn_threshold) : nlohmann::json(nullptr);
  j["trace"] = s.trace ? nlohmann::json(s.trace->path) : nlohmann::json(nullptr);
  j["flow_rtts"] = nlohmann::json::array();
  for (const auto &f : s.flow_rtts) j["flow_rtts"].push_back({{"port", f.port}, {"rtt_ns", f.rtt_ns}, {"extra_ns", f.extra_ns}});
  return j;
}

Result<LinkSpec> spec_from_json(const nlohmann::json &j) {
  try {
    LinkSpec s;
    s.name = j.at("name").get<std::string>();
    s.rate_bps = j.at("rate_bps").get<uint64_t>();
    s.rtt_ns = j.at("rtt_ns").get<int64_t>();
    s.buffer = limit_from(j.at("buffer"));
    s.buffer_text = j.at("buffer_text").get<std::string>();
    s.loss = j.at("loss").get<double>();
    if (!j.at("ecn_threshold").is_null()) s.ecn_threshold = limit_from(j.at("ecn_threshold"));
    if (!j.at("trace").is_null()) {
      auto t = load_trace(j.at("trace").get<std::string>());
      if (!t) return std::unexpected(t.error());
      s.trace = std::move(*t);
    }
    auto b = j.at("backend").get<std::string>();
    s.backend = b == "kernel" ? Backend::kernel : b == "tun" ? Backend::tun : Backend::automatic;
    s.gso = j.at("gso").get<bool>();
    s.record = j.at("record").get<bool>();
    s.record_dir = j.at("record_dir").get<std::string>();
    // Absent in links described before per-flow RTTs existed.
    for (const auto &f : j.value("flow_rtts", nlohmann::json::array()))
      s.flow_rtts.push_back({f.at("port").get<uint16_t>(), f.at("rtt_ns").get<int64_t>(), f.at("extra_ns").get<int64_t>()});
    return s;
  } catch (const nlohmann::json::exception &e) {
    return fail(std::string("malformed link description: ") + e.what());
  }
}

}  // namespace ccbench::link
