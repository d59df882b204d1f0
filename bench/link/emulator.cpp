#include "emulator.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "coalesce.h"
#include "ecn.h"
#include "tun.h"

namespace ccbench::link {

using ccload::fail_errno;
using ccload::Result;
using ccload::UniqueFd;

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

namespace {

// Below this, waiting in epoll costs more accuracy (wake-up latency is tens of microseconds)
// than polling the TUN device costs CPU. Only for packets that leave alone (see kBatchNs).
constexpr int64_t kSpinNs = 20'000;
// While packets leave back to back, wake at most this often and send all that is due, like a
// NIC's interrupt moderation. At 1 Gbit/s a packet is due every 12 us: spinning for each one
// kept a core busy (0.75 cores for the daemon at 1 Gbit/s, taken from the flows' sender and
// receiver on this 2-core machine), and sleeping for each one cost a wake-up per packet. Batches
// also give the coalescer (coalesce.h) bursts to merge. A packet leaves at most this much (plus
// wake-up latency) late, and only when another left less than this before it; sparse traffic,
// such as ping, still leaves on time.
constexpr int64_t kBatchNs = 30'000;
constexpr int kNice = -10;
constexpr int64_t kFlushEveryNs = 100'000'000;
constexpr int kReadBatch = 64;

struct Slot {
  int64_t release_ns;
  uint32_t len;
  uint8_t data[2048];
};

// Packets in flight on one direction with one delay, in release order (release times never
// decrease: the bottleneck is FIFO and the delay constant). Grows by doubling (the size stays a
// power of two); never shrinks during a run.
class PacketRing {
 public:
  explicit PacketRing(size_t slots = 1024) : slots_(slots) {}
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  Slot &front() { return slots_[head_]; }
  Slot &at(size_t i) { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  Slot &next_free() {
    if (count_ == slots_.size()) grow();
    return slots_[(head_ + count_) & (slots_.size() - 1)];
  }
  void commit() { ++count_; }
  void pop() {
    head_ = (head_ + 1) & (slots_.size() - 1);
    --count_;
  }

 private:
  void grow() {
    std::vector<Slot> bigger(slots_.size() * 2);
    for (size_t i = 0; i < count_; ++i) bigger[i] = slots_[(head_ + i) & (slots_.size() - 1)];
    slots_.swap(bigger);
    head_ = 0;
  }
  std::vector<Slot> slots_;
  size_t head_ = 0, count_ = 0;
};

struct Direction {
  int in = -1, out = -1, stop = -1;
  bool in_vnet = false, out_vnet = false;  // the device's reads/writes carry a VnetHeader
  const std::atomic<bool> *stopping = nullptr;
  int64_t delay_ns = 0;
  // Per-flow extra delay (--flow-rtt), keyed by source port: only on the ACK direction, where
  // the server's packets carry the flow's server port as their source port.
  std::vector<FlowRtt> flow_delays;
  Bottleneck *bottleneck = nullptr;  // only on the data direction
  RecordWriter *records = nullptr;
  DirectionCounters *counters = nullptr;
};

// Takes one packet just read into `slot`; returns whether it goes on (else it was dropped).
bool admit(const Direction &d, Slot &slot, int64_t now) {
  if (!d.bottleneck) {
    slot.release_ns = now + d.delay_ns;
    return true;
  }
  bool ect = is_ect(slot.data, slot.len);
  Admission a = d.bottleneck->admit(now, slot.len, ect);
  link_record r{static_cast<uint64_t>(now), 0, a.charged, ect ? uint32_t{LR_ECT} : 0u};
  bool forward = a.fate == Admission::Fate::forward;
  if (a.fate == Admission::Fate::drop_loss) r.flags |= LR_DROP_LOSS;
  if (a.fate == Admission::Fate::drop_overflow) r.flags |= LR_DROP_OVERFLOW;
  if (forward) {
    if (a.mark_ce && mark_ce(slot.data, slot.len)) r.flags |= LR_CE;
    r.dequeue_ns = static_cast<uint64_t>(a.dequeue_ns);
    slot.release_ns = a.dequeue_ns + d.delay_ns;
  }
  if (d.records) d.records->add(r);
  return forward;
}

// The source port of a TCP or UDP packet (IPv4, or IPv6 without extension headers); 0 if none.
uint16_t source_port(const uint8_t *p, uint32_t len) {
  size_t l4 = 0;
  uint8_t proto = 0;
  if (len >= 20 && (p[0] >> 4) == 4) {
    if ((p[6] & 0x1f) || p[7]) return 0;  // a later fragment carries no ports
    l4 = static_cast<size_t>(p[0] & 0x0f) * 4;
    proto = p[9];
  } else if (len >= 40 && (p[0] >> 4) == 6) {
    l4 = 40;
    proto = p[6];
  } else {
    return 0;
  }
  if ((proto != 6 && proto != 17) || len < l4 + 2) return 0;
  return static_cast<uint16_t>(p[l4] << 8 | p[l4 + 1]);
}

// Which ring a packet waits in: 0 for the link's own delay, i + 1 for flow_delays[i]. Each ring
// holds one constant delay, so each stays in release order and one flow's packets stay in order.
size_t delay_class(const Direction &d, const Slot &slot) {
  if (d.flow_delays.empty()) return 0;
  const uint16_t port = source_port(slot.data, slot.len);
  for (size_t i = 0; i < d.flow_delays.size(); ++i)
    if (d.flow_delays[i].port == port) return i + 1;
  return 0;
}

// The ring whose front packet is due first, or nullptr when all are empty.
PacketRing *earliest(std::vector<PacketRing> &rings) {
  PacketRing *best = nullptr;
  for (auto &r : rings)
    if (!r.empty() && (!best || r.front().release_ns < best->front().release_ns)) best = &r;
  return best;
}

ssize_t read_packet(const Direction &d, Slot &slot) {
  if (!d.in_vnet) return ::read(d.in, slot.data, sizeof(slot.data));
  // No offloads are enabled on the device, so the header says nothing: a plain packet follows.
  VnetHeader hdr;
  iovec iov[2] = {{&hdr, sizeof(hdr)}, {slot.data, sizeof(slot.data)}};
  ssize_t n = ::readv(d.in, iov, 2);
  return n < static_cast<ssize_t>(sizeof(hdr)) ? -1 : n - static_cast<ssize_t>(sizeof(hdr));
}

// Writes the packet at the front of the ring and, on a device that takes GSO packets, the due
// packets that continue its TCP burst with it (coalesce.h says why).
void release(const Direction &d, PacketRing &ring, TcpCoalescer &coalescer, int64_t now) {
  Slot &first = ring.front();
  size_t packets = 1;
  uint64_t bytes = first.len;
  ssize_t want = first.len, wrote;
  if (!d.out_vnet) {
    wrote = ::write(d.out, first.data, first.len);
  } else {
    coalescer.start(first.data, first.len);
    for (; packets < ring.size(); ++packets) {
      Slot &next = ring.at(packets);
      if (next.release_ns > now || !coalescer.append(next.data, next.len)) break;
      bytes += next.len;
    }
    auto iov = coalescer.finish();
    want = 0;
    for (const iovec &v : iov) want += static_cast<ssize_t>(v.iov_len);
    wrote = ::writev(d.out, iov.data(), static_cast<int>(iov.size()));
  }
  if (wrote == want) {
    d.counters->packets_out.fetch_add(packets, std::memory_order_relaxed);
    d.counters->bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  } else {
    d.counters->write_errors.fetch_add(packets, std::memory_order_relaxed);
  }
  for (size_t i = 0; i < packets; ++i) ring.pop();
}

void run_direction(Direction d) {
  // The default 50 us timer slack would add up to 50 us to every hop's delay.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  // The emulator is the network: when builds or other benchmarks compete for this machine's two
  // cores, it should not be what slows the flows down. At 1 Gbit/s, 10 ms RTT with three busy
  // loops running, goodput was 76-91% at nice 0 and 89-90% at -10. A nice value, not a real-time
  // class, so a runaway thread cannot lock the machine up. Without CAP_SYS_NICE it stays at 0.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNice);
  UniqueFd ep(epoll_create1(EPOLL_CLOEXEC));
  for (int fd : {d.in, d.stop}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev);
  }
  // Ring 0 has the link's delay; one small ring per flow with a delay of its own.
  std::vector<PacketRing> rings;
  rings.emplace_back();
  for (size_t i = 0; i < d.flow_delays.size(); ++i) rings.emplace_back(64);
  PacketRing &ring = rings[0];
  TcpCoalescer coalescer;
  int64_t next_flush = monotonic_ns() + kFlushEveryNs;
  int64_t last_release = 0;
  while (!d.stopping->load(std::memory_order_relaxed)) {
    int64_t now = monotonic_ns();
    PacketRing *due;
    while ((due = earliest(rings)) && due->front().release_ns <= now) {
      release(d, *due, coalescer, now);
      last_release = now;
    }
    int got = 0;
    for (; got < kReadBatch; ++got) {
      Slot &slot = ring.next_free();
      ssize_t n = read_packet(d, slot);
      if (n <= 0) break;
      slot.len = static_cast<uint32_t>(n);
      d.counters->packets_in.fetch_add(1, std::memory_order_relaxed);
      if (!admit(d, slot, monotonic_ns())) continue;
      if (const size_t k = delay_class(d, slot); k > 0) {
        Slot &moved = rings[k].next_free();
        moved.release_ns = slot.release_ns + d.flow_delays[k - 1].extra_ns;
        moved.len = slot.len;
        std::memcpy(moved.data, slot.data, slot.len);
        rings[k].commit();
      } else {
        ring.commit();
      }
    }
    if (got > 0) continue;  // more may be waiting, and some may be due by now
    if (d.records && now >= next_flush) {
      d.records->flush();
      next_flush = now + kFlushEveryNs;
    }
    due = earliest(rings);
    int64_t wait = due ? due->front().release_ns - now : kFlushEveryNs;
    if (now < last_release + kBatchNs) {
      wait = std::max(wait, last_release + kBatchNs - now);
    } else {
      if (wait <= kSpinNs) continue;
      wait -= kSpinNs;
    }
    timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
    epoll_event events[2];
    epoll_pwait2(ep.get(), events, 2, &ts, nullptr);
  }
  if (d.records) d.records->flush();
}

}  // namespace

struct EmulatorState {
  std::atomic<bool> stopping{false};
  std::unique_ptr<Bottleneck> bottleneck;
  RecordWriter records;
};

Result<std::unique_ptr<Emulator>> Emulator::start(const LinkSpec &spec, UniqueFd client_tun,
                                                  UniqueFd server_tun, RecordWriter records) {
  std::unique_ptr<Emulator> e(new Emulator());
  e->client_ = std::move(client_tun);
  e->server_ = std::move(server_tun);
  e->stop_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!e->stop_) return fail_errno("Failed to create an eventfd");
  e->state_ = std::make_unique<EmulatorState>();
  e->state_->bottleneck = std::make_unique<Bottleneck>(
      BottleneckConfig::from(spec, monotonic_ns(), static_cast<uint64_t>(monotonic_ns())));
  e->state_->records = std::move(records);
  // The two halves of the RTT add up exactly to it, whatever its parity.
  int64_t up_delay = spec.rtt_ns / 2, down_delay = spec.rtt_ns - up_delay;
  bool client_vnet = tun_vnet_header(e->client_.get()), server_vnet = tun_vnet_header(e->server_.get());
  Direction up{e->client_.get(), e->server_.get(), e->stop_.get(), client_vnet, server_vnet,
               &e->state_->stopping, up_delay, {}, e->state_->bottleneck.get(), &e->state_->records, &e->up_};
  // Per-flow extra delay goes on the ACK path, after (outside) the shared bottleneck: the queue
  // stays one FIFO, and the data path keeps one ring for the coalescer.
  Direction down{e->server_.get(), e->client_.get(), e->stop_.get(), server_vnet, client_vnet,
                 &e->state_->stopping, down_delay, spec.flow_rtts, nullptr, nullptr, &e->down_};
  e->up_thread_ = std::jthread([up] { run_direction(up); });
  e->down_thread_ = std::jthread([down] { run_direction(down); });
  return e;
}

Emulator::~Emulator() {
  if (state_) state_->stopping.store(true);
  if (stop_) {
    uint64_t one = 1;
    (void)::write(stop_.get(), &one, sizeof(one));
  }
  if (up_thread_.joinable()) up_thread_.join();
  if (down_thread_.joinable()) down_thread_.join();
}

}  // namespace ccbench::link
