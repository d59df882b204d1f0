// Cost of Bottleneck::admit per packet (the userspace emulator's decision logic, no I/O).
#include <benchmark/benchmark.h>

#include "bottleneck.h"

using namespace ccbench::link;

static void BM_AdmitAtRate(benchmark::State &state) {
  BottleneckConfig c;
  c.rate_bps = 1'000'000'000;
  c.buffer.packets = 1000;
  c.ecn_threshold = Limit{20, 0};
  c.loss = 0.01;
  Bottleneck b(c);
  int64_t now = 0;
  for (auto _ : state) {
    // Arrivals slightly faster than the link drains: the queue stays partly full.
    now += 11'000;
    benchmark::DoNotOptimize(b.admit(now, 1500, true));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AdmitAtRate);

BENCHMARK_MAIN();
