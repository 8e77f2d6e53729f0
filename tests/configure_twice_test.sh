#!/usr/bin/env bash
# A build folder configured a second time keeps every target's compile flags. When a configure
# changed them (libzmq's pkg-config `-isystem`, read one way at the first configure and another at
# the next), the `make package` that follows `make test` rebuilt the whole tree: 25 of CI's minutes.
# Usage: tests/configure_twice_test.sh SOURCE_DIR
set -euo pipefail
source_dir="${1:?usage: configure_twice_test.sh SOURCE_DIR}"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT

flags() { (cd "$build" && find . -name flags.make | sort | xargs md5sum); }
cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
first="$(flags)"
cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if ! diff <(echo "$first") <(flags); then
  echo "the second configure changed the compile flags of the targets above: every one of them" \
    "rebuilds; look for a dependency whose flags FindPkgConfig reads differently from its cache" >&2
  exit 1
fi
echo "$(echo "$first" | wc -l) targets, the same flags after a second configure"
