#include "daemon.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "emulator.h"
#include "kernel_path.h"
#include "netns.h"
#include "state.h"
#include "sysctl.h"
#include "tun.h"

namespace ccbench::link {

using ccload::fail;
using ccload::Result;
using ccload::UniqueFd;

namespace {

void tell(int fd, const std::string &msg) {
  if (fd < 0) return;
  std::string line = msg + "\n";
  (void)::write(fd, line.data(), line.size());
}

// One of the two runtimes, whichever backend was chosen.
struct Runtime {
  ccload::NetNamespace router;  // kernel path only
  std::unique_ptr<Emulator> emulator;
  std::unique_ptr<KernelPath> kernel;
};

Result<UniqueFd> block_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
  // Blocked before any thread starts, so every thread inherits the mask and only the signalfd
  // sees the signals.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  UniqueFd fd(signalfd(-1, &set, SFD_CLOEXEC));
  if (!fd) return ccload::fail_errno("Failed to create a signalfd");
  return fd;
}

// Per-namespace settings both backends need.
Result<> tune_namespace(const std::string &ns, const LinkSpec &spec) {
  auto inside = ccload::NetnsEnter::enter(ns);
  if (!inside) return std::unexpected(inside.error());
  // ECN has to be requested by the flows for the marks to matter; 1 = request and accept.
  if (spec.ecn_threshold)
    if (auto r = ccload::write_sysctl("net.ipv4.tcp_ecn", "1"); !r) return r;
  return {};
}

Result<LinkState> build(const LinkSpec &spec, ccload::NetNamespace &client, ccload::NetNamespace &server,
                        Runtime &rt) {
  LinkState st;
  st.name = spec.name;
  st.pid = getpid();
  st.starting = false;
  st.spec = to_json(spec);
  st.log = std::string(kLinksDir) + "/" + spec.name + ".log";
  st.client_ns = client.name();
  st.server_ns = server.name();
  for (const auto *ns : {&client, &server})
    if (auto r = tune_namespace(ns->name(), spec); !r) return std::unexpected(r.error());

  RecordWriter records;
  if (spec.record) {
    std::string dir = spec.record_dir.empty() ? default_record_dir(spec.name) : spec.record_dir;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    st.records = dir + "/records.bin";
    auto w = RecordWriter::create(st.records);
    if (!w) return std::unexpected(w.error());
    records = std::move(*w);
  }

  bool use_kernel = false, netem = false;
  if (spec.backend == Backend::kernel) {
    use_kernel = true;
    netem = spec.rtt_ns > 0;
    if (netem && !netem_available(client.name()))
      return fail("--backend kernel needs netem for --rtt above 0, and this kernel has no netem",
                  "use --backend tun (the userspace emulator) or --rtt 0");
    st.backend_note = "kernel path requested";
  } else if (spec.backend == Backend::tun) {
    st.backend_note = "userspace emulator requested";
  } else if (spec.trace) {
    st.backend_note = "userspace emulator: only it replays rate traces";
  } else if (!spec.flow_rtts.empty()) {
    st.backend_note = "userspace emulator: only it adds per-flow delay (--flow-rtt)";
  } else if (spec.rtt_ns == 0) {
    use_kernel = true;
    st.backend_note = "kernel path: no delay to add";
  } else if (netem_available(client.name())) {
    use_kernel = netem = true;
    st.backend_note = "kernel path with netem for the delay";
  } else {
    st.backend_note = "userspace emulator: this kernel has no netem for the delay";
  }

  if (use_kernel) {
    st.backend = netem ? "kernel+netem" : "kernel";
    st.client_dev = kClientVeth;
    st.server_dev = kServerVeth;
    auto router = ccload::NetNamespace::create(ccload::owned_name(spec.name + "-r"));
    if (!router) return std::unexpected(router.error());
    rt.router = std::move(*router);
    st.router_ns = rt.router.name();
    auto k = KernelPath::build(spec, client.name(), rt.router.name(), server.name(), netem, std::move(records));
    if (!k) return std::unexpected(std::move(k.error()).context("building the kernel path"));
    rt.kernel = std::move(*k);
  } else {
    st.backend = "tun";
    st.client_dev = "tun-c";
    st.server_dev = "tun-s";
    auto c = open_tun({client.name(), st.client_dev, kClientAddress, kServerAddress});
    if (!c) return std::unexpected(c.error());
    // The server's device takes GSO writes: the emulator coalesces data bursts after the
    // bottleneck as a receiver's GRO would (coalesce.h).
    auto s = open_tun({server.name(), st.server_dev, kServerAddress, kClientAddress, /*vnet_header=*/true});
    if (!s) return std::unexpected(s.error());
    auto e = Emulator::start(spec, std::move(*c), std::move(*s), std::move(records));
    if (!e) return std::unexpected(e.error());
    rt.emulator = std::move(*e);
  }
  return st;
}

void serve(int signal_fd, Runtime &rt) {
  UniqueFd ep(epoll_create1(EPOLL_CLOEXEC));
  int rec_fd = rt.kernel ? rt.kernel->records_fd() : -1;
  for (int fd : {signal_fd, rec_fd}) {
    if (fd < 0) continue;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev);
  }
  for (;;) {
    epoll_event events[2];
    int n = epoll_wait(ep.get(), events, 2, 100);
    if (rt.kernel) {
      rt.kernel->drain_records();
      rt.kernel->flush();  // at least every 100 ms, so `stats` sees a running link
    }
    for (int i = 0; i < n; ++i)
      if (events[i].data.fd == signal_fd) return;
  }
}

}  // namespace

int run_daemon(const LinkSpec &spec, int ready_fd) {
  auto sigfd = block_signals();
  if (!sigfd) {
    tell(ready_fd, sigfd.error().message);
    return 1;
  }
  auto client = ccload::NetNamespace::create(ccload::owned_name(spec.name + "-c"));
  if (!client) {
    tell(ready_fd, client.error().message);
    return 1;
  }
  auto server = ccload::NetNamespace::create(ccload::owned_name(spec.name + "-s"));
  if (!server) {
    tell(ready_fd, server.error().message);
    return 1;
  }
  Runtime rt;
  auto st = build(spec, *client, *server, rt);
  if (!st) {
    tell(ready_fd, st.error().message + (st.error().hint.empty() ? "" : "\n" + st.error().hint));
    return 1;
  }
  if (auto w = write_state(*st); !w) {
    tell(ready_fd, w.error().message);
    return 1;
  }
  tell(ready_fd, "ok");
  ::close(ready_fd);
  serve(sigfd->get(), rt);
  // Stop moving packets before the devices go; the namespaces go when client/server are destroyed.
  rt.emulator.reset();
  rt.kernel.reset();
  rt.router.reset();
  remove_state(*st);
  return 0;
}

}  // namespace ccbench::link
