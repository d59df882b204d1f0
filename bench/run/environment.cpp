#include "environment.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <chrono>
#include <ctime>
#include <fstream>

#include "process.h"
#include "sysctl.h"

#ifndef CCBENCH_SOURCE_DIR
#define CCBENCH_SOURCE_DIR "."
#endif
#ifndef CCBENCH_VERSION
#define CCBENCH_VERSION "unknown"
#endif

namespace ccbench::run {

using nlohmann::json;

std::string utc_now_iso() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

namespace {

std::string first_line(const std::vector<std::string> &argv) {
  auto r = ccload::run(argv);
  if (!r || !r->ok()) return "unavailable";
  std::string out = r->out.empty() ? r->err : r->out;
  return out.substr(0, out.find('\n'));
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("model name")) return line.substr(line.find(':') + 2);
  return "unknown";
}

}  // namespace

json capture_environment() {
  json env;
  utsname u{};
  uname(&u);
  env["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.version;
  env["machine"] = u.machine;
  env["hostname"] = u.nodename;
  env["cpu_model"] = cpu_model();
  env["cpus_online"] = sysconf(_SC_NPROCESSORS_ONLN);
  json sysctls;
  for (const char *key : {"net.ipv4.tcp_congestion_control", "net.ipv4.tcp_available_congestion_control",
                          "net.ipv4.tcp_ecn", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "net.core.rmem_max",
                          "net.core.wmem_max", "net.core.default_qdisc", "net.ipv4.tcp_min_rtt_wlen",
                          "net.ipv4.tcp_no_metrics_save", "net.ipv4.tcp_sack", "net.ipv4.tcp_timestamps"}) {
    auto v = ccload::read_sysctl(key);
    sysctls[key] = v ? *v : "unreadable";
  }
  env["sysctls_root_namespace"] = sysctls;
  env["sysctls_note"] = "each path's namespaces start from the kernel defaults for per-namespace sysctls; "
                        "links with ECN marking set net.ipv4.tcp_ecn=1 in both";
  env["tools"] = {{"iperf3", first_line({"iperf3", "--version"})},
                  {"ip", first_line({"ip", "-V"})},
                  {"libbpf", std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version())},
                  {"compiler", __VERSION__},
                  {"ccbench", CCBENCH_VERSION}};
  auto commit = ccload::run({"git", "-C", CCBENCH_SOURCE_DIR, "rev-parse", "HEAD"});
  auto dirty = ccload::run({"git", "-C", CCBENCH_SOURCE_DIR, "status", "--porcelain", "--untracked-files=no"});
  std::string c = commit && commit->ok() ? commit->out.substr(0, commit->out.find('\n')) : "unknown";
  if (dirty && dirty->ok() && !dirty->out.empty()) c += " (with uncommitted changes)";
  env["project_commit"] = c;
  env["cpu_time_source"] = "iperf3 end.cpu_utilization_percent (getrusage of each iperf3 process) x test duration";
  return env;
}

}  // namespace ccbench::run
