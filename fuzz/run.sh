#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DTONGHOP_FUZZ=ON, in build-fuzz/) and runs each for a
# bounded time over its committed corpus. See docs/SECURITY.md, "Fuzzing".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$(realpath -m "${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}")"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
NICE="${FUZZ_NICE:-19}"
MERGE=0

usage() {
  cat <<USAGE
Usage: fuzz/run.sh [--seconds N] [--merge] [TARGET...]

Builds every fuzz target into $BUILD/fuzz/ and runs each (or only the TARGETs named, e.g.
ingest_message catalog) for N seconds, one after the other, under nice $NICE.

  --seconds N   time per target (default \$FUZZ_SECONDS, else 60; now $SECONDS_EACH)
  --merge       afterwards, add the new inputs that reach new code to fuzz/corpus/<target>/
                (commit them); without it the committed corpus is only read
  --build-only  build the targets, run nothing

New inputs go to $BUILD/corpus/<target>/, logs to $BUILD/logs/<target>.log, and a crashing
input to $BUILD/artifacts/<target>/. A crash exits 1 naming that file: fix the bug, copy the
input to fuzz/regressions/<target>/ (the replay ctest runs it in every build), and commit both.
Targets: $(cd "$ROOT/fuzz" && ls ./*_fuzz.cc | sed 's|^\./||; s|_fuzz\.cc$||' | paste -sd ' ')
USAGE
}

build_only=0
targets=()
while (($# > 0)); do
  case "$1" in
    --seconds) SECONDS_EACH="${2:?--seconds needs a number}"; shift 2 ;;
    --merge) MERGE=1; shift ;;
    --build-only) build_only=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "fuzz/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || { echo "fuzz/run.sh: --seconds wants a whole number, not '$SECONDS_EACH'" >&2; exit 2; }
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cd "$ROOT/fuzz" && ls ./*_fuzz.cc | sed 's|^\./||; s|_fuzz\.cc$||')
fi
for t in "${targets[@]}"; do
  [[ -f "$ROOT/fuzz/${t}_fuzz.cc" ]] || { echo "fuzz/run.sh: no target '$t' (see --help for the list)" >&2; exit 2; }
done

command -v clang++-14 >/dev/null || { echo "fuzz/run.sh: clang++-14 missing; run deploy/install-deps.sh" >&2; exit 1; }
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DTONGHOP_FUZZ=ON >/dev/null
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target "${targets[@]/%/_fuzz}"
((build_only)) && exit 0

mkdir -p "$BUILD/logs"
for t in "${targets[@]}"; do
  work="$BUILD/corpus/$t"
  artifacts="$BUILD/artifacts/$t"
  mkdir -p "$work" "$artifacts" "$ROOT/fuzz/corpus/$t"
  log="$BUILD/logs/$t.log"
  echo "fuzzing $t for ${SECONDS_EACH} s (log $log)"
  if ! nice -n "$NICE" "$BUILD/fuzz/${t}_fuzz" -max_total_time="$SECONDS_EACH" -timeout=10 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$work" "$ROOT/fuzz/corpus/$t" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz/run.sh: $t failed; the input is in $artifacts/ (see --help for what to do)" >&2
    exit 1
  fi
  runs="$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")"
  printf '%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$SECONDS_EACH" >>"$BUILD/fuzz-seconds.tsv"
  echo "$t: ${runs:-?} inputs in ${SECONDS_EACH} s, no finding"
  if ((MERGE)); then
    "$BUILD/fuzz/${t}_fuzz" -merge=1 -max_len=65536 "$ROOT/fuzz/corpus/$t" "$work" >>"$log" 2>&1
    echo "$t: fuzz/corpus/$t now holds $(find "$ROOT/fuzz/corpus/$t" -type f | wc -l) inputs"
  fi
done
