#!/usr/bin/env bash
# Installs everything ccload needs on Debian 12 (bookworm), idempotently: a second run checks,
# finds nothing missing and returns in seconds.
#
# libbpf >= 1.4 (for .struct_ops.link), bpftool >= 7.5 and meson >= 1.7 come from bookworm-backports.
# Backports are enabled by reusing the mirror URI that /etc/apt/sources.list.d/debian.sources already
# names, so no host name is written here.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "setup.sh: must run as root (it installs packages with apt-get); try: sudo $0" >&2
  exit 1
fi

backports_file=/etc/apt/sources.list.d/ccload-backports.sources

# Packages from bookworm itself.
base_packages=(
  clang-19 llvm-19 lld-19 libelf-dev zlib1g-dev pkg-config ninja-build g++ make
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libtomlplusplus-dev
  iperf3 iproute2 ethtool iputils-ping kmod procps
  gnuplot-nox python3 python3-matplotlib
)
# Packages that must come from bookworm-backports (bookworm's own are too old).
backports_packages=(libbpf-dev bpftool meson)

have_backports() {
  grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/
}

enable_backports() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [[ -z "$uri" ]]; then
    echo "setup.sh: no URIs: line in /etc/apt/sources.list.d/debian.sources; add bookworm-backports by hand" >&2
    exit 1
  fi
  cat > "$backports_file" <<SOURCES
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
}

# dpkg-query prints one "name installed-version" line per installed package.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

version_at_least() { # version_at_least <have> <want>
  dpkg --compare-versions "$1" ge "$2"
}

backports_outdated() {
  local v
  v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || echo 0)
  version_at_least "${v#*:}" 1.4 || return 0
  v=$(dpkg-query -W -f='${Version}' bpftool 2>/dev/null || echo 0)
  version_at_least "$v" 7.5 || return 0
  v=$(dpkg-query -W -f='${Version}' meson 2>/dev/null || echo 0)
  version_at_least "$v" 1.7 || return 0
  return 1
}

need_base=$(missing_packages "${base_packages[@]}")
if [[ -z "$need_base" ]] && ! backports_outdated; then
  echo "setup.sh: all dependencies present"
else
  have_backports || enable_backports
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  [[ -z "$need_base" ]] || apt-get install -y -q --no-install-recommends $need_base
  apt-get install -y -q --no-install-recommends -t bookworm-backports "${backports_packages[@]}"
fi

# bpffs: ccload pins links here; mount it when the machine has not.
if ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf
fi
