# The swarm-borne install (issue 14): distribute_files uploads the bundle to
# bundle_uploads hosts (2) and the rest of an 8-host fleet fetch it from hosts
# that have it, each checking its SHA-256 first.
# - A fresh fleet: every host installed; 2 rows "from this machine", the rest
#   from another host; the workstation sent at most 3 bundles + 1 MB a host
#   (its bridge's byte counter); no bundle server or copy left behind.
# - A second bundle: a host that cannot reach the other hosts fails with a
#   clear row after trying 3 sources and keeps its old install, which still
#   runs; a host that passes the bundle on but whose install is refused (1000
#   files of its own in remote_murder_path) stops its server at once and keeps
#   its old install; every other host has the new one; nothing left running.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
N=8
fleet_up "$N" 1gbit
fleet_config "$SANDBOX/murder.toml"
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
BUNDLE="$BIN/murder-bundle.tar.gz"
[ -f "$BUNDLE" ] || fail "no bundle at $BUNDLE (the build makes it)"
bundle_bytes=$(stat -c %s "$BUNDLE")

sent_by_workstation() { cat "/sys/class/net/$FLEET_BRIDGE/statistics/tx_bytes"; }
installed() { on_host "$1" /srv/murder/bin/murder_client --version; }
nothing_left() {
  local i
  for i in $(seq 0 $((N - 1))); do
    [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i: $(murder_processes_on "$i")"
    ! on_host "$i" test -e /srv/murder/run/bundle.tgz || fail "h$i kept its copy of the bundle to pass on"
    ! on_host "$i" test -e /srv/murder/.bundle.tgz.part || fail "h$i kept a partial bundle"
  done
}

before=$(sent_by_workstation)
"${CTL[@]}" distribute_files > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "distribute_files failed"; }
sent=$(($(sent_by_workstation) - before))
cat "$SANDBOX/out"
[ "$(grep -c ' distribute_files  ok ' "$SANDBOX/out")" -eq "$N" ] || fail "not every host installed the bundle"
[ "$(grep -c '(from this machine)' "$SANDBOX/out")" -eq 2 ] || fail "not exactly bundle_uploads (2) hosts got an upload"
[ "$(grep -cE '\(from 198\.18\.0\.[0-9]+ port [0-9]+\)' "$SANDBOX/out")" -eq $((N - 2)) ] ||
  fail "the other hosts did not fetch from a host"
for i in $(seq 0 $((N - 1))); do [ -n "$(installed "$i")" ] || fail "murder on h$i does not run"; done
limit=$((3 * bundle_bytes + N * 1000000))
[ "$sent" -le "$limit" ] || fail "the workstation sent $sent bytes for $N hosts (at most $limit: 3 bundles + 1 MB a host)"
nothing_left
pass "fresh fleet: $N hosts installed, 2 uploads, $((N - 2)) fetched host to host; the workstation sent $sent bytes ($(echo "scale=2; $sent / $bundle_bytes" | bc) bundles); nothing left running"

# A second bundle, told apart by a file in bin/.
mkdir "$SANDBOX/b2"
tar -xzf "$BUNDLE" -C "$SANDBOX/b2"
echo second > "$SANDBOX/b2/bin/.second"
tar -czf "$SANDBOX/bundle2.tgz" -C "$SANDBOX/b2" .
# The last host (never one of the two uploads) can reach the workstation but
# no other host.
cut=$((N - 1))
for i in $(seq 0 $((N - 2))); do ip -n "${FLEET_NS[$cut]}" route add prohibit "${FLEET_HOSTS[$i]}/32"; done
# h2, never an upload either, refuses to install over a directory this full.
refuse=2
on_host "$refuse" sh -c 'mkdir /srv/murder/junk && cd /srv/murder/junk && seq 1000 | xargs touch'
status=0
"${CTL[@]}" --bundle "$SANDBOX/bundle2.tgz" distribute_files > "$SANDBOX/out" 2>&1 || status=$?
cat "$SANDBOX/out"
[ "$status" -ne 0 ] || fail "distribute_files exited 0 with a host that could not fetch the bundle"
grep -qE "^${FLEET_HOSTS[$cut]//./\\.} +distribute_files +FAILED .*cannot fetch the bundle from 198\.18\.0\.[0-9]+ port [0-9]+; the installed murder is unchanged" \
  "$SANDBOX/out" || fail "no clear row for the host that could not fetch the bundle"
tried=$(grep -o '^! cannot fetch the bundle from [0-9.]* port [0-9]*' "$SANDBOX/logs/${FLEET_HOSTS[$cut]}.log" | sort -u | wc -l)
[ "$tried" -eq 3 ] || fail "h$cut tried $tried sources (want 3 before giving up)"
grep -qE "^${FLEET_HOSTS[$refuse]//./\\.} +distribute_files +FAILED .*Cowardly refusing to remove files" "$SANDBOX/out" ||
  fail "no clear row for h$refuse, whose install was refused"
grep -q "^  murder_client: serving .* on port " "$SANDBOX/logs/${FLEET_HOSTS[$refuse]}.log" ||
  fail "h$refuse never passed the bundle on, so its server's stop is not shown"
[ "$(grep -c ' distribute_files  ok ' "$SANDBOX/out")" -eq $((N - 2)) ] || fail "the other hosts did not all install"
for i in $(seq 0 $((N - 2))); do
  [ "$i" = "$refuse" ] || on_host "$i" test -f /srv/murder/bin/.second || fail "h$i does not have the second bundle"
done
for i in "$cut" "$refuse"; do
  ! on_host "$i" test -e /srv/murder/bin/.second || fail "h$i installed the second bundle"
  [ -n "$(installed "$i")" ] || fail "h$i's old install no longer runs"
done
nothing_left
pass "second bundle: h$cut could not reach any host, tried 3 sources, failed with a clear row; h$refuse passed it on, then its install was refused, and its server stopped; both kept their old install, which runs; $((N - 2)) hosts have the new one; nothing left running"
