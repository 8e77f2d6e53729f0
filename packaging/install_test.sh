#!/usr/bin/env bash
# The packages' install test (docs/OPERATIONS.md, "Installing from the packages"), run by
# `make package-test` and by CI. It installs the .debs into a clean Debian 12 root with apt, boots
# that root under systemd (systemd-nspawn, on a private network of its own), and runs
# packaging/install_test_province.sh in it: the operator's steps of OPERATIONS.md, then checks that
# the units start the daemons, that a figure dropped into the collector's folder reaches the
# totals, and what an upgrade, a removal and a purge do. The root is deleted at the end.
#
# Usage: packaging/install_test.sh [FOLDER_OF_DEBS]      (default: build/packages)
#
# Needs root, debootstrap, systemd-nspawn (deploy/install-deps.sh installs both) and the Debian
# mirror that this machine's apt uses. Without them it says what is missing and skips (exit 0),
# unless CI=true or TONGHOP_INSTALL_TEST_REQUIRED=1: then that is a failure.
#
# The clean root (debootstrap --variant=minbase, plus systemd) is made once and kept as a tarball
# in $TONGHOP_INSTALL_TEST_CACHE (default /var/cache/tonghop/install-test), with the .debs apt
# fetched into it; made from scratch it takes about a minute more.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEBS="$(realpath -m "${1:-$REPO/build/packages}")"
CACHE="${TONGHOP_INSTALL_TEST_CACHE:-/var/cache/tonghop/install-test}"
# The base root's name says what is in it: change it when the debootstrap line changes.
BASE_TARBALL="$CACHE/bookworm-minbase-systemd-1.tar"
BOOT_TIMEOUT_S=120
STOP_TIMEOUT_S=30
REQUIRED=0
if [[ "${CI:-}" == true || "${TONGHOP_INSTALL_TEST_REQUIRED:-0}" == 1 ]]; then REQUIRED=1; fi

say() { echo "install-test: $*"; }
fail() {
  echo "install-test: $*" >&2
  exit 1
}
# Cannot run here: skipped on a developer's machine, a failure in CI.
cannot_run() {
  if ((REQUIRED)); then fail "cannot run: $*"; fi
  say "SKIPPED: $*"
  exit 0
}

# The URI of the Debian archive that this machine's apt uses for SUITE (bookworm,
# bookworm-security), from its deb822 .sources or one-line .list files.
apt_uri_for_suite() {
  local suite="$1" file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" ]] || continue
    awk -v suite="$suite" '
      function deb822_match() { return types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") }
      /^[[:space:]]*#/ { next }
      # One-line: deb [options] URI SUITE COMPONENTS...
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
        next
      }
      # deb822: paragraphs of Types:, URIs:, Suites:
      /^[[:space:]]*$/ { if (deb822_match()) { print uri; exit } types = uri = suites = ""; next }
      /^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
      END { if (deb822_match()) print uri }
    ' "$file" | head -n 1
  done | head -n 1
}

((EUID == 0)) || cannot_run "it needs root (debootstrap, systemd-nspawn); run it as root, as CI does"
command -v debootstrap >/dev/null || cannot_run "debootstrap is not installed (deploy/install-deps.sh installs it)"
command -v systemd-nspawn >/dev/null ||
  cannot_run "systemd-nspawn is not installed (package systemd-container; deploy/install-deps.sh installs it)"
mapfile -t deb_files < <(find "$DEBS" -maxdepth 1 -name 'tonghop-*.deb' | sort)
((${#deb_files[@]} > 0)) || fail "no tonghop-*.deb in $DEBS: build them first (make package)"
MIRROR="${TONGHOP_DEBIAN_MIRROR:-$(apt_uri_for_suite bookworm)}"
SECURITY_MIRROR="${TONGHOP_DEBIAN_SECURITY_MIRROR:-$(apt_uri_for_suite bookworm-security)}"
[[ -n "$MIRROR" ]] ||
  cannot_run "this machine's apt names no Debian 12 (bookworm) archive; set TONGHOP_DEBIAN_MIRROR to one"

WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/tonghop-install-test.XXXXXX")"
ROOT="$WORK/root"
NSPAWN_PID=""
cleanup() {
  local status=$?
  if [[ -n "$NSPAWN_PID" ]] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    # SIGRTMIN+4 asks systemd, the root's PID 1, to power off; nspawn then exits.
    kill -s RTMIN+4 "$(container_pid1)" 2>/dev/null || true
    local stopping=$SECONDS
    while kill -0 "$NSPAWN_PID" 2>/dev/null && ((SECONDS < stopping + STOP_TIMEOUT_S)); do sleep 0.5; done
    if kill -0 "$NSPAWN_PID" 2>/dev/null; then
      say "the root did not power off within ${STOP_TIMEOUT_S} s: killing it"
      kill -KILL "$NSPAWN_PID" 2>/dev/null || true
    fi
    wait "$NSPAWN_PID" 2>/dev/null || true
    say "root powered off in $((SECONDS - stopping)) s"
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# The clean base root: Debian 12 minbase and systemd, with the archives this machine's apt uses.
make_base_tarball() {
  local base="$WORK/base" started=$SECONDS
  say "making a clean Debian 12 root with debootstrap from $MIRROR (once; cached in $BASE_TARBALL)"
  debootstrap --variant=minbase --include=systemd,systemd-sysv bookworm "$base" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || {
    tail -n 20 "$WORK/debootstrap.log" >&2
    cannot_run "debootstrap from $MIRROR failed (log above): is the mirror reachable?"
  }
  rm -f "$base/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$MIRROR"
    if [[ -n "$SECURITY_MIRROR" ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n' "$SECURITY_MIRROR"
    fi
  } >"$base/etc/apt/sources.list.d/debian.sources"
  chroot "$base" apt-get clean
  mkdir -p "$CACHE"
  # Written aside and renamed, so that a run beside this one never reads half a tarball.
  tar --numeric-owner -C "$base" -cf "$BASE_TARBALL.$$.part" .
  mv -f "$BASE_TARBALL.$$.part" "$BASE_TARBALL"
  rm -rf "$base"
  say "clean root made in $((SECONDS - started)) s"
}

# PID 1 of the booted root: systemd, the child of systemd-nspawn.
container_pid1() { pgrep -P "$NSPAWN_PID" | head -n 1; }

# Runs a command inside the booted root: its namespaces, its root and working folder (that of its
# PID 1, /), a clean environment.
in_root() {
  nsenter --target "$(container_pid1)" --mount --uts --ipc --net --pid --root --wd -- \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

started=$SECONDS
[[ -f "$BASE_TARBALL" ]] || make_base_tarball
mkdir -p "$ROOT" "$CACHE/apt-archives"
tar --numeric-owner -C "$ROOT" -xf "$BASE_TARBALL"
mkdir -p "$ROOT/root/debs"
cp "${deb_files[@]}" "$ROOT/root/debs/"
cp "$REPO/packaging/install_test_province.sh" "$ROOT/root/"

# apt installs the packages and every library their Depends name, from the mirror. The apt
# archives folder is the cache's, so that a second run downloads nothing but the indexes; one
# run at a time uses it (flock), and autoclean drops the versions the mirror no longer has.
say "installing $(basename -a "${deb_files[@]}" | tr '\n' ' ')with apt"
flock "$CACHE/apt-archives.lock" systemd-nspawn --quiet --register=no --keep-unit --directory="$ROOT" \
  --bind="$CACHE/apt-archives:/var/cache/apt/archives" --setenv=DEBIAN_FRONTEND=noninteractive \
  -- /bin/sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends /root/debs/*.deb &&
    apt-get autoclean -qq' \
  >"$WORK/apt.log" 2>&1 || {
  tail -n 30 "$WORK/apt.log" >&2
  fail "apt could not install the packages (log above)"
}
grep -E '^(Setting up|Unpacking) tonghop' "$WORK/apt.log" | sed 's/^/  /' || true

# Boot: systemd as PID 1, no network but loopback, so the daemons' ports are the root's own.
systemd-nspawn --quiet --register=no --keep-unit --directory="$ROOT" --machine=tonghop-install-test \
  --private-network --boot --console=passive >"$WORK/boot.log" 2>&1 &
NSPAWN_PID=$!
deadline=$((SECONDS + BOOT_TIMEOUT_S))
while :; do
  state=""
  [[ -n "$(container_pid1)" ]] && state="$(in_root systemctl is-system-running 2>/dev/null || true)"
  [[ "$state" == running || "$state" == degraded ]] && break
  kill -0 "$NSPAWN_PID" 2>/dev/null || { cat "$WORK/boot.log" >&2; fail "the root did not boot (log above)"; }
  ((SECONDS < deadline)) || { cat "$WORK/boot.log" >&2; fail "the root did not boot within ${BOOT_TIMEOUT_S} s"; }
  sleep 1
done
say "root booted under systemd $((SECONDS - started)) s after the start"

status=0
in_root bash /root/install_test_province.sh || status=$?
say "done in $((SECONDS - started)) s"
exit "$status"
