// Owners for libbpf objects: every bpf_object, bpf_link and btf is released on every path.
#pragma once
#include "common.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <memory>

namespace ccload {

struct BpfObjectDeleter {
  void operator()(bpf_object *o) const { bpf_object__close(o); }
};
struct BpfLinkDeleter {
  // Destroying a link closes our fd to it. A pinned link stays alive (and its CC registered);
  // an unpinned struct_ops link is detached, which unregisters the CC.
  void operator()(bpf_link *l) const { bpf_link__destroy(l); }
};
struct BtfDeleter {
  void operator()(btf *b) const { btf__free(b); }
};

using BpfObjectPtr = std::unique_ptr<bpf_object, BpfObjectDeleter>;
using BpfLinkPtr = std::unique_ptr<bpf_link, BpfLinkDeleter>;
using BtfPtr = std::unique_ptr<btf, BtfDeleter>;

}  // namespace ccload
