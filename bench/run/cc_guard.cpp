#include "cc_guard.h"

#include <iostream>

#include "builtin_ccs.h"
#include "kernel_ccs.h"
#include "process.h"
#include "registry.h"

namespace ccbench::run {

using ccload::fail;

CcGuard::CcGuard(std::string pin_root) : pin_root_(std::move(pin_root)) {}

CcGuard::~CcGuard() { release_all(); }

void CcGuard::release_all() {
  ccload::Registry registry(pin_root_);
  for (auto it = registered_.rbegin(); it != registered_.rend(); ++it) {
    if (auto r = registry.unregister(*it); !r)
      std::cerr << "ccbench: could not unregister " << *it << ": " << r.error().message << "\n  run `ccload unregister "
                << *it << "`\n";
  }
  registered_.clear();
}

Result<> CcGuard::ensure(const std::string &cc) {
  if (ccload::is_available(cc)) return {};
  if (ccload::find_builtin(cc)) {
    ccload::Registry registry(pin_root_);
    auto r = registry.register_object({.object = cc});
    if (!r) return std::unexpected(std::move(r.error()).context("registering " + cc));
    for (const auto &done : *r) registered_.push_back(done.name);
    if (!ccload::is_available(cc)) return fail(cc + " was registered but the kernel does not list it");
    return {};
  }
  // Native CCs may be modules; as root, modprobe is what the kernel's own autoload would do.
  if (auto m = ccload::run({"modprobe", "-q", "tcp_" + cc}); m && m->ok() && ccload::is_available(cc)) return {};
  return fail(cc + " is not available in this kernel (not in net.ipv4.tcp_available_congestion_control, no module tcp_" + cc +
                  ", not a built-in BPF CC)",
              "built-in BPF CCs: " + ccload::builtin_names());
}

}  // namespace ccbench::run
