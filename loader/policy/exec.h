// `ccload exec`: run one command in a transient cgroup with a policy attached, so its
// connections use a CC (and settings) without changing the program or the global default.
#pragma once
#include "common.h"
#include "rules.h"

#include <optional>
#include <string>
#include <vector>

namespace ccload::policy {

struct ExecRequest {
  std::optional<std::string> cc;          // the default rule's CC
  std::optional<std::string> rules_file;  // rules tried before the default
  std::vector<std::string> argv;
};

// The command's exit status (128 + signal if it was killed). The cgroup
// (/sys/fs/cgroup/unified/ccload-<pid>-exec) is gone when this returns, whatever happened;
// stale ones of dead ccload processes are removed first.
Result<int> exec_in_policy_cgroup(const ExecRequest &req);

}  // namespace ccload::policy
