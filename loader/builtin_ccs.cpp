#include "builtin_ccs.h"

#include "bpf_cubic.skel.h"
#include "bpf_dctcp.skel.h"
#include "bpf_qdelay.skel.h"
#include "bpf_reno_template.skel.h"

namespace ccload {

const std::vector<BuiltinCc> &builtin_ccs() {
  static const std::vector<BuiltinCc> all = {
      {"bpf_cubic", "CUBIC with HyStart, as the kernel's tcp_cubic.c", bpf_cubic__elf_bytes},
      {"bpf_dctcp", "DCTCP: ECN-proportional window reduction (g = 1/16)", bpf_dctcp__elf_bytes},
      {"bpf_qdelay", "delay-based: holds the bottleneck queue near a target delay", bpf_qdelay__elf_bytes},
      {"bpf_reno_template", "minimal Reno, the template for writing a new CC (registers as bpf_reno_tmpl)",
       bpf_reno_template__elf_bytes},
  };
  return all;
}

const BuiltinCc *find_builtin(const std::string &name) {
  for (const auto &b : builtin_ccs())
    if (name == b.name) return &b;
  return nullptr;
}

std::string builtin_names() {
  std::string s;
  for (const auto &b : builtin_ccs()) s += (s.empty() ? "" : ", ") + std::string(b.name);
  return s;
}

}  // namespace ccload
