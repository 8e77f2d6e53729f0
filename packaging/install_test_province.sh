#!/usr/bin/env bash
# Runs inside the clean Debian 12 root that packaging/install_test.sh installed the packages into
# and booted under systemd. It does what docs/OPERATIONS.md, "Installing from the packages", tells
# an operator to do: one machine here plays the province server and a district machine. Then it
# checks the result, an upgrade, a removal and a purge. Prints "ok - ..." or "not ok - ..." per
# check, and a last line "install-test: N passed, M failed"; exits 1 if any failed.
set -uo pipefail
cd /

UNIT_CODE=cao-loc
# A second unit collected on the same machine: a second instance of the template.
SECOND_UNIT_CODE=loc-binh
DROP="/var/lib/tonghop/collector/$UNIT_CODE/drop"
SUBMIT="ipc:///var/lib/tonghop/collector/$UNIT_CODE/submit.sock"
OFFICE_KEYS=/root/tonghop-keys
WEB_TOKEN=0123456789abcdef0123456789abcdef-install-test
LIVENESS_TIMEOUT_S=30
export DEBIAN_FRONTEND=noninteractive
passed=0
failed=0

# check DESCRIPTION COMMAND...: runs COMMAND; on failure prints its output and the failure.
check() {
  local what="$1"
  shift
  if "$@" >/tmp/check.out 2>&1; then
    passed=$((passed + 1))
    echo "ok - $what"
  else
    failed=$((failed + 1))
    echo "not ok - $what"
    tail -n 30 /tmp/check.out | sed 's/^/    /'
  fi
}

# eventually COMMAND...: COMMAND succeeds within LIVENESS_TIMEOUT_S; if not, prints the output of
# its last try.
eventually() {
  local deadline=$((SECONDS + LIVENESS_TIMEOUT_S))
  until "$@" >/tmp/eventually.out 2>&1; do
    if ((SECONDS >= deadline)); then
      cat /tmp/eventually.out
      return 1
    fi
    sleep 0.5
  done
}

# logged_since SINCE UNIT TEXT: UNIT has logged TEXT since SINCE (journalctl -u UNIT: the nodes'
# stderr goes to the journal); if not, says which line is missing.
logged_since() {
  journalctl --since "$1" -u "$2" -o cat | grep -qF "$3" || { echo "$2: no \"$3\" logged since $1 yet"; return 1; }
}

# Each has logged "ready:" since SINCE.
ready_since() {
  local since="$1" unit
  shift
  for unit in "$@"; do
    logged_since "$since" "$unit" 'ready:' || return 1
  done
}

main_pid() { systemctl show -p MainPID --value "$1"; }

# Each unit is active; if not, what systemd and the unit's log say. (One unit per systemctl
# is-active: given several, it succeeds when any one is active.)
units_active() {
  local unit
  for unit in "$@"; do
    systemctl is-active --quiet "$unit" || { systemctl status --no-pager --lines=15 "$unit"; return 1; }
  done
}

# Each unit is enabled.
units_enabled() {
  local unit
  for unit in "$@"; do
    systemctl is-enabled "$unit" || return 1
  done
}

# The province's totals as `tonghop watch --once --json` prints them, on one line per aggregate.
totals() { tonghop --log_level off watch --once --json --timeout_ms 5000 | sed 's/},{/},\n{/g'; }

# A province total of `indicator` for 2017-Q1 is exactly `value`.
total_is() {
  local indicator="$1" value="$2"
  totals | grep -F "\"indicator\":\"$indicator\",\"period\":\"2017-Q1\"" | grep -Eq "\"value\":$value(\.0+)?," ||
    { echo "no total $indicator 2017-Q1 = $value in:"; totals | grep -F "\"$indicator\""; return 1; }
}

as_officer() { runuser -u officer -- "$@"; }

# GET PATH from the web node on 127.0.0.1:8080 (bash's /dev/tcp: the root has no curl), with the
# token when TOKEN is given; prints the whole answer, head and body.
web_get() {
  local path="$1" token="${2:-}"
  exec 3<>/dev/tcp/127.0.0.1/8080 || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n' "$path" \
    "${token:+Authorization: Bearer $token$'\r\n'}" >&3
  cat <&3
  exec 3<&-
}

# --- The installed files -------------------------------------------------------------------------
check "tonghop --version answers the packaged version" sh -c 'tonghop --version | grep -q "^tonghop 0\."'
for binary in tonghop-aggregator tonghop-publisher tonghop-collector tonghop-web; do
  check "/usr/bin/$binary --version answers" "/usr/bin/$binary" --version
done
check "the tonghop system user exists, with no login shell" \
  sh -c 'getent passwd tonghop | grep -Eq ":/usr/sbin/nologin$"'
check "/etc/tonghop/keys is tonghop:tonghop, mode 0750" \
  sh -c '[ "$(stat -c "%U:%G %a" /etc/tonghop/keys)" = "tonghop:tonghop 750" ]'
check "the catalog and the example configs are conffiles" sh -c '
  dpkg-query -W -f="\${Conffiles}\n" tonghop-common tonghop-server tonghop-collector tonghop-web >/tmp/conffiles &&
  for f in catalog/units.csv catalog/indicators.csv catalog/plans.csv catalog/baselines.csv catalog/years.csv \
           aggregator.toml publisher.toml collector.toml web.toml; do
    grep -q " /etc/tonghop/$f " /tmp/conffiles || { echo "not a conffile: /etc/tonghop/$f"; exit 1; }
  done'
check "nothing is enabled or started by the installation" \
  sh -c '! systemctl is-enabled --quiet tonghop-aggregator tonghop-publisher tonghop-web &&
         ! systemctl is-active --quiet tonghop-aggregator tonghop-publisher tonghop-web'
# Any warning of systemd-analyze verify (an unknown key, a missing binary) fails the check.
check "systemd-analyze verify passes on every unit and the drop-in, without a warning" sh -c '
  cd /lib/systemd/system &&
  systemd-analyze verify "$PWD/tonghop-aggregator.service" "$PWD/tonghop-publisher.service" \
    "$PWD/tonghop-collector@.service" "$PWD/tonghop-web.service" >/tmp/verify.out 2>&1; status=$?
  cat /tmp/verify.out; [ $status -eq 0 ] && [ ! -s /tmp/verify.out ]'

# --- The operator's steps (docs/OPERATIONS.md) ---------------------------------------------------
# Province server: the daemons' keys, as user tonghop, and the registry, owned by root.
registry=/etc/tonghop/keys.csv
echo "role,name,public_key,comment" >"$registry"
runuser -u tonghop -- tonghop keygen aggregator --out_dir /etc/tonghop/keys
runuser -u tonghop -- tonghop keygen publisher --role publisher --out_dir /etc/tonghop/keys | tail -n 1 >>"$registry"
# A district's collector key (on the district machine; here the same one) and its registry row.
for code in "$UNIT_CODE" "$SECOND_UNIT_CODE"; do
  runuser -u tonghop -- tonghop keygen "$code" --role collector --out_dir /etc/tonghop/keys | tail -n 1 >>"$registry"
done
# The office's key, kept by whoever queries (root here), and its registry row.
tonghop keygen office-1 --role office --out_dir "$OFFICE_KEYS" | tail -n 1 >>"$registry"
# The web node's key, as user tonghop, registered as a viewer key (queries only); its readers' tokens.
runuser -u tonghop -- tonghop keygen web --role viewer --out_dir /etc/tonghop/keys | tail -n 1 >>"$registry"
install -o tonghop -g tonghop -m 600 /dev/null /etc/tonghop/web-tokens.csv
printf 'name,token\ninstall test,%s\n' "$WEB_TOKEN" >/etc/tonghop/web-tokens.csv
# The district's collector.toml names the aggregator.
sed -i 's|^# aggregator_endpoint = .*|aggregator_endpoint = "tcp://127.0.0.1:5550"|' /etc/tonghop/collector.toml
# A district officer who drops files and submits figures.
useradd --create-home --groups tonghop officer
start="$(date '+%Y-%m-%d %H:%M:%S')"
# The second collector's metrics port (OPERATIONS.md, "Metrics"), as systemctl edit would write it.
mkdir -p "/etc/systemd/system/tonghop-collector@$SECOND_UNIT_CODE.service.d"
printf '[Service]\nEnvironment=TONGHOP_COLLECTOR_FLAGS=--metrics_endpoint=127.0.0.1:9571\n' \
  >"/etc/systemd/system/tonghop-collector@$SECOND_UNIT_CODE.service.d/override.conf"
systemctl daemon-reload
systemctl enable --now tonghop-aggregator tonghop-publisher "tonghop-collector@$UNIT_CODE" \
  "tonghop-collector@$SECOND_UNIT_CODE" tonghop-web

# --- The daemons as the units run them ---------------------------------------------------------
check "the aggregator, the publisher, the collector and the web node log ready: to the journal" \
  eventually ready_since "$start" tonghop-aggregator tonghop-publisher "tonghop-collector@$UNIT_CODE" tonghop-web
check "the four units are active" units_active tonghop-aggregator tonghop-publisher "tonghop-collector@$UNIT_CODE" tonghop-web
check "the four units are enabled" units_enabled tonghop-aggregator tonghop-publisher "tonghop-collector@$UNIT_CODE" tonghop-web
# The first check waited for the first collector only; the second starts beside it and may log
# ready: a moment later, so it is waited for too.
second_collector_runs() {
  units_active "tonghop-collector@$SECOND_UNIT_CODE" || return 1
  test -S "/var/lib/tonghop/collector/$SECOND_UNIT_CODE/submit.sock" ||
    { echo "no /var/lib/tonghop/collector/$SECOND_UNIT_CODE/submit.sock yet"; return 1; }
  logged_since "$start" "tonghop-collector@$SECOND_UNIT_CODE" "ready: collector $SECOND_UNIT_CODE "
}
check "a second collector on the machine runs beside the first, with its own folder" \
  eventually second_collector_runs
# GET http://127.0.0.1:PORT/metrics with bash alone (the root has no HTTP client).
metrics_of() {
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
  cat <&3
  exec 3<&-
}
check "each daemon serves its metrics on loopback, the second collector on its own port" bash -c "
  $(declare -f metrics_of)
  metrics_of 9550 | grep -q '^tonghop_aggregator_updates_stored_total ' &&
  metrics_of 9560 | grep -q '^tonghop_feed_seq ' &&
  metrics_of 9565 | grep -q '^tonghop_web_open_streams ' &&
  metrics_of 9570 | grep -q '^tonghop_collector_outbox_pending{unit=\"$UNIT_CODE\"}' &&
  metrics_of 9571 | grep -q '^tonghop_collector_outbox_pending{unit=\"$SECOND_UNIT_CODE\"}'"
check "the alerts and the example scrape config for Prometheus are installed" sh -c '
  test -s /usr/share/tonghop/prometheus/tonghop-alerts.yml && test -s /usr/share/tonghop/prometheus/tonghop-scrape.yml'
aggregator_pid="$(main_pid tonghop-aggregator)"
check "the aggregator runs as user tonghop, without privileges" sh -c "
  grep -Eq '^Uid:[[:space:]]+$(id -u tonghop)[[:space:]]' /proc/$aggregator_pid/status &&
  grep -Eq '^NoNewPrivs:[[:space:]]+1' /proc/$aggregator_pid/status &&
  grep -Eq '^CapEff:[[:space:]]+0+$' /proc/$aggregator_pid/status"
# Paths as the aggregator's own mount namespace shows them to it.
in_sandbox() { nsenter --target "$aggregator_pid" --mount --root --wd -- "$@"; }
read_only_in_sandbox() {
  local error
  error="$(in_sandbox touch "$1/probe" 2>&1)"
  echo "$1: ${error:-writable}"
  [[ "$error" == *"Read-only file system"* ]]
}
sandbox_is_read_only() {
  read_only_in_sandbox /etc/tonghop/keys && read_only_in_sandbox /etc && read_only_in_sandbox /usr
}
sandbox_data_is_writable() {
  in_sandbox touch /var/lib/tonghop/aggregator/probe && rm /var/lib/tonghop/aggregator/probe
}
check "the aggregator cannot write /etc/tonghop/keys, /etc, /usr (ProtectSystem=strict)" sandbox_is_read_only
check "the aggregator can write its data folder (StateDirectory)" sandbox_data_is_writable
# systemd's own rating of the sandbox: "OK" is its best band (exposure below 2 of 10).
exposure_is_ok() {
  local unit
  for unit in "$@"; do
    systemd-analyze security --no-pager "$unit" | tail -n 1 | tee -a /tmp/exposure.out | grep -q ' OK '
  done
}
check "systemd-analyze security rates every unit OK" \
  exposure_is_ok tonghop-aggregator tonghop-publisher "tonghop-collector@$UNIT_CODE" tonghop-web
sed 's/^/    /' /tmp/exposure.out
check "the state folders: the aggregator's 0700, the collector's 0750, its drop folder group-writable" sh -c "
  [ \"\$(stat -c '%U %a' /var/lib/tonghop/aggregator)\" = 'tonghop 700' ] &&
  [ \"\$(stat -c '%U:%G %a' /var/lib/tonghop/collector/$UNIT_CODE)\" = 'tonghop:tonghop 750' ] &&
  [ \"\$(stat -c '%G %a' $DROP)\" = 'tonghop 770' ]"

# --- A figure from the drop folder to the province totals --------------------------------------
as_officer sh -c "printf 'indicator,period,value\nagri.sown_area.total,2017-Q1,2314\n' >'$DROP/.agriculture.csv.part' &&
  mv '$DROP/.agriculture.csv.part' '$DROP/agriculture.csv'"
check "the officer's dropped file is taken (moved to done/)" eventually test -f "$DROP/done/agriculture.csv"
check "its figure reaches the province total (tonghop watch --once --json)" eventually total_is agri.sown_area.total 2314
check "the officer submits through the collector's socket (group tonghop)" sh -c "
  runuser -u officer -- tonghop --log_level off --lang en submit --collector $SUBMIT \
    --indicator agri.sown_area.rice_spring --period 2017-Q1 --value 771 | grep -q 'stored by the aggregator as seq'"
check "the submitted figure reaches the province total" eventually total_is agri.sown_area.rice_spring 771
# A file only its owner may read waits in drop/ until it is made readable (OPERATIONS.md).
as_officer sh -c "umask 077 && printf 'indicator,period,value\nagri.sown_area.maize_spring,2017-Q1,515\n' \
  >'$DROP/.private.csv.part' && mv '$DROP/.private.csv.part' '$DROP/private.csv'"
# FILE is still in drop/, and the collector has logged that it cannot read it.
unread_in_drop() {
  test -f "$DROP/$1" || { echo "$DROP/$1 is no longer in the drop folder"; return 1; }
  logged_since "$start" "tonghop-collector@$UNIT_CODE" "cannot read drop file $1"
}
check "a file the collector cannot read waits in drop/, and its log says so" eventually unread_in_drop private.csv
as_officer chmod a+r "$DROP/private.csv"
check "made readable (chmod a+r), it is taken" eventually test -f "$DROP/done/private.csv"
check "collector-status: nothing pending, the aggregator reachable" eventually sh -c "
  runuser -u officer -- tonghop --log_level off --lang en collector-status --collector $SUBMIT >/tmp/status.out &&
  grep -q '^pending: 0' /tmp/status.out && grep -q 'aggregator: reachable' /tmp/status.out"
check "the web node listens on 127.0.0.1:8080, loopback, by default" \
  logged_since "$start" tonghop-web 'ready: web http://127.0.0.1:8080/'
check "the web node serves the total with a token, and 401 without one" eventually bash -c "
  $(declare -f web_get); web_get '/api/v1/aggregates?indicator=agri.sown_area.total&period=2017-Q1' '$WEB_TOKEN' |
    grep -q '\"value\":2314' && web_get /api/v1/status | grep -q '^HTTP/1.1 401'"
check "the web node asks the aggregator for each unit's figure under its viewer key" bash -c "
  $(declare -f web_get); web_get /api/v1/aggregates/agri.sown_area.total/2017-Q1/units '$WEB_TOKEN' |
    grep -q '\"reporting_unit\":\"$UNIT_CODE\",\"name\":\"Cao Lộc\",\"expected\":true,\"value\":2314'"
# (Before the reorganization too, the groups are those of 2025: Cao Lộc with Lạng Sơn city and Văn Quan.)
check "the web node asks the aggregator for the comparable groups under its viewer key" bash -c "
  $(declare -f web_get); web_get /api/v1/aggregates/agri.sown_area.total/2017-Q1/groups '$WEB_TOKEN' |
    grep -qF '\"value\":2314,\"units_reported\":1,\"units_expected\":3,\"previous_period\":\"2016-Q1\",\"units_before\":[\"$UNIT_CODE\",\"lang-son-city\",\"van-quan\"]'"
check "the web node serves the page and Debian's chart.js (libjs-chart.js)" bash -c "
  $(declare -f web_get); web_get / | grep -q '^HTTP/1.1 200' && web_get /vendor/chart.min.js | grep -q '^HTTP/1.1 200'"
check "the office queries the aggregator with its key" sh -c "
  tonghop --log_level off query --period 2017-Q1 --indicator agri.sown_area.total --by unit --format csv \
    --curve_secret_key_file $OFFICE_KEYS/office-1.key \
    --curve_server_public_key /etc/tonghop/keys/aggregator.pub | grep -q '^agri.sown_area.total,2017-Q1,$UNIT_CODE,2314,'"

# --- Reload, restart on failure ----------------------------------------------------------------
# reload_logs UNIT TEXT: systemctl reload UNIT, then UNIT logs TEXT within LIVENESS_TIMEOUT_S.
# (systemctl reload returns once SIGHUP is sent; the node logs when it has re-read.)
reload_logs() {
  local unit="$1" text="$2" since
  since="$(date '+%Y-%m-%d %H:%M:%S')"
  systemctl reload "$unit" || return 1
  eventually logged_since "$since" "$unit" "$text"
}
check "systemctl reload tonghop-aggregator re-reads the key registry" \
  reload_logs tonghop-aggregator 'key registry /etc/tonghop/keys.csv reloaded'
printf 'second desk,%s\n' "$WEB_TOKEN-second" >>/etc/tonghop/web-tokens.csv
second_token_is_let_in() {
  reload_logs tonghop-web 'access tokens reloaded: 2' &&
    web_get /api/v1/status "$WEB_TOKEN-second" | grep -q '^HTTP/1.1 200'
}
check "systemctl reload tonghop-web re-reads the tokens: a token added is let in" second_token_is_let_in
# A key that names no flag: the publisher exits 2, and systemd leaves it failed (no restart loop).
echo 'no_such_flag = 1' >>/etc/tonghop/publisher.toml
systemctl restart tonghop-publisher
check "a mistake in publisher.toml leaves the unit failed, not restarted (exit code 2)" eventually sh -c '
  systemctl is-failed --quiet tonghop-publisher &&
  [ "$(systemctl show -p ExecMainStatus --value tonghop-publisher)" = 2 ] &&
  [ "$(systemctl show -p NRestarts --value tonghop-publisher)" = 0 ]'
sed -i '/^no_such_flag = 1$/d' /etc/tonghop/publisher.toml
systemctl restart tonghop-publisher
check "corrected, the publisher runs again" eventually units_active tonghop-publisher
systemctl kill --signal=KILL tonghop-aggregator
check "a killed aggregator is restarted by systemd (Restart=on-failure)" eventually sh -c "
  pid=\$(systemctl show -p MainPID --value tonghop-aggregator); [ \"\$pid\" != 0 ] && [ \"\$pid\" != $aggregator_pid ] &&
  systemctl is-active --quiet tonghop-aggregator"
check "after the restart the totals are intact" eventually total_is agri.sown_area.total 2314

# --- Upgrade: the same packages again, as dpkg upgrades ----------------------------------------
aggregator_pid="$(main_pid tonghop-aggregator)"
collector_pid="$(main_pid "tonghop-collector@$UNIT_CODE")"
web_pid="$(main_pid tonghop-web)"
check "an upgrade installs over the running province" dpkg -i /root/debs/tonghop-common_*.deb \
  /root/debs/tonghop-server_*.deb /root/debs/tonghop-collector_*.deb /root/debs/tonghop-web_*.deb
check "the upgrade restarted the running daemons, on the new binaries" sh -c "
  [ \"\$(systemctl show -p MainPID --value tonghop-aggregator)\" != $aggregator_pid ] &&
  [ \"\$(systemctl show -p MainPID --value tonghop-collector@$UNIT_CODE)\" != $collector_pid ] &&
  [ \"\$(systemctl show -p MainPID --value tonghop-web)\" != $web_pid ]"
check "after the upgrade the four units are active" units_active tonghop-aggregator tonghop-publisher \
  "tonghop-collector@$UNIT_CODE" tonghop-web
check "the upgrade kept the keys, the registry, the edited config and the totals" sh -c "
  test -f /etc/tonghop/keys/aggregator.key && grep -q '^collector,$UNIT_CODE,' /etc/tonghop/keys.csv &&
  grep -q '^aggregator_endpoint = ' /etc/tonghop/collector.toml"
check "after the upgrade the totals are intact" eventually total_is agri.sown_area.rice_spring 771

# --- Removal and purge -------------------------------------------------------------------------
check "removing tonghop-collector stops and disables both its instances" sh -c "
  apt-get remove -y -qq tonghop-collector >/dev/null &&
  ! systemctl is-active --quiet tonghop-collector@$UNIT_CODE &&
  ! systemctl is-active --quiet tonghop-collector@$SECOND_UNIT_CODE &&
  ! ls /etc/systemd/system/multi-user.target.wants/ | grep -q tonghop-collector@"
check "removal keeps the collector's config and its outbox" \
  test -f /etc/tonghop/collector.toml -a -d "/var/lib/tonghop/collector/$UNIT_CODE/outbox"
check "purging tonghop-collector removes its config, keeps its outbox" sh -c "
  apt-get purge -y -qq tonghop-collector >/dev/null && ! test -e /etc/tonghop/collector.toml &&
  test -d /var/lib/tonghop/collector/$UNIT_CODE/outbox"
check "purging tonghop-web, tonghop-server and tonghop-common stops the daemons, removes the conffiles" sh -c "
  apt-get purge -y -qq tonghop-web tonghop-server tonghop-common >/dev/null &&
  ! systemctl is-active --quiet tonghop-aggregator && ! systemctl is-active --quiet tonghop-publisher &&
  ! systemctl is-active --quiet tonghop-web && ! test -e /etc/tonghop/web.toml &&
  ! test -e /etc/tonghop/aggregator.toml && ! test -e /etc/tonghop/catalog/units.csv &&
  ! test -e /usr/bin/tonghop-aggregator && ! test -e /lib/systemd/system/tonghop-.service.d/tonghop.conf"
check "the purge keeps the keys and the aggregator's database" \
  test -f /etc/tonghop/keys/aggregator.key -a -f /etc/tonghop/keys.csv -a -d /var/lib/tonghop/aggregator

echo "install-test: $passed passed, $failed failed"
((failed == 0))
