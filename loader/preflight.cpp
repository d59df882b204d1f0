#include "preflight.h"

#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>

namespace ccload {
namespace {

constexpr long kBpfFsMagic = 0xcafe4a11;  // BPF_FS_MAGIC from linux/magic.h

bool has_capability(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) < 0) return false;
  return data[cap / 32].effective & (1u << (cap % 32));
}

bool is_bpffs(const std::string &path) {
  struct statfs st{};
  return statfs(path.c_str(), &st) == 0 && st.f_type == kBpfFsMagic;
}

}  // namespace

Result<> require_bpf_privileges(const std::string &action) {
  if (has_capability(CAP_SYS_ADMIN)) return {};
  if (has_capability(CAP_BPF) && has_capability(CAP_NET_ADMIN)) return {};
  return fail(action + " needs CAP_BPF and CAP_NET_ADMIN (or root), which this process lacks",
              "run it as root, e.g. `sudo ccload ...`");
}

Result<> require_kernel_btf(const std::string &path) {
  if (access(path.c_str(), R_OK) == 0) return {};
  return fail("this kernel exposes no BTF at " + path + "; struct_ops congestion controls need it",
              "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}

Result<> ensure_bpffs_dir(const std::string &dir) {
  namespace fs = std::filesystem;
  fs::path target(dir);
  // The nearest existing ancestor tells which filesystem the directory will be created on.
  fs::path existing = target;
  while (!existing.empty() && !fs::exists(existing)) existing = existing.parent_path();
  if (!is_bpffs(existing.string())) {
    const std::string mount_point = "/sys/fs/bpf";
    bool under_default = dir.starts_with(mount_point + "/") || dir == mount_point;
    if (!under_default)
      return fail(dir + " is not on a BPF filesystem",
                  "mount one first: `mount -t bpf bpf " + existing.string() + "`");
    if (mount("bpf", mount_point.c_str(), "bpf", 0, "mode=0700") < 0)
      return fail_errno("Failed to mount a BPF filesystem at " + mount_point,
                        "mount it yourself (`mount -t bpf bpf /sys/fs/bpf`) or run as root "
                        "with CAP_SYS_ADMIN");
  }
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) return fail_errno(ec.value(), "Failed to create " + dir);
  return {};
}

}  // namespace ccload
