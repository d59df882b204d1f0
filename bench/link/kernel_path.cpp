#include "kernel_path.h"

#include <bpf/libbpf.h>
#include <net/if.h>

#include <fmt/format.h>

#include <cmath>

#include "link_tc.skel.h"
#include "netns.h"
#include "process.h"
#include "state.h"

namespace ccbench::link {

using ccload::fail;
using ccload::fail_errno;
using ccload::Result;

namespace {

struct SkelDeleter {
  void operator()(link_tc *s) const { link_tc__destroy(s); }
};
struct RingDeleter {
  void operator()(ring_buffer *r) const { ring_buffer__free(r); }
};

Result<std::string> tc(const std::string &ns, std::vector<std::string> args) {
  std::vector<std::string> argv{"tc", "-n", ns};
  argv.insert(argv.end(), args.begin(), args.end());
  return ccload::run_checked(argv);
}

int on_record(void *ctx, void *data, size_t size) {
  if (size >= sizeof(link_record)) static_cast<RecordWriter *>(ctx)->add(*static_cast<const link_record *>(data));
  return 0;
}

}  // namespace

struct KernelPathState {
  std::unique_ptr<link_tc, SkelDeleter> skel;
  std::unique_ptr<ring_buffer, RingDeleter> ring;
  RecordWriter records;
};

KernelPath::KernelPath() : state_(std::make_unique<KernelPathState>()) {}
KernelPath::~KernelPath() {
  if (state_ && state_->ring) drain_records();
  flush();
}

bool netem_available(const std::string &ns) {
  auto r = ccload::run({"tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"});
  if (!r || !r->ok()) return false;
  (void)ccload::run({"tc", "-n", ns, "qdisc", "del", "dev", "lo", "root"});
  return true;
}

Result<std::unique_ptr<KernelPath>> KernelPath::build(const LinkSpec &spec, const std::string &client_ns,
                                                      const std::string &router_ns, const std::string &server_ns,
                                                      bool netem, RecordWriter records) {
  std::unique_ptr<KernelPath> path(new KernelPath());
  auto ip = [](const std::string &ns, std::vector<std::string> args) {
    std::vector<std::string> argv{"ip", "-n", ns};
    argv.insert(argv.end(), args.begin(), args.end());
    return ccload::run_checked(argv);
  };
  // client veth-c <-> r-c [br0] r-s <-> veth-s server. The bottleneck sits on r-s: a router's
  // egress, so its drops are network losses to the sender. On the sender's own egress a drop is
  // a local one that TCP retries on a timer instead of treating as congestion.
  struct Hop {
    std::string ns, dev, router_dev, address;
  };
  for (const Hop &h : {Hop{client_ns, kClientVeth, kRouterClientVeth, std::string(kClientAddress) + "/30"},
                       Hop{server_ns, kServerVeth, kRouterServerVeth, std::string(kServerAddress) + "/30"}}) {
    if (auto r = ip(h.ns, {"link", "add", h.dev, "type", "veth", "peer", "name", h.router_dev, "netns", router_ns}); !r)
      return std::unexpected(std::move(r.error()).context("Failed to create veth pair"));
    if (auto r = ip(h.ns, {"addr", "add", h.address, "dev", h.dev}); !r) return std::unexpected(r.error());
  }
  if (auto r = ip(router_ns, {"link", "add", "br0", "type", "bridge"}); !r)
    return std::unexpected(std::move(r.error()).context("Failed to create the router's bridge"));
  for (const char *dev : {kRouterClientVeth, kRouterServerVeth})
    if (auto r = ip(router_ns, {"link", "set", dev, "master", "br0"}); !r) return std::unexpected(r.error());

  if (!spec.gso) {
    // Segmentation and receive offloads would put 64 KB super-packets on the bottleneck, so a
    // buffer or threshold in packets would not count packets.
    // The server's receive side keeps GRO: it merges after the bottleneck, as the TUN path's
    // coalescing does, and spares the receiver's TCP stack per-packet work on two busy cores.
    struct Offloads {
      const std::string &ns;
      const char *dev;
      const char *gro;
    };
    for (const Offloads &o : {Offloads{client_ns, kClientVeth, "off"}, Offloads{router_ns, kRouterClientVeth, "off"},
                              Offloads{router_ns, kRouterServerVeth, "off"}, Offloads{server_ns, kServerVeth, "on"}})
      if (auto r = ccload::run_checked({"ip", "netns", "exec", o.ns, "ethtool", "-K", o.dev, "tso", "off", "gso",
                                        "off", "gro", o.gro});
          !r)
        return std::unexpected(std::move(r.error()).context("setting offloads"));
  }
  for (auto [ns, dev] : {std::pair{client_ns, kClientVeth}, std::pair{router_ns, kRouterClientVeth},
                         std::pair{router_ns, kRouterServerVeth}, std::pair{router_ns, "br0"},
                         std::pair{server_ns, kServerVeth}})
    if (auto r = ip(ns, {"link", "set", dev, "up"}); !r) return std::unexpected(r.error());

  // TBF needs a burst of at least one (super-)packet, and enough to cover timer granularity at
  // high rates (1 ms worth of bytes).
  const uint64_t max_packet = spec.gso ? 65536 + kMaxWireBytes : kMaxWireBytes;
  const uint64_t burst = std::max<uint64_t>(2 * max_packet, spec.rate_bps / 8 / 1000);
  // The tc program enforces the buffer; TBF's limit is only a backstop, large enough that TBF
  // (which may run ahead of the phantom queue by its burst) never drops first.
  const uint64_t limit = spec.buffer.as_bytes() + burst + max_packet;
  const std::string rate = fmt::format("{}bit", spec.rate_bps);
  std::vector<std::string> tbf{"tbf", "rate", rate, "burst", std::to_string(burst), "limit", std::to_string(limit)};
  if (netem && spec.rtt_ns > 0) {
    // netem first, TBF as its child (the usual netem + rate recipe): the delay comes before the
    // bottleneck instead of after it, which changes nothing a flow can observe.
    int64_t up = spec.rtt_ns / 2, down = spec.rtt_ns - up;
    auto usec = [](int64_t ns) { return fmt::format("{}us", ns / 1000); };
    if (auto r = tc(router_ns, {"qdisc", "add", "dev", kRouterServerVeth, "root", "handle", "1:", "netem", "delay",
                                usec(up), "limit", "1000000"});
        !r)
      return std::unexpected(r.error());
    std::vector<std::string> child{"qdisc", "add", "dev", kRouterServerVeth, "parent", "1:1", "handle", "10:"};
    child.insert(child.end(), tbf.begin(), tbf.end());
    if (auto r = tc(router_ns, child); !r) return std::unexpected(r.error());
    if (auto r = tc(router_ns, {"qdisc", "add", "dev", kRouterClientVeth, "root", "netem", "delay", usec(down),
                                "limit", "1000000"});
        !r)
      return std::unexpected(r.error());
  } else {
    std::vector<std::string> root{"qdisc", "add", "dev", kRouterServerVeth, "root", "handle", "1:"};
    root.insert(root.end(), tbf.begin(), tbf.end());
    if (auto r = tc(router_ns, root); !r) return std::unexpected(r.error());
  }

  link_tc *raw = link_tc__open();
  if (!raw) return fail_errno("Failed to open the link_tc BPF object");
  path->state_->skel.reset(raw);
  const double ps_per_byte = 8e12 / static_cast<double>(spec.rate_bps);
  raw->rodata->ps_per_byte = static_cast<uint64_t>(std::llround(ps_per_byte));
  raw->rodata->buffer_ps = static_cast<uint64_t>(static_cast<double>(spec.buffer.as_bytes()) * ps_per_byte);
  raw->rodata->ecn_ps =
      spec.ecn_threshold ? static_cast<uint64_t>(static_cast<double>(spec.ecn_threshold->as_bytes()) * ps_per_byte) : 0;
  raw->rodata->loss_threshold =
      static_cast<uint32_t>(std::min(4294967295.0, std::floor(spec.loss * 4294967296.0)));
  raw->rodata->record = spec.record;
  if (int err = link_tc__load(raw))
    return fail_errno(err, "Failed to load BPF object link_tc", "run as root on a kernel with BTF");

  {
    auto inside = ccload::NetnsEnter::enter(router_ns);
    if (!inside) return std::unexpected(inside.error());
    unsigned ifindex = if_nametoindex(kRouterServerVeth);
    if (!ifindex) return fail_errno(std::string("Failed to find ") + kRouterServerVeth + " in " + router_ns);
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(ifindex), .attach_point = BPF_TC_EGRESS);
    int err = bpf_tc_hook_create(&hook);
    if (err && err != -EEXIST) return fail_errno(err, "Failed to create the clsact qdisc on " + std::string(kRouterServerVeth));
    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(raw->progs.link_egress));
    if (int e = bpf_tc_attach(&hook, &opts))
      return fail_errno(e, "Failed to attach link_tc to " + std::string(kRouterServerVeth) + " egress");
    // The filter lives as long as the device, which lives as long as the namespace: deleting the
    // namespace is the whole teardown.
  }

  path->state_->records = std::move(records);
  if (spec.record) {
    ring_buffer *rb = ring_buffer__new(bpf_map__fd(raw->maps.records), on_record, &path->state_->records, nullptr);
    if (!rb) return fail_errno("Failed to open the link_tc record ring buffer");
    path->state_->ring.reset(rb);
  }
  return path;
}

int KernelPath::records_fd() const { return state_->ring ? ring_buffer__epoll_fd(state_->ring.get()) : -1; }

void KernelPath::drain_records() {
  if (state_->ring) ring_buffer__consume(state_->ring.get());
}

void KernelPath::flush() {
  if (state_) state_->records.flush();
}

}  // namespace ccbench::link
