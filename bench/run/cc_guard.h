// Makes the congestion controls a benchmark needs available, and puts the kernel back as it was.
// A native CC must already be in the kernel (or load as module tcp_<name>). A BPF CC built with
// ccload (bpf_cubic, bpf_dctcp, bpf_qdelay, ...) is registered through the loader library under
// the default pin root and unregistered when the guard is destroyed, also after Ctrl-C. A CC that
// is already registered, by the user or anybody else, is used as it is and left registered.
#pragma once
#include "common.h"
#include "result.h"

#include <string>
#include <vector>

namespace ccbench::run {

using ccload::Result;

class CcGuard {
 public:
  explicit CcGuard(std::string pin_root);
  ~CcGuard();
  CcGuard(const CcGuard &) = delete;
  CcGuard &operator=(const CcGuard &) = delete;

  // Ok if `cc` can be used now; the error says why not and what would fix it.
  Result<> ensure(const std::string &cc);
  // What this guard registered (and will unregister).
  const std::vector<std::string> &registered() const { return registered_; }
  void release_all();

 private:
  std::string pin_root_;
  std::vector<std::string> registered_;
};

}  // namespace ccbench::run
