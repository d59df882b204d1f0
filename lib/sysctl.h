// Reading and writing /proc/sys. Network sysctls are per network namespace: they act on the
// namespace of the calling thread (see NetnsEnter).
#pragma once
#include "common.h"
#include "result.h"

#include <string>

namespace ccload {

// key is dotted or slashed: "net.ipv4.tcp_congestion_control". The value has its newline removed.
Result<std::string> read_sysctl(const std::string &key);
Result<> write_sysctl(const std::string &key, const std::string &value);

// Sets a sysctl and puts the old value back when destroyed (tests, benchmarks).
class ScopedSysctl {
 public:
  static Result<ScopedSysctl> set(const std::string &key, const std::string &value);
  ScopedSysctl(ScopedSysctl &&other) noexcept
      : key_(std::move(other.key_)), old_(std::move(other.old_)), armed_(std::exchange(other.armed_, false)) {}
  ScopedSysctl(const ScopedSysctl &) = delete;
  ScopedSysctl &operator=(const ScopedSysctl &) = delete;
  ScopedSysctl &operator=(ScopedSysctl &&) = delete;
  ~ScopedSysctl() {
    if (armed_) (void)write_sysctl(key_, old_);
  }

 private:
  ScopedSysctl(std::string key, std::string old) : key_(std::move(key)), old_(std::move(old)), armed_(true) {}
  std::string key_, old_;
  bool armed_ = false;
};

}  // namespace ccload
