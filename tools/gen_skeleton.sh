#!/bin/sh
# gen_skeleton.sh BPFTOOL OBJECT NAME: prints the skeleton header of OBJECT.
#
# bpftool 7.5 (built against libbpf 1.5) writes `map->link = ...` for struct_ops maps, a field
# that libbpf 1.5 added to struct bpf_map_skeleton. Debian's backports ship libbpf 1.4, whose
# struct lacks it, so the header would not compile. The skeleton allocates map entries with the
# stride it records in map_skel_sz, which libbpf 1.4 honours, so dropping the assignment is safe:
# only skeleton auto-attach of struct_ops would use it, and ccload attaches CCs itself.
set -eu
"$1" gen skeleton "$2" name "$3" | sed '/^[[:space:]]*map->link = &obj->links\./d'
