// The per-packet record of a link (see link_record.h for the layout): written by the emulator or
// the kernel path's daemon, read by `ccbench link stats` and the benchmark, also while the link
// is up (the writer flushes at least every 100 ms).
#pragma once
#include "common.h"
#include "link_record.h"
#include "result.h"
#include "unique_fd.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ccbench::link {

using ccload::Result;

class RecordWriter {
 public:
  static Result<RecordWriter> create(const std::string &path);
  RecordWriter() = default;
  RecordWriter(RecordWriter &&) = default;
  RecordWriter &operator=(RecordWriter &&) = default;
  ~RecordWriter() { flush(); }

  void add(const link_record &r) {
    if (!fd_) return;
    buffer_.push_back(r);
    if (buffer_.size() >= kBatch) flush();
  }
  // Writes what is buffered; records are whole when a reader sees them (appends of whole records).
  void flush();

 private:
  static constexpr size_t kBatch = 4096;
  ccload::UniqueFd fd_;
  std::vector<link_record> buffer_;
};

Result<std::vector<link_record>> read_records(const std::string &path);

struct RecordSummary {
  uint64_t packets = 0;          // arrived at the bottleneck
  uint64_t forwarded = 0;
  uint64_t drops_loss = 0;
  uint64_t drops_overflow = 0;
  uint64_t ect = 0;
  uint64_t marks = 0;
  bool estimated = false;        // queueing delays modelled (kernel path), not observed
  double duration_s = 0;         // first to last arrival
  double loss_rate = 0;          // drops_loss / packets
  double qdelay_ms_p50 = 0, qdelay_ms_p95 = 0, qdelay_ms_p99 = 0, qdelay_ms_max = 0;
  double qdelay_ms_mean = 0;
  std::vector<double> qdelays_ms;  // every forwarded packet's queueing delay, sorted (not in JSON)
};

RecordSummary summarize(const std::vector<link_record> &records);
nlohmann::json to_json(const RecordSummary &s);
nlohmann::json to_json(const link_record &r);

}  // namespace ccbench::link
