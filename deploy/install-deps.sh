#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running the local province need.
# Idempotent: it asks apt only for what dpkg does not already have, so a second run is instant.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libzmq3-dev cppzmq-dev
  libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libjemalloc-dev  # the aggregator's allocator (docs/PERFORMANCE.md, "The allocator")
  libspdlog-dev libfmt-dev
  libgtest-dev
  libcli11-dev nlohmann-json3-dev libfccp-dev
  libutf8proc-dev  # core/wire_text: the UTF-8 check every string of a figure passes
  libboost-dev     # headers only: core/decimal's exact quotients (Multiprecision), tonghop-web's HTTP (Beast)
  libncurses-dev   # cli/terminal_screen: `tonghop watch` on a terminal (links libncursesw6)
  tmux             # tests/watch_terminal_test: watch at 80x24 as a terminal shows it
  prometheus-cpp-dev  # core/metrics: the Prometheus client and its HTTP exposer
  prometheus  # promtool (the alerts and metrics checks) and the server of the metrics system test
  libminizip-dev libpugixml-dev  # collector/xlsx_reader: the .xlsx drop files (zip container, sheet XML)
  libxlsxwriter-dev  # cli/template: the spreadsheet `tonghop template` writes for a unit
  iproute2 procps
  clang-14 libclang-rt-14-dev  # fuzz/ (libFuzzer) and the sanitizer builds
  file debootstrap systemd-container  # make package (dpkg-shlibdeps) and its install test
  libjs-chart.js              # the dashboard's charts, served by tonghop-web
  nodejs                      # the dashboard's JavaScript tests (node --test, no npm install)
  chromium chromium-driver python3-selenium  # the dashboard's test in a real headless browser
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install as root: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
