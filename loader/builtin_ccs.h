// The CCs built with ccload (cc/*.bpf.c), embedded through their generated skeletons, so
// `ccload register bpf_cubic` needs no path.
#pragma once
#include "common.h"

#include <cstddef>
#include <string>
#include <vector>

namespace ccload {

struct BuiltinCc {
  const char *name;                         // object and CC name, e.g. "bpf_cubic"
  const char *summary;                      // one line for `ccload list --builtin`
  const void *(*elf_bytes)(size_t *size);   // the object file, from the skeleton
};

const std::vector<BuiltinCc> &builtin_ccs();
const BuiltinCc *find_builtin(const std::string &name);
std::string builtin_names();  // "bpf_cubic, bpf_dctcp, ..."

}  // namespace ccload
