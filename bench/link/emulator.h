// The userspace link emulator (Mahimahi-style): one thread per direction moves packets from one
// TUN device to the other. The data direction (client -> server) passes the Bottleneck (rate,
// buffer, loss, CE marks) and then half the RTT; the ACK direction only the other half.
#pragma once
#include "common.h"
#include "bottleneck.h"
#include "link_spec.h"
#include "records.h"
#include "result.h"
#include "unique_fd.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

namespace ccbench::link {

struct DirectionCounters {
  std::atomic<uint64_t> packets_in{0};
  std::atomic<uint64_t> packets_out{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> write_errors{0};
};

struct EmulatorState;

class Emulator {
 public:
  // Starts both directions. `records` (may be empty) receives one record per data packet.
  static ccload::Result<std::unique_ptr<Emulator>> start(const LinkSpec &spec, ccload::UniqueFd client_tun,
                                                         ccload::UniqueFd server_tun, RecordWriter records);
  ~Emulator();  // stops and joins both threads
  Emulator(const Emulator &) = delete;
  Emulator &operator=(const Emulator &) = delete;

  const DirectionCounters &uplink() const { return up_; }
  const DirectionCounters &downlink() const { return down_; }

 private:
  Emulator() = default;
  ccload::UniqueFd client_, server_, stop_;
  std::unique_ptr<EmulatorState> state_;
  DirectionCounters up_, down_;
  std::jthread up_thread_, down_thread_;
};

int64_t monotonic_ns();

}  // namespace ccbench::link
