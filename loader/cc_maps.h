// The global-data maps (tunables and counters) that a registered CC's programs use, found through
// the kernel (prog info -> map ids -> map BTF), so they can be read and changed for any BPF CC,
// whichever tool registered it.
#pragma once
#include "common.h"
#include "kernel_ccs.h"
#include "result.h"
#include "tunables.h"
#include "unique_fd.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ccload {

struct DataMap {
  uint32_t id = 0;
  std::string name;      // kernel map name, e.g. ".data.tunables", "bpf_cub.bss"
  std::string section;   // "data.tunables", "bss"
  UniqueFd fd;
  std::vector<Variable> vars;
  std::vector<uint8_t> value;  // the current contents of its single element

  Result<> refresh();
  Result<> write(const std::vector<uint8_t> &new_value);
};

// The data maps of `cc`, in a stable order (tunables first, counters last).
Result<std::vector<DataMap>> data_maps_of(const BpfCc &cc);

// The name the kernel gives a program.
std::string prog_name(uint32_t prog_id);

}  // namespace ccload
