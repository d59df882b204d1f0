#include "iperf_json.h"

#include <nlohmann/json.hpp>

namespace ccbench::run {

using ccload::fail;
using nlohmann::json;

Result<FlowResult> parse_iperf_json(const std::string &text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception &e) {
    return fail(std::string("iperf3's output is not JSON (") + e.what() + ")",
                "look at the raw file; iperf3 may have crashed or printed a plain-text error");
  }
  if (j.contains("error")) return fail("iperf3 failed: " + j["error"].get<std::string>());
  try {
    FlowResult r;
    const json &end = j.at("end");
    const json &recv = end.at("sum_received");
    const json &sent = end.at("sum_sent");
    r.cc = end.value("sender_tcp_congestion", "");
    r.seconds = recv.at("seconds").get<double>();
    r.bytes_received = recv.at("bytes").get<uint64_t>();
    r.goodput_bps = recv.at("bits_per_second").get<double>();
    r.sent_bps = sent.at("bits_per_second").get<double>();
    r.retransmits = sent.value("retransmits", uint64_t{0});
    const double sender_seconds = sent.at("seconds").get<double>();
    const json &cpu = end.at("cpu_utilization_percent");
    r.cpu_sender_s = cpu.at("host_total").get<double>() / 100.0 * sender_seconds;
    r.cpu_receiver_s = cpu.at("remote_total").get<double>() / 100.0 * sender_seconds;
    if (end.contains("streams") && !end["streams"].empty()) {
      const json &s = end["streams"][0].at("sender");
      r.rtt_min_ms = s.value("min_rtt", 0.0) / 1000.0;
    }
    for (const json &iv : j.at("intervals")) {
      const json &sum = iv.at("sum");
      if (sum.value("omitted", false)) continue;
      const json &st = iv.at("streams").at(0);
      r.series.t_s.push_back(sum.at("end").get<double>());
      r.series.throughput_bps.push_back(sum.at("bits_per_second").get<double>());
      r.series.cwnd_bytes.push_back(st.value("snd_cwnd", 0.0));
      r.series.rtt_ms.push_back(st.value("rtt", 0.0) / 1000.0);
    }
    // The receiver's 100 ms intervals replace the sender's where the server's report came along.
    if (j.contains("server_output_json") && j["server_output_json"].contains("intervals")) {
      const json &server = j["server_output_json"]["intervals"];
      for (size_t k = 0; k < r.series.throughput_bps.size() && k < server.size(); ++k)
        r.series.throughput_bps[k] = server[k].at("sum").at("bits_per_second").get<double>();
    }
    return r;
  } catch (const json::exception &e) {
    return fail(std::string("iperf3's JSON lacks what a TCP client run reports: ") + e.what(),
                "ccbench needs iperf3 >= 3.7 run as a TCP client with -J");
  }
}

}  // namespace ccbench::run
