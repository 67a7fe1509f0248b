#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Tessera's dependencies on a fresh Debian/Ubuntu host (sourced by tools/tessera).
#
# Two ways, chosen from /etc/os-release:
#   native: Debian trixie or newer; the packages are installed on the host itself, with
#           Kokkos taken from sid (pinned) when the host's own suites lack it.
#   root:   anything older (the project's Debian 12 hosts); a Debian trixie build root is
#           made with debootstrap under $TESSERA_CACHE_DIR, the packages go in there, and
#           every command runs inside it in a private mount namespace, so the bind mounts
#           (/proc, /sys, /dev, /dev/shm and the checkout) vanish when the command exits.
#
# Both are idempotent: a stamp records what was installed, and a second call only checks it.

# The packages every build, test and run needs (Debian names, trixie).
TESSERA_PACKAGES=(
  g++ cmake ninja-build make pkg-config git ca-certificates python3 clang-format
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
  libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  libtomlplusplus-dev librandom123-dev nlohmann-json3-dev python3-matplotlib python3-h5py
  clang libclang-rt-19-dev libomp-19-dev
)
# Kokkos and HepMC3 come from sid: trixie has neither. Pinned to sid; Kokkos is checked to
# be >= 4.6.
TESSERA_SID_PACKAGES=(libkokkos-dev libhepmc3-dev)
TESSERA_MIN_KOKKOS=4.6
# Bump when the recipe changes, so existing roots are brought up to date.
TESSERA_RECIPE_VERSION=6

tessera_die() {
  echo "tessera: $*" >&2
  exit 2
}
tessera_log() { echo "tessera: $*" >&2; }

tessera_cache_dir() {
  echo "${TESSERA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera}"
}
tessera_root_dir() { echo "$(tessera_cache_dir)/trixie-root"; }

tessera_recipe_hash() {
  printf '%s\n' "$TESSERA_RECIPE_VERSION" "${TESSERA_PACKAGES[@]}" "${TESSERA_SID_PACKAGES[@]}" |
    sha256sum | cut -c1-16
}

# native | root | inside (already in the build root) | prepared (the dependencies are already
# where CMake finds them, e.g. a GPU host with Kokkos built by hand: nothing is installed)
tessera_mode() {
  if [[ -n "${TESSERA_MODE:-}" ]]; then
    echo "$TESSERA_MODE"
    return
  fi
  if [[ -f /etc/tessera-build-root ]]; then
    echo inside
    return
  fi
  local id="" codename=""
  if [[ -r /etc/os-release ]]; then
    # shellcheck disable=SC1091
    id=$(. /etc/os-release && echo "${ID:-}")
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  fi
  case "$id:$codename" in
  debian:trixie | debian:forky | debian:sid | debian:duke) echo native ;;
  *) echo root ;;
  esac
}

# The Debian mirror the host already uses (so a site mirror or proxy keeps working).
tessera_mirror() {
  if [[ -n "${TESSERA_MIRROR:-}" ]]; then
    echo "$TESSERA_MIRROR"
    return
  fi
  local uri
  uri=$(grep -hE '^[[:space:]]*(deb|URIs:)[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -oE 'https?://[^ ]*/debian/?( |$)' |
    grep -v -- '-security' | head -n 1 | tr -d ' ')
  echo "${uri:-http://deb.debian.org/debian}"
}

tessera_check_network() {
  local mirror=$1 host port
  host=$(sed -E 's#^[a-z]+://([^/:]+).*#\1#' <<<"$mirror")
  port=80
  [[ $mirror == https://* ]] && port=443
  if ! timeout 15 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
    tessera_die "cannot reach the Debian mirror $mirror (no network?); set TESSERA_MIRROR to a reachable one"
  fi
}

tessera_require_root() {
  [[ $(id -u) -eq 0 ]] || tessera_die "$1 needs root (it installs packages$2); run it as root, or install the packages listed in tools/lib/buildroot.sh yourself and set TESSERA_MODE=native"
}

# apt sources for sid, low priority except for Kokkos. $1: the root ("" for the host).
tessera_write_sid_sources() {
  local root=$1 mirror=$2
  cat >"$root/etc/apt/sources.list.d/tessera-sid.list" <<SRC
# Kokkos >= 4.6 (OpenMP) is packaged only in sid. The mirror's sid Release file may be past
# its Valid-Until date, hence check-valid-until=no.
deb [check-valid-until=no] $mirror sid main
SRC
  cat >"$root/etc/apt/preferences.d/tessera-sid" <<PIN
# Nothing comes from sid unless asked for...
Package: *
Pin: release n=sid
Pin-Priority: 100

# ...except Kokkos, which trixie does not have.
Package: libkokkos* kokkos*
Pin: release n=sid
Pin-Priority: 990
PIN
}

# Debian's libkokkos-dev 5.2.2 names libkokkosalgorithms.a and libkokkossimd.a in its
# KokkosTargets.cmake but does not ship them, so find_package(Kokkos) fails. Upstream builds
# both from a single empty *_dummy.cpp, so an empty archive is a faithful stand-in.
tessera_fix_kokkos_archives() {
  local root=$1 targets lib
  targets=$(find "$root/usr/lib" -name 'KokkosTargets*.cmake' 2>/dev/null)
  [[ -n $targets ]] || return 0
  # The targets file spells them ${_IMPORT_PREFIX}/lib/...: the prefix is /usr.
  for lib in $(grep -ohE '/lib/[^"]*libkokkos(algorithms|simd)\.a' $targets | sort -u); do
    lib=/usr$lib
    if [[ ! -e "$root$lib" ]]; then
      ar rc "$root$lib"
      tessera_log "created empty $lib (Debian packaging bug, see tools/lib/buildroot.sh)"
    fi
  done
}

# Runs "$@" inside the build root, in a private mount namespace.
tessera_in_root() {
  local root top
  root=$(tessera_root_dir)
  top=${TESSERA_TOP:?}
  unshare --mount --propagation private -- bash -euc '
    root=$1 top=$2 cwd=$3; shift 3
    mount --rbind /proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
    mkdir -p "$root$top"
    mount --bind "$top" "$root$top"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$root" /usr/bin/env -u LD_LIBRARY_PATH -u LD_PRELOAD \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root TESSERA_MODE=inside \
      bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
  ' tessera-root "$root" "$top" "$PWD" "$@"
}

tessera_apt_install() { # runs in the current system (host or root)
  export DEBIAN_FRONTEND=noninteractive
  apt-get -q update -o Acquire::Check-Valid-Until=false >/dev/null ||
    tessera_die "apt-get update failed (network or mirror)"
  apt-get -q install -y --no-install-recommends "${TESSERA_PACKAGES[@]}" >/dev/null ||
    tessera_die "apt-get install of the build packages failed"
  local p sid=()
  for p in "${TESSERA_SID_PACKAGES[@]}"; do sid+=("$p/sid"); done
  apt-get -q install -y --no-install-recommends "${sid[@]}" >/dev/null ||
    tessera_die "apt-get install of ${TESSERA_SID_PACKAGES[*]} from sid failed"
}

tessera_check_kokkos_version() {
  local v
  v=$(dpkg-query -W -f='${Version}' libkokkos-dev 2>/dev/null) || tessera_die "libkokkos-dev is not installed"
  if ! dpkg --compare-versions "$v" ge "$TESSERA_MIN_KOKKOS"; then
    tessera_die "libkokkos-dev $v is older than the $TESSERA_MIN_KOKKOS Tessera needs"
  fi
  echo "$v"
}

tessera_setup_native() {
  local stamp=/var/lib/tessera-deps.stamp
  [[ -f $stamp && $(cat "$stamp") == "$(tessera_recipe_hash)" ]] && return 0
  tessera_require_root "setting up the dependencies" ""
  command -v apt-get >/dev/null || tessera_die "no apt-get: install the packages in tools/lib/buildroot.sh by hand"
  tessera_check_network "$(tessera_mirror)"
  if ! apt-cache policy libkokkos-dev 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    tessera_write_sid_sources "" "$(tessera_mirror)"
  fi
  tessera_apt_install
  tessera_fix_kokkos_archives ""
  tessera_log "Kokkos $(tessera_check_kokkos_version) installed"
  tessera_recipe_hash >"$stamp"
}

tessera_setup_root() {
  local root stamp mirror
  root=$(tessera_root_dir)
  stamp="$root/etc/tessera-build-root"
  if [[ -f $stamp && $(cat "$stamp") == "$(tessera_recipe_hash)" ]]; then
    return 0
  fi
  tessera_require_root "creating the Debian trixie build root" " and uses debootstrap, chroot and mount"
  if ! command -v debootstrap >/dev/null; then
    tessera_log "debootstrap is missing; installing it with apt-get"
    { apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -q install -y debootstrap; } >/dev/null 2>&1 ||
      tessera_die "no debootstrap and apt-get could not install it; install debootstrap first"
  fi
  command -v unshare >/dev/null && command -v chroot >/dev/null ||
    tessera_die "unshare and chroot (util-linux, coreutils) are needed"
  mirror=$(tessera_mirror)
  tessera_check_network "$mirror"
  if [[ ! -x "$root/usr/bin/apt-get" ]]; then
    tessera_log "creating a Debian trixie build root in $root (a few minutes, once)"
    mkdir -p "$(dirname "$root")"
    rm -rf "$root.partial"
    debootstrap --variant=minbase trixie "$root.partial" "$mirror" >"$(tessera_cache_dir)/debootstrap.log" 2>&1 ||
      tessera_die "debootstrap failed; see $(tessera_cache_dir)/debootstrap.log"
    mv "$root.partial" "$root" # only a complete root ever sits at $root
  fi
  tessera_write_sid_sources "$root" "$mirror"
  tessera_log "installing the build packages into the root"
  tessera_in_root bash -c "$(declare -f tessera_die tessera_log tessera_apt_install);
    $(declare -p TESSERA_PACKAGES TESSERA_SID_PACKAGES); tessera_apt_install"
  tessera_fix_kokkos_archives "$root"
  tessera_log "Kokkos $(chroot "$root" dpkg-query -W -f='${Version}' libkokkos-dev) installed in the root"
  tessera_recipe_hash >"$stamp"
}

tessera_setup() {
  case "$(tessera_mode)" in
  inside | prepared) ;;
  native) tessera_setup_native ;;
  root) tessera_setup_root ;;
  *) tessera_die "unknown TESSERA_MODE '$(tessera_mode)' (expected native, root, inside or prepared)" ;;
  esac
}

# Runs "$@" where the dependencies are.
tessera_exec() {
  case "$(tessera_mode)" in
  inside | native | prepared) "$@" ;;
  root) tessera_in_root "$@" ;;
  esac
}
