#!/usr/bin/env bash
# Runs the local province on loopback: one aggregator, one publisher, the web node (dashboard and
# HTTP API) and one collector per reporting unit of deploy/lang-son/units.csv. See
# docs/OPERATIONS.md, "The local province".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$(realpath -m "${TONGHOP_BIN:-$ROOT/build/bin}")"
VAR="$(realpath -m "${TONGHOP_VAR:-$ROOT/var}")"
CATALOG="$ROOT/deploy/lang-son"
CONFIG="$ROOT/deploy/local"
LOGS="$VAR/logs"
RUN="$VAR/run"
KEYS="$VAR/keys"
# 1: run every link in plain text (loud warnings in the logs) instead of CURVE.
PLAINTEXT="${TONGHOP_PLAINTEXT:-0}"
READY_TIMEOUT_S=30
STOP_TIMEOUT_S=10
# The day whose reporting units get a collector (YYYY-MM-DD): by default the last of the quarter
# the demo plays, 2017-Q1, when Lạng Sơn had districts; 2026-01-01 starts its communes and wards.
UNITS_ON="${TONGHOP_UNITS_ON:-2017-03-31}"
# Pause between two dropped files, so that the totals visibly grow (seconds; 0 for none).
SCENARIO_DELAY_S="${TONGHOP_SCENARIO_DELAY_S:-0.03}"
# The web node's HTTP port; empty: the one in deploy/local/web.toml (8080).
WEB_PORT="${TONGHOP_WEB_PORT:-}"
# Each node serves its metrics on 127.0.0.1: the aggregator on this port, the publisher on +10, the
# web node on +15, the collectors from +20 on, in the order of units.csv.
METRICS_BASE_PORT="${TONGHOP_METRICS_BASE_PORT:-9550}"
# 1: up also starts Debian's prometheus, scraping every node, with the alerts of deploy/prometheus.
PROMETHEUS="${TONGHOP_PROMETHEUS:-0}"
PROMETHEUS_PORT="${TONGHOP_PROMETHEUS_PORT:-9090}"
PROMETHEUS_DIR="$VAR/prometheus"

usage() {
  cat <<EOF
Usage: deploy/local/province.sh COMMAND [ARG]

Runs the local province on loopback: tonghop-aggregator, tonghop-publisher, tonghop-web (the
dashboard, http://127.0.0.1:8080/) and one tonghop-collector per reporting unit of
deploy/lang-son/units.csv that reports on TONGHOP_UNITS_ON (default 2017-03-31, the
demo's quarter: the 11 districts and 7 departments; 2026-01-01: the 65 communes and wards).

Commands:
  up                 start every node not already running; returns once each has logged
                     its "ready:" line (fails after ${READY_TIMEOUT_S} s, showing the failing node's log),
                     and prints the dashboard's address
  down               stop every node (SIGTERM, SIGKILL after ${STOP_TIMEOUT_S} s)
  status             one line per node: name, pid, state, metrics address; pending figures of
                     collectors
  start NODE         start one node and wait until it is ready
  kill NODE          SIGKILL a node (a crash, for recovery drills)
  stop NODE          SIGSTOP a node (a hang: it keeps its sockets but answers nothing)
  cont NODE          SIGCONT a stopped node
  scenario NAME|DIR  drop a scenario's CSV files into the collectors' drop folders:
                     NAME is a folder of deploy/lang-son/scenarios/ (lang-son-2017-q1),
                     DIR any folder holding one sub-folder of CSV files per unit code
  help, --help       this text

NODE is aggregator, publisher, web or collector-<unit code> (e.g. collector-cao-loc), or
prometheus when it runs (TONGHOP_PROMETHEUS=1).

Environment:
  TONGHOP_BIN   folder of the binaries (default: build/bin; now $BIN)
  TONGHOP_VAR   folder for data, logs and pid files (default: var/; now $VAR)
  TONGHOP_SCENARIO_DELAY_S  pause between dropped files (default 0.03)
  TONGHOP_PLAINTEXT  1 to run without CURVE (default 0: keys in \$TONGHOP_VAR/keys, made on first start)
  TONGHOP_WEB_PORT   the dashboard's port (default: 8080, from deploy/local/web.toml)
  TONGHOP_METRICS_BASE_PORT  the aggregator's metrics port (default 9550); the publisher's is +10,
                the web node's +15, the collectors' +20 and up; status prints each node's http://127.0.0.1:PORT/metrics
  TONGHOP_PROMETHEUS  1: up also starts Debian's prometheus (apt install prometheus), scraping every
                node every 5 s with the alerts of deploy/prometheus/tonghop-alerts.yml, its data in
                \$TONGHOP_VAR/prometheus; down stops it
  TONGHOP_PROMETHEUS_PORT  its port (default 9090): http://127.0.0.1:9090

Data: \$TONGHOP_VAR/aggregator, \$TONGHOP_VAR/collectors/<code>/{outbox,drop}
Keys: \$TONGHOP_VAR/keys/<node>.{key,pub} and keys.csv, the aggregator's key registry
      (edit it, then kill -HUP the aggregator's pid to apply: docs/SECURITY.md);
      web.key is the web node's (registered as a viewer key: it asks the aggregator for unit
      figures, revisions and completeness);
      office.key is the key of tonghop import, template, status, history, query, export and
      report, which find it by themselves from any folder (in \$TONGHOP_VAR/keys when set,
      else in this repository's var/keys: docs/OPERATIONS.md, "Where the office commands find
      their keys")
Logs: \$TONGHOP_VAR/logs/<node>.log (the previous run's in <node>.log.1)

Examples:
  deploy/local/province.sh up && deploy/local/province.sh scenario lang-son-2017-q1
  build/bin/tonghop watch
  deploy/local/province.sh kill aggregator; deploy/local/province.sh start aggregator
EOF
}

die_usage() {
  echo "province.sh: $*" >&2
  echo "Run deploy/local/province.sh --help for the commands." >&2
  exit 2
}

die() {
  echo "province.sh: $*" >&2
  exit 1
}

# Unit codes from the code column of units.csv (any column order; '#' lines and CR ignored), of
# the units that report on UNITS_ON (valid_from and valid_to, docs/CATALOG.md).
unit_codes() {
  awk -F, -v on="$UNITS_ON" '
    { sub(/\r$/, "") }
    /^#/ || NF == 0 { next }
    !header {
      for (i = 1; i <= NF; i++) {
        if ($i == "code") col = i
        if ($i == "valid_from") from = i
        if ($i == "valid_to") to = i
      }
      header = 1; next
    }
    from && $from != "" && $from > on { next }
    to && $to != "" && $to < on { next }
    col && $col != "" { print $col }
  ' "$CATALOG/units.csv"
}

all_nodes() {
  echo aggregator
  echo publisher
  echo web
  local code
  for code in $(unit_codes); do echo "collector-$code"; done
  if ((PROMETHEUS != 0)) || [[ -f "$RUN/prometheus.pid" ]]; then echo prometheus; fi
}

check_node() {
  local node="$1" known
  for known in $(all_nodes); do
    [[ "$known" == "$node" ]] && return 0
  done
  die_usage "unknown node '$node': use aggregator, publisher, web or collector-<code> with a code of $CATALOG/units.csv (or prometheus, with TONGHOP_PROMETHEUS=1)"
}

binary_of() {
  case "$1" in
    aggregator) echo "$BIN/tonghop-aggregator" ;;
    publisher) echo "$BIN/tonghop-publisher" ;;
    web) echo "$BIN/tonghop-web" ;;
    collector-*) echo "$BIN/tonghop-collector" ;;
    prometheus) command -v prometheus || echo /usr/bin/prometheus ;;
  esac
}

# The port a node serves its metrics on (Prometheus: its web port).
metrics_port_of() {
  case "$1" in
    aggregator) echo "$METRICS_BASE_PORT" ;;
    publisher) echo $((METRICS_BASE_PORT + 10)) ;;
    web) echo $((METRICS_BASE_PORT + 15)) ;;
    collector-*)
      local code="${1#collector-}" i=0 known
      for known in $(unit_codes); do
        [[ "$known" == "$code" ]] && break
        i=$((i + 1))
      done
      echo $((METRICS_BASE_PORT + 20 + i)) ;;
    prometheus) echo "$PROMETHEUS_PORT" ;;
  esac
}

metrics_url_of() {
  if [[ "$1" == prometheus ]]; then
    echo "http://127.0.0.1:$(metrics_port_of "$1")"
  else
    echo "http://127.0.0.1:$(metrics_port_of "$1")/metrics"
  fi
}

# Prometheus's configuration: every node of the province, every 5 s, under the job names the
# alerts expect (deploy/prometheus/tonghop-scrape.yml is the one for a real province).
write_prometheus_config() {
  local node collectors=""
  for node in $(all_nodes); do
    [[ "$node" == collector-* ]] && collectors+="\"127.0.0.1:$(metrics_port_of "$node")\", "
  done
  mkdir -p "$PROMETHEUS_DIR/data"
  cat >"$PROMETHEUS_DIR/prometheus.yml" <<YAML
# Written by deploy/local/province.sh up; rewritten at every start.
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $ROOT/deploy/prometheus/tonghop-alerts.yml
scrape_configs:
  - job_name: tonghop-aggregator
    static_configs:
      - targets: ["127.0.0.1:$(metrics_port_of aggregator)"]
  - job_name: tonghop-publisher
    static_configs:
      - targets: ["127.0.0.1:$(metrics_port_of publisher)"]
  - job_name: tonghop-web
    static_configs:
      - targets: ["127.0.0.1:$(metrics_port_of web)"]
  - job_name: tonghop-collector
    static_configs:
      - targets: [${collectors%, }]
YAML
}

# The CURVE keys of the local province (docs/SECURITY.md), made once: a key pair per node and
# for the office (tonghop import and the query commands), and the aggregator's key registry of the publisher's,
# the office's, the web node's and the collectors' public keys.
public_key_of() { sed -n 's/^public_key = "\(.*\)"$/\1/p' "$KEYS/$1.pub"; }
office_row() { echo "office,office,$(public_key_of office),local province: tonghop import and the query commands"; }
web_row() { echo "viewer,web,$(public_key_of web),local province: tonghop-web asks for unit figures and completeness"; }
make_key() {
  [[ -f "$KEYS/$1.key" ]] || "$BIN/tonghop" --log_level off keygen "$1" --out_dir "$KEYS" >/dev/null ||
    die "cannot write the CURVE keys in $KEYS (is $BIN/tonghop built?)"
}
ensure_keys() {
  ((PLAINTEXT == 0)) || return 0
  if [[ -f "$KEYS/keys.csv" ]]; then
    # Keys made before the office had one: add it, so that the query commands work under CURVE.
    if [[ ! -f "$KEYS/office.key" ]]; then
      make_key office
      office_row >>"$KEYS/keys.csv"
      echo "CURVE key of the office written to $KEYS and registered in $KEYS/keys.csv (kill -HUP a running aggregator)"
    fi
    # Keys made before the web node: give it one, registered as a viewer key (queries only).
    if [[ ! -f "$KEYS/web.key" ]]; then
      make_key web
      web_row >>"$KEYS/keys.csv"
      echo "CURVE key of the web node written to $KEYS and registered in $KEYS/keys.csv (kill -HUP a running aggregator)"
    fi
    return 0
  fi
  mkdir -p "$KEYS"
  chmod 700 "$KEYS"
  local name
  for name in aggregator publisher office web $(unit_codes); do make_key "$name"; done
  {
    echo "role,name,public_key,comment"
    echo "publisher,publisher,$(public_key_of publisher),local province"
    office_row
    web_row
    for name in $(unit_codes); do echo "collector,$name,$(public_key_of "$name"),local province"; done
  } >"$KEYS/keys.csv.part"
  mv -f "$KEYS/keys.csv.part" "$KEYS/keys.csv"
  echo "CURVE keys written to $KEYS (registry: $KEYS/keys.csv)"
}

# A node's CURVE flags, one word a line (none in plain-text mode).
security_args_of() {
  if ((PLAINTEXT != 0)); then
    printf '%s\n' --plaintext_for_development
    return 0
  fi
  case "$1" in
    aggregator) printf '%s\n' --curve_secret_key_file "$KEYS/aggregator.key" --key_registry_file "$KEYS/keys.csv" ;;
    publisher | web | collector-*)
      local name="${1#collector-}"
      printf '%s\n' --curve_secret_key_file "$KEYS/$name.key" --curve_server_public_key "$KEYS/aggregator.pub" ;;
  esac
}

# The command line of a node, one word a line.
args_of() {
  case "$1" in
    aggregator)
      printf '%s\n' --config "$CONFIG/aggregator.toml" --data_dir "$VAR/aggregator" --catalog_dir "$CATALOG" ;;
    publisher)
      printf '%s\n' --config "$CONFIG/publisher.toml" ;;
    web)
      printf '%s\n' --config "$CONFIG/web.toml" --catalog_dir "$CATALOG"
      [[ -z "$WEB_PORT" ]] || printf '%s\n' --http_port "$WEB_PORT" ;;
    collector-*)
      local code="${1#collector-}"
      printf '%s\n' --config "$CONFIG/collector.toml" --reporting_unit "$code" --data_dir "$VAR/collectors/$code" ;;
    prometheus)
      printf '%s\n' --config.file "$PROMETHEUS_DIR/prometheus.yml" --storage.tsdb.path "$PROMETHEUS_DIR/data" \
        --web.listen-address "127.0.0.1:$PROMETHEUS_PORT" --log.level warn
      return 0 ;;
  esac
  printf '%s\n' --metrics_endpoint "127.0.0.1:$(metrics_port_of "$1")"
  security_args_of "$1"
}

submit_endpoint_of() { echo "ipc://$VAR/collectors/${1#collector-}/submit.sock"; }

# The pid of a running node, or nothing. A pid file whose process is gone, or is now some other
# program (pid reuse), counts as not running.
pid_of() {
  local file="$RUN/$1.pid" pid
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  local exe cmdline
  exe="$(basename "$(binary_of "$1")")"
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"$exe"* ]] || return 0
  echo "$pid"
}

state_of_pid() {
  local state
  state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo '?')"
  case "$state" in
    T | t) echo paused ;;
    Z) echo stopped ;;
    *) echo running ;;
  esac
}

is_ready() {
  if [[ "$1" == prometheus ]]; then
    grep -q 'Server is ready to receive web requests' "$LOGS/$1.log" 2>/dev/null
  else
    grep -q '^ready:' "$LOGS/$1.log" 2>/dev/null
  fi
}

# The dashboard's address, from the web node's ready line ("ready: web http://127.0.0.1:8080/ ...").
web_address() { sed -n 's/.*ready: web \(http[^ ]*\).*/\1/p' "$LOGS/web.log" 2>/dev/null | tail -n 1; }

show_log_tail() {
  echo "--- last lines of $LOGS/$1.log ---" >&2
  tail -n 20 "$LOGS/$1.log" >&2 2>/dev/null || echo "(no log)" >&2
  echo "---" >&2
}

# Starts a node in the background unless it runs already. Its own session (setsid) keeps it out
# of the terminal's process group, so a Ctrl-C meant for `tonghop watch` does not stop it.
launch() {
  local node="$1" bin pid
  pid="$(pid_of "$node")"
  if [[ -n "$pid" ]]; then
    echo "$node already running (pid $pid)"
    return 0
  fi
  bin="$(binary_of "$node")"
  if [[ "$node" == prometheus ]]; then
    [[ -x "$bin" ]] || die "prometheus not found: apt install prometheus (deploy/install-deps.sh installs it)"
    write_prometheus_config
  fi
  [[ -x "$bin" ]] || die "$bin not found: build first (make build, or cmake --build build), or point TONGHOP_BIN at the binaries"
  ensure_keys
  mkdir -p "$LOGS" "$RUN"
  [[ -f "$LOGS/$node.log" ]] && mv -f "$LOGS/$node.log" "$LOGS/$node.log.1"
  local -a args
  mapfile -t args < <(args_of "$node")
  # The inner shell writes its own pid and then becomes the node (exec), so the pid file names
  # the node itself.
  # shellcheck disable=SC2016 # $$ and $@ are the inner shell's
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$RUN/$node.pid" "$bin" "${args[@]}" \
    </dev/null >>"$LOGS/$node.log" 2>&1 &
  echo "$node starting (log $LOGS/$node.log)"
}

# Waits until each named node has logged "ready:"; a node that exits or a timeout is fatal.
wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT_S)) node pending
  local -a waiting=("$@")
  while ((${#waiting[@]} > 0)); do
    pending=()
    for node in "${waiting[@]}"; do
      if is_ready "$node"; then
        echo "$node ready (pid $(pid_of "$node"))"
        continue
      fi
      # The pid file appears a moment after launch; only a written one that names a dead
      # process means the node exited.
      if [[ -s "$RUN/$node.pid" && -z "$(pid_of "$node")" ]]; then
        show_log_tail "$node"
        die "$node exited before it was ready: see its log above ($LOGS/$node.log)"
      fi
      pending+=("$node")
    done
    waiting=("${pending[@]+"${pending[@]}"}")
    ((${#waiting[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      show_log_tail "${waiting[0]}"
      die "${waiting[*]} not ready within ${READY_TIMEOUT_S} s: see the log above; deploy/local/province.sh down stops the rest"
    fi
    sleep 0.1
  done
}

cmd_up() {
  local node
  local -a started=()
  for node in $(all_nodes); do
    if [[ -n "$(pid_of "$node")" ]]; then
      echo "$node already running (pid $(pid_of "$node"))"
    else
      launch "$node"
      started+=("$node")
    fi
  done
  if ((${#started[@]} > 0)); then wait_ready "${started[@]}"; fi
  echo "province up: tonghop watch (build/bin/tonghop watch) shows the totals, tonghop status --period 2017-Q1 who has reported"
  echo "dashboard: $(web_address)"
  if ((PROMETHEUS != 0)); then
    echo "Prometheus: $(metrics_url_of prometheus) (alerts: $(metrics_url_of prometheus)/alerts); docs/OPERATIONS.md, \"Metrics\", has the queries"
  fi
}

# SIGTERM, then SIGKILL for what is still there after STOP_TIMEOUT_S.
stop_nodes() {
  local node pid
  local -a pids=() names=()
  for node in "$@"; do
    pid="$(pid_of "$node")"
    if [[ -z "$pid" ]]; then
      rm -f "$RUN/$node.pid"
      continue
    fi
    kill -TERM "$pid" 2>/dev/null || true
    # A paused node would hold the signal until continued.
    kill -CONT "$pid" 2>/dev/null || true
    pids+=("$pid")
    names+=("$node")
  done
  if ((${#pids[@]} == 0)); then
    echo "no node running"
    return 0
  fi
  local deadline=$((SECONDS + STOP_TIMEOUT_S)) i alive
  while :; do
    alive=0
    for i in "${!pids[@]}"; do
      kill -0 "${pids[$i]}" 2>/dev/null && alive=1
    done
    ((alive == 0 || SECONDS >= deadline)) && break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "${names[$i]} (pid ${pids[$i]}) did not stop within ${STOP_TIMEOUT_S} s: killing it"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    else
      echo "${names[$i]} stopped"
    fi
    rm -f "$RUN/${names[$i]}.pid"
  done
}

cmd_down() {
  local -a nodes
  mapfile -t nodes < <(all_nodes)
  stop_nodes "${nodes[@]}"
}

cmd_status() {
  local node pid state extra pending
  for node in $(all_nodes); do
    pid="$(pid_of "$node")"
    extra=""
    if [[ -z "$pid" ]]; then
      state=stopped
      pid=-
    else
      state="$(state_of_pid "$pid")"
      if [[ "$node" == web && "$state" == running ]]; then
        extra="$(web_address)"
      elif [[ "$node" == collector-* && "$state" == running ]]; then
        pending="$("$BIN/tonghop" --log_level off --lang en collector-status --collector "$(submit_endpoint_of "$node")" \
          --timeout_ms 1000 2>/dev/null | awk '$1 == "pending:" { print $2 }' || true)"
        extra="pending ${pending:-?}"
      fi
    fi
    printf '%-32s %-8s %-8s %-38s %s' "$node" "$pid" "$state" "$(metrics_url_of "$node")" "$extra" | sed 's/ *$//'
    echo
  done
}

cmd_signal() {
  local signal="$1" node="$2" pid
  check_node "$node"
  pid="$(pid_of "$node")"
  [[ -n "$pid" ]] || die "$node is not running (deploy/local/province.sh status)"
  kill "-$signal" "$pid"
  case "$signal" in
    KILL) rm -f "$RUN/$node.pid"; echo "$node (pid $pid) killed; deploy/local/province.sh start $node restarts it" ;;
    STOP) echo "$node (pid $pid) paused; deploy/local/province.sh cont $node resumes it" ;;
    CONT) echo "$node (pid $pid) resumed" ;;
  esac
}

cmd_start() {
  local node="$1"
  check_node "$node"
  if [[ -n "$(pid_of "$node")" ]]; then
    echo "$node already running (pid $(pid_of "$node"))"
    return 0
  fi
  launch "$node"
  wait_ready "$node"
  [[ "$node" != web ]] || echo "dashboard: $(web_address)"
}

# Copies each unit's CSV files into var/collectors/<code>/drop/, as a dot-file renamed into
# place (collectors skip dot-files, so they never read half a file). Files go out sector by
# sector across all units, so the totals fill in the way district reports arrive.
cmd_scenario() {
  local arg="$1" dir
  if [[ -d "$arg" ]]; then
    dir="$(realpath "$arg")"
  elif [[ -d "$CATALOG/scenarios/$arg" ]]; then
    dir="$CATALOG/scenarios/$arg"
  else
    die "no scenario '$arg': name a folder of $CATALOG/scenarios/ ($(find "$CATALOG/scenarios" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | paste -sd ' ')) or give a folder path"
  fi
  local -a files
  mapfile -t files < <(find "$dir" -mindepth 2 -maxdepth 2 -type f -name '*.csv' ! -name '.*' |
    awk -F/ '{ print $NF "\t" $(NF-1) "\t" $0 }' | sort | cut -f3)
  ((${#files[@]} > 0)) || die "$dir holds no <unit code>/<file>.csv files"

  local codes code
  codes=" $(unit_codes | tr '\n' ' ') "
  local -A warned=()
  local total=${#files[@]} dropped=0 skipped=0 file name drop
  for file in "${files[@]}"; do
    code="$(basename "$(dirname "$file")")"
    name="$(basename "$file")"
    if [[ "$codes" != *" $code "* ]]; then
      if [[ -z "${warned[$code]:-}" ]]; then
        echo "skipping $dir/$code: '$code' is not a unit code of $CATALOG/units.csv" >&2
        warned[$code]=1
      fi
      skipped=$((skipped + 1))
      continue
    fi
    if [[ -z "${warned[$code]:-}" && -z "$(pid_of "collector-$code")" ]]; then
      echo "collector-$code is not running: its files wait in its drop folder until it starts" >&2
      warned[$code]=1
    fi
    drop="$VAR/collectors/$code/drop"
    mkdir -p "$drop"
    cp "$file" "$drop/.$name.part"
    mv -f "$drop/.$name.part" "$drop/$name"
    dropped=$((dropped + 1))
    if [[ -t 1 ]]; then
      printf '\rdropped %d/%d files' "$dropped" "$((total - skipped))"
    elif ((dropped % 20 == 0)); then
      echo "dropped $dropped/$((total - skipped)) files"
    fi
    sleep "$SCENARIO_DELAY_S"
  done
  [[ -t 1 ]] && echo
  echo "dropped $dropped/$((total - skipped)) files from $dir; tonghop watch shows the totals, province.sh status the pending figures"
}

main() {
  (($# > 0)) || die_usage "no command given"
  local command="$1"
  shift
  case "$command" in
    -h | --help | help) usage ;;
    up | down | status)
      (($# == 0)) || die_usage "$command takes no argument"
      "cmd_$command" ;;
    start | kill | stop | cont)
      (($# == 1)) || die_usage "$command needs exactly one NODE (aggregator, publisher, web or collector-<code>)"
      case "$command" in
        start) cmd_start "$1" ;;
        kill) cmd_signal KILL "$1" ;;
        stop) cmd_signal STOP "$1" ;;
        cont) cmd_signal CONT "$1" ;;
      esac ;;
    scenario)
      (($# == 1)) || die_usage "scenario needs exactly one NAME or DIR (e.g. lang-son-2017-q1)"
      cmd_scenario "$1" ;;
    *) die_usage "unknown command '$command'" ;;
  esac
}

main "$@"
