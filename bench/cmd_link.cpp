#include "cmd_link.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cmd_common.h"
#include "link/ceiling.h"
#include "link/daemon.h"
#include "link/links.h"
#include "link/records.h"

namespace ccbench {

using namespace ccbench::link;

namespace {

std::string limit_text(const Limit &l) {
  return l.packets ? fmt::format("{} packets", l.packets) : fmt::format("{} bytes", l.bytes);
}

// "5302=40ms 5303=80ms", or "" without per-flow RTTs.
std::string flow_rtts_text(const LinkSpec &s) {
  std::string out;
  for (const auto &f : s.flow_rtts) out += fmt::format("{}{}={}", out.empty() ? "" : " ", f.port, format_duration(f.rtt_ns));
  return out;
}

nlohmann::json effective(const LinkSpec &s) {
  nlohmann::json j{{"rate", format_rate(s.rate_bps)},
                   {"rate_bps", s.rate_bps},
                   {"rtt", format_duration(s.rtt_ns)},
                   {"rtt_ns", s.rtt_ns},
                   {"buffer", s.buffer_text},
                   {"buffer_limit", limit_text(s.buffer)},
                   {"loss_percent", s.loss * 100},
                   {"gso", s.gso}};
  j["ecn_threshold"] = s.ecn_threshold ? nlohmann::json(limit_text(*s.ecn_threshold)) : nlohmann::json(nullptr);
  j["trace"] = s.trace ? nlohmann::json(s.trace->path) : nlohmann::json(nullptr);
  j["flow_rtts"] = nlohmann::json::object();
  for (const auto &f : s.flow_rtts) j["flow_rtts"][std::to_string(f.port)] = format_duration(f.rtt_ns);
  return j;
}

void print_link(const LinkState &st, bool json) {
  auto spec = spec_from_json(st.spec);
  if (json) {
    auto j = to_json(st);
    if (spec) j["effective"] = effective(*spec);
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("link {} up (pid {}), backend {}: {}\n", st.name, st.pid, st.backend, st.backend_note);
  std::cout << fmt::format("  client  namespace {}  device {}  address {}\n", st.client_ns, st.client_dev, kClientAddress);
  std::cout << fmt::format("  server  namespace {}  device {}  address {}\n", st.server_ns, st.server_dev, kServerAddress);
  if (spec) {
    std::cout << fmt::format("  rate {}{}  rtt {}  buffer {} ({})  loss {}%  ecn-threshold {}\n",
                             format_rate(spec->rate_bps), spec->trace ? " (trace " + spec->trace->path + ")" : "",
                             format_duration(spec->rtt_ns), spec->buffer_text, limit_text(spec->buffer),
                             spec->loss * 100, spec->ecn_threshold ? limit_text(*spec->ecn_threshold) : "off");
    if (!spec->flow_rtts.empty())
      std::cout << "  flow RTTs (server port=RTT, extra delay on the ACK path) " << flow_rtts_text(*spec) << "\n";
  }
  if (!st.records.empty()) std::cout << "  records " << st.records << "\n";
  std::cout << fmt::format("  try: ip netns exec {} ping {}\n", st.client_ns, kServerAddress);
}

void add_up(CLI::App &link, std::function<int()> &run) {
  auto args = std::make_shared<LinkArgs>();
  auto json = std::make_shared<bool>(false);
  auto no_record = std::make_shared<bool>(false);
  auto *up = link.add_subcommand("up", "Create a client and a server namespace joined by an emulated bottleneck");
  up->add_option("--name", args->name, "link name (default: the first free linkN)");
  up->add_option("--rate", args->rate, "bottleneck rate, 64kbit..40gbit (e.g. 100mbit)");
  up->add_option("--rtt", args->rtt, "base round-trip time, 0..5s (e.g. 40ms)")->capture_default_str();
  up->add_option("--buffer", args->buffer, "bottleneck buffer: 200pkt, 256kb or 1bdp (default 1bdp, at least 10pkt)");
  up->add_option("--loss", args->loss, "random loss on the data path, 0%..100%")->capture_default_str();
  up->add_option("--ecn-threshold", args->ecn_threshold, "mark CE above this queue (e.g. 20pkt); default off");
  up->add_option("--trace", args->trace, "Mahimahi trace file driving the rate (instead of --rate)");
  up->add_option("--flow-rtt", args->flow_rtts,
                 "PORT=RTT: the flow whose server listens on PORT gets this base RTT (at least --rtt; the extra "
                 "delay is added on the ACK path); repeatable, tun backend only");
  up->add_option("--backend", args->backend, "auto, kernel or tun")->capture_default_str();
  up->add_flag("--gso", args->gso, "kernel path: keep GSO/TSO/GRO on (needed above ~5gbit here; buffer then counts bytes)");
  up->add_option("--record-dir", args->record_dir, "where per-packet records go (kept after down)");
  up->add_flag("--no-record", *no_record, "do not record per-packet queueing delay");
  up->add_flag("--json", *json, "print the link as JSON");
  up->callback([&run, args, json, no_record] {
    run = [args, json, no_record] {
      args->record = !*no_record;
      auto spec = resolve(*args);
      if (!spec) return report_error(spec.error(), kUsage);
      if (!spec->name.empty() && link_exists(spec->name))
        return report_error(ccload::Error{0, "--name: a link named '" + spec->name + "' is already up",
                                    "choose another --name, or run `ccbench link down " + spec->name + "` first"},
                      kUsage);
      auto st = link_up(*spec);
      if (!st) return report_error(st.error(), kFailed);
      print_link(*st, *json);
      return kOk;
    };
  });
}

void add_down(CLI::App &link, std::function<int()> &run) {
  auto name = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto *down = link.add_subcommand("down", "Remove a link (namespaces, devices, tc state, emulator)");
  down->add_option("name", *name, "the link to remove");
  down->add_flag("--all", *all, "remove every link, and the leftovers of killed ones");
  down->add_flag("--json", *json, "print what was removed as JSON");
  down->callback([&run, name, all, json] {
    run = [name, all, json] {
      if (*all == !name->empty())
        return report_error(ccload::Error{0, "link down: give either a link name or --all", "`ccbench link list` shows the links"}, kUsage);
      std::vector<std::string> removed;
      if (*all) {
        removed = link_down_all();
      } else {
        if (auto r = link_down(*name); !r) return report_error(r.error(), kFailed);
        removed.push_back(*name);
      }
      if (*json)
        std::cout << nlohmann::json{{"removed", removed}}.dump() << "\n";
      else
        for (const auto &n : removed) std::cout << "link " << n << " down\n";
      return kOk;
    };
  });
}

void add_list(CLI::App &link, std::function<int()> &run) {
  auto json = std::make_shared<bool>(false);
  auto *list = link.add_subcommand("list", "Show the links that are up");
  list->add_flag("--json", *json, "print as JSON");
  list->callback([&run, json] {
    run = [json] {
      reap_stale_links();
      auto states = list_states();
      if (*json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto &s : states) arr.push_back(to_json(s));
        std::cout << arr.dump(2) << "\n";
        return kOk;
      }
      if (states.empty()) std::cout << "no links are up\n";
      for (const auto &s : states) {
        auto spec = spec_from_json(s.spec);
        std::string flows = spec && !spec->flow_rtts.empty() ? "  flow RTTs " + flow_rtts_text(*spec) : "";
        std::cout << fmt::format("{:<12} {:<7} {:<10} rtt {:<8} client {}  server {}{}{}\n", s.name, s.backend,
                                 spec ? format_rate(spec->rate_bps) : "?", spec ? format_duration(spec->rtt_ns) : "?",
                                 s.client_ns, s.server_ns, flows, s.starting ? "  (starting)" : "");
      }
      return kOk;
    };
  });
}

void add_stats(CLI::App &link, std::function<int()> &run) {
  auto name = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto dump = std::make_shared<bool>(false);
  auto *stats = link.add_subcommand("stats", "Summarise a link's per-packet records (queueing delay, drops, marks)");
  stats->add_option("name", *name, "the link");
  stats->add_option("--records", *file, "read this record file instead (e.g. one kept with --record-dir)");
  stats->add_flag("--json", *json, "print as JSON");
  stats->add_flag("--dump", *dump, "print every record as a JSON line");
  stats->callback([&run, name, file, json, dump] {
    run = [name, file, json, dump] {
      std::string path = *file;
      std::string flows;  // the link's per-flow RTTs, when it has any
      if (path.empty()) {
        if (name->empty())
          return report_error(ccload::Error{0, "link stats: give a link name or --records FILE", ""}, kUsage);
        auto st = read_state(*name);
        if (!st) return report_error(st.error(), kFailed);
        if (st->records.empty())
          return report_error(ccload::Error{0, "link " + *name + " records nothing (it was started with --no-record)", ""}, kFailed);
        path = st->records;
        if (auto spec = spec_from_json(st->spec); spec && !spec->flow_rtts.empty()) flows = flow_rtts_text(*spec);
      }
      auto records = read_records(path);
      if (!records) return report_error(records.error(), kFailed);
      if (*dump) {
        for (const auto &r : *records) std::cout << to_json(r).dump() << "\n";
        return kOk;
      }
      auto s = summarize(*records);
      if (*json) {
        std::cout << nlohmann::json{{"link", *name}, {"records", path}, {"summary", to_json(s)}, {"flow_rtts", flows}}.dump(2)
                  << "\n";
        return kOk;
      }
      std::cout << fmt::format(
          "{} packets: {} forwarded, {} lost ({:.3f}%), {} dropped by the full buffer, {} CE-marked of {} ECT\n"
          "queueing delay{} ms: mean {:.3f}  p50 {:.3f}  p95 {:.3f}  p99 {:.3f}  max {:.3f}\n",
          s.packets, s.forwarded, s.drops_loss, s.loss_rate * 100, s.drops_overflow, s.marks, s.ect,
          s.estimated ? " (modelled)" : "", s.qdelay_ms_mean, s.qdelay_ms_p50, s.qdelay_ms_p95, s.qdelay_ms_p99,
          s.qdelay_ms_max);
      if (!flows.empty())
        std::cout << "flow RTTs (server port=RTT; records cover the shared queue, which every flow sees alike): " << flows << "\n";
      return kOk;
    };
  });
}

void add_bench(CLI::App &link, std::function<int()> &run) {
  auto rtt = std::make_shared<std::string>("10ms");
  auto seconds = std::make_shared<double>(5);
  auto json = std::make_shared<bool>(false);
  auto no_record = std::make_shared<bool>(false);
  auto *bench = link.add_subcommand("bench", "Measure the userspace emulator's throughput ceiling and CPU per Gbit/s");
  bench->add_option("--rtt", *rtt, "RTT of the test link")->capture_default_str();
  bench->add_option("--seconds", *seconds, "length of the iperf3 run")->capture_default_str();
  bench->add_flag("--no-record", *no_record, "measure without per-packet records");
  bench->add_flag("--json", *json, "print as JSON");
  bench->callback([&run, rtt, seconds, json, no_record] {
    run = [rtt, seconds, json, no_record] {
      auto ns = parse_duration("rtt", *rtt);
      if (!ns) return report_error(ns.error(), kUsage);
      auto r = measure_ceiling({.rtt_ns = *ns, .seconds = *seconds, .record = !*no_record});
      if (!r) return report_error(r.error(), kFailed);
      if (*json) {
        std::cout << to_json(*r).dump(2) << "\n";
      } else {
        std::cout << fmt::format("userspace emulator at rtt {}: {:.3f} Gbit/s, daemon {:.2f} cores, "
                                 "{:.3f} CPU-seconds per Gbit\n",
                                 *rtt, r->goodput_bps / 1e9, r->daemon_cpu_s / r->seconds, r->cpu_per_gbit());
      }
      return kOk;
    };
  });
}

void add_daemon(CLI::App &link, std::function<int()> &run) {
  auto spec_text = std::make_shared<std::string>();
  auto ready_fd = std::make_shared<int>(-1);
  auto *daemon = link.add_subcommand("daemon", "(internal) keep a link up; started by `link up`");
  daemon->group("");  // hidden from --help
  daemon->add_option("--spec", *spec_text)->required();
  daemon->add_option("--ready-fd", *ready_fd);
  daemon->callback([&run, spec_text, ready_fd] {
    run = [spec_text, ready_fd] {
      ccload::Result<LinkSpec> spec = ccload::fail("unreadable --spec");
      try {
        spec = spec_from_json(nlohmann::json::parse(*spec_text));
      } catch (const nlohmann::json::exception &) {
      }
      if (!spec) return report_error(spec.error(), kUsage);
      return run_daemon(*spec, *ready_fd);
    };
  });
}

}  // namespace

void add_link_commands(CLI::App &app, std::function<int()> &run) {
  auto *link = app.add_subcommand("link", "Emulated bottleneck links between network namespaces");
  link->require_subcommand(1);
  add_up(*link, run);
  add_down(*link, run);
  add_list(*link, run);
  add_stats(*link, run);
  add_bench(*link, run);
  add_daemon(*link, run);
}

}  // namespace ccbench
