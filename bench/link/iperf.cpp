#include "iperf.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "poll_until.h"
#include "process.h"

namespace ccbench::link {

using ccload::fail;

Result<> wait_listening(const std::string &ns, int port, std::chrono::milliseconds timeout) {
  const std::string needle = ":" + std::to_string(port) + " ";
  auto listening = [&] {
    auto r = ccload::run({"ip", "netns", "exec", ns, "ss", "-Hltn"});
    return r && r->ok() && r->out.find(needle) != std::string::npos;
  };
  if (!ccload::poll_until(listening, timeout, std::chrono::milliseconds(10)))
    return fail("nothing listened on port " + std::to_string(port) + " in " + ns + " in time");
  return {};
}

Result<IperfResult> run_iperf(const LinkState &link, const IperfOptions &o) {
  const std::string port = std::to_string(o.port);
  auto server = ccload::BackgroundProcess::start(
      {"ip", "netns", "exec", link.server_ns, "iperf3", "-s", "-1", "-p", port});
  if (!server) return std::unexpected(server.error());
  if (auto r = wait_listening(link.server_ns, o.port, std::chrono::seconds(5)); !r) return std::unexpected(r.error());

  std::vector<std::string> argv{"ip", "netns", "exec", link.client_ns, "iperf3", "-c", kServerAddress, "-p", port,
                                "-J", "-t", std::to_string(o.seconds)};
  if (!o.udp_rate.empty()) argv.insert(argv.end(), {"-u", "-b", o.udp_rate, "-l", std::to_string(o.udp_length)});
  if (!o.congestion.empty()) argv.insert(argv.end(), {"-C", o.congestion});
  argv.insert(argv.end(), o.extra.begin(), o.extra.end());
  auto out = ccload::run(argv);
  if (!out) return std::unexpected(out.error());
  try {
    auto j = nlohmann::json::parse(out->out);
    if (j.contains("error")) return fail("iperf3: " + j["error"].get<std::string>());
    const auto &end = j.at("end");
    IperfResult r;
    if (o.udp_rate.empty()) {
      r.goodput_bps = end.at("sum_received").at("bits_per_second").get<double>();
      r.sent_bps = end.at("sum_sent").at("bits_per_second").get<double>();
      r.seconds = end.at("sum_received").at("seconds").get<double>();
      if (end.contains("streams") && !end["streams"].empty())
        r.min_rtt_ms = end["streams"][0].at("sender").value("min_rtt", 0.0) / 1000.0;
    } else {
      // The client's summary of a UDP test carries the server's loss count.
      const auto &sum = end.at("sum");
      r.goodput_bps = sum.at("bits_per_second").get<double>() *
                      (1.0 - sum.value("lost_percent", 0.0) / 100.0);
      r.sent_bps = sum.at("bits_per_second").get<double>();
      r.seconds = sum.at("seconds").get<double>();
      r.udp_packets = sum.value("packets", uint64_t{0});
      r.udp_lost = sum.value("lost_packets", uint64_t{0});
    }
    return r;
  } catch (const nlohmann::json::exception &e) {
    return fail(std::string("could not read iperf3's output: ") + e.what() + "; stderr: " + out->err);
  }
}

Result<double> process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return fail("cannot read /proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(text.substr(paren + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  // After "pid (comm) ", utime and stime are the 12th and 13th fields.
  for (int i = 1; i <= 13 && fields >> f; ++i) {
    if (i == 12) utime = std::stoull(f);
    if (i == 13) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace ccbench::link
