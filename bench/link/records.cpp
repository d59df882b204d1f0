#include "records.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace ccbench::link {

using ccload::fail;
using ccload::fail_errno;

Result<RecordWriter> RecordWriter::create(const std::string &path) {
  RecordWriter w;
  w.fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!w.fd_) return fail_errno("Failed to create the record file " + path);
  link_records_header h{};
  std::memcpy(h.magic, LINK_RECORDS_MAGIC, sizeof(h.magic));
  h.version = 1;
  h.record_size = sizeof(link_record);
  if (::write(w.fd_.get(), &h, sizeof(h)) != static_cast<ssize_t>(sizeof(h)))
    return fail_errno("Failed to write the record file " + path);
  w.buffer_.reserve(kBatch);
  return w;
}

void RecordWriter::flush() {
  if (!fd_ || buffer_.empty()) return;
  const char *p = reinterpret_cast<const char *>(buffer_.data());
  size_t left = buffer_.size() * sizeof(link_record);
  while (left > 0) {
    ssize_t n = ::write(fd_.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a full /run loses records, never the link
    p += n;
    left -= static_cast<size_t>(n);
  }
  buffer_.clear();
}

Result<std::vector<link_record>> read_records(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("Failed to open the record file " + path,
                "is the link up, or was it started with --no-record? `ccbench link list` shows links");
  link_records_header h{};
  if (!in.read(reinterpret_cast<char *>(&h), sizeof(h)) ||
      std::memcmp(h.magic, LINK_RECORDS_MAGIC, sizeof(h.magic)) != 0 || h.record_size != sizeof(link_record))
    return fail(path + " is not a ccbench link record file (bad header)");
  std::vector<link_record> out;
  link_record r;
  // A record being appended right now may be cut short; ignore the partial tail.
  while (in.read(reinterpret_cast<char *>(&r), sizeof(r))) out.push_back(r);
  return out;
}

namespace {
double percentile(std::vector<double> &sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}
}  // namespace

RecordSummary summarize(const std::vector<link_record> &records) {
  RecordSummary s;
  std::vector<double> &delays = s.qdelays_ms;
  delays.reserve(records.size());
  uint64_t first = UINT64_MAX, last = 0;
  double sum = 0;
  for (const auto &r : records) {
    ++s.packets;
    first = std::min(first, r.enqueue_ns);
    last = std::max(last, r.enqueue_ns);
    if (r.flags & LR_ECT) ++s.ect;
    if (r.flags & LR_CE) ++s.marks;
    if (r.flags & LR_ESTIMATED) s.estimated = true;
    if (r.flags & LR_DROP_LOSS) {
      ++s.drops_loss;
    } else if (r.flags & LR_DROP_OVERFLOW) {
      ++s.drops_overflow;
    } else {
      ++s.forwarded;
      double d = static_cast<double>(r.dequeue_ns - r.enqueue_ns) / 1e6;
      delays.push_back(d);
      sum += d;
    }
  }
  if (s.packets) {
    s.duration_s = static_cast<double>(last - first) / 1e9;
    s.loss_rate = static_cast<double>(s.drops_loss) / static_cast<double>(s.packets);
  }
  std::sort(delays.begin(), delays.end());
  s.qdelay_ms_p50 = percentile(delays, 0.50);
  s.qdelay_ms_p95 = percentile(delays, 0.95);
  s.qdelay_ms_p99 = percentile(delays, 0.99);
  s.qdelay_ms_max = delays.empty() ? 0 : delays.back();
  s.qdelay_ms_mean = delays.empty() ? 0 : sum / static_cast<double>(delays.size());
  return s;
}

nlohmann::json to_json(const RecordSummary &s) {
  return {{"packets", s.packets},
          {"forwarded", s.forwarded},
          {"drops_loss", s.drops_loss},
          {"drops_overflow", s.drops_overflow},
          {"ect", s.ect},
          {"ce_marks", s.marks},
          {"loss_rate", s.loss_rate},
          {"duration_s", s.duration_s},
          {"queueing_delay_estimated", s.estimated},
          {"queueing_delay_ms",
           {{"mean", s.qdelay_ms_mean}, {"p50", s.qdelay_ms_p50}, {"p95", s.qdelay_ms_p95},
            {"p99", s.qdelay_ms_p99}, {"max", s.qdelay_ms_max}}}};
}

nlohmann::json to_json(const link_record &r) {
  const char *fate = (r.flags & LR_DROP_LOSS) ? "drop_loss" : (r.flags & LR_DROP_OVERFLOW) ? "drop_overflow" : "forward";
  nlohmann::json j{{"enqueue_ns", r.enqueue_ns}, {"size", r.size}, {"fate", fate},
                   {"ect", (r.flags & LR_ECT) != 0}, {"ce", (r.flags & LR_CE) != 0}};
  if (r.dequeue_ns) j["dequeue_ns"] = r.dequeue_ns;
  return j;
}

}  // namespace ccbench::link
