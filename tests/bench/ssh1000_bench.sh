#!/usr/bin/env bash
# 1,000 SSH hosts (issue 14): 1,000 namespaces of one address each, one sshd
# each (fleet_up_dense), every host sharing one unpacked murder bundle but
# with run/, log/ and torrents/ of its own, so that each host runs its own
# daemon. At murderctl's default settings (concurrency 100), alternating with
# `parallel-ssh -p 1000 true` on the same hosts, in the same run:
#   - murderctl start_tracker (a murder_tracker daemon on every host: every
#     host is a tracker here);
#   - murderctl status (which must find the tracker running everywhere);
#   - murderctl stop_tracker;
# murderctl's peak resident memory from GNU time. Afterwards no murder
# process is left on any host.
#
# Usage: ssh1000_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_QUICK,
# BENCH_RUNS (3).
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/../fleet/fleet_lib.sh"
source "$here/bench_lib.sh"

RUNS=${BENCH_RUNS:-3}
HOSTS=1000
[ "$BENCH_QUICK" = 0 ] || { HOSTS=20; RUNS=1; }
sandbox_init /var/tmp
mkdir -p "$SANDBOX/murder/run" "$SANDBOX/murder/log" "$SANDBOX/murder/torrents"
tar -xzf "$BIN/murder-bundle.tar.gz" -C "$SANDBOX/murder"
export FLEET_DENSE_PRIVATE="$SANDBOX/murder/run $SANDBOX/murder/log $SANDBOX/murder/torrents"
started=$(now)
fleet_up_dense "$HOSTS" 1
echo "ssh1000: $HOSTS SSH hosts, a namespace and an sshd each, up in $(since "$started") s"
printf '%s\n' "${FLEET_HOSTS[@]}" > "$SANDBOX/hosts"
cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "$SANDBOX/murder"
[roles]
peer_file = "$SANDBOX/hosts"
tracker = [$(printf '"%s", ' "${FLEET_HOSTS[@]}" | sed 's/, $//')]
[ssh]
config = "$SANDBOX/ssh_config"
TOML

# ctl NAME TASKS...: murderctl at its defaults; appends "seconds rss_mib busy" to NAME; every row must be ok.
ctl() {
  local name=$1 mark t0; shift
  mark=$(cpu_now); t0=$(now)
  /usr/bin/time -f '%M' -o "$SANDBOX/time" "$BIN/murderctl" -c "$SANDBOX/murder.toml" --format json "$@" \
    > "$SANDBOX/$name.json" 2> "$SANDBOX/$name.err" ||
    { jq -r '.results[] | select(.result != "ok") | .error' "$SANDBOX/$name.json" | sort | uniq -c | head -5;
      fail "murderctl $* failed"; }
  local seconds; seconds=$(since "$t0")
  local ok; ok=$(jq '[.results[] | select(.result == "ok")] | length' "$SANDBOX/$name.json")
  [ "$ok" -eq "$HOSTS" ] || fail "murderctl $*: $ok of $HOSTS rows ok"
  echo "$seconds $(awk '{ printf "%.1f", $1 / 1024 }' "$SANDBOX/time") $(cpu_busy "$mark")" >> "$SANDBOX/$name"
}
for _ in $(seq "$RUNS"); do
  ctl start start_tracker
  ctl status status
  running=$(jq '[.results[] | select(.detail == "running: tracker")] | length' "$SANDBOX/status.json")
  [ "$running" -eq "$HOSTS" ] || fail "status found the tracker running on $running of $HOSTS hosts"
  ctl stop stop_tracker
  mark=$(cpu_now); t0=$(now)
  parallel-ssh -h "$SANDBOX/hosts" -p "$HOSTS" -t 120 -x "-F $SANDBOX/ssh_config" true > "$SANDBOX/pssh.out" 2>&1 ||
    { grep -v SUCCESS "$SANDBOX/pssh.out" | head -5 >&2; fail "parallel-ssh failed on $(grep -vc SUCCESS "$SANDBOX/pssh.out") hosts"; }
  echo "$(since "$t0") - $(cpu_busy "$mark")" >> "$SANDBOX/pssh"
done

rows="$BENCH_OUT/ssh1000.tsv"
printf 'tool\thosts\tmedian s\tpeak RSS MiB\tCPU busy %%\truns (s)\n' > "$rows"
for name in start status stop pssh; do
  case $name in
    pssh) label="parallel-ssh -p $HOSTS true" ;;
    status) label="murderctl status" ;;
    *) label="murderctl ${name}_tracker" ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$HOSTS" "$(cut -d' ' -f1 "$SANDBOX/$name" | median)" \
    "$(cut -d' ' -f2 "$SANDBOX/$name" | sort -n | tail -1)" "$(cut -d' ' -f3 "$SANDBOX/$name" | median)" \
    "$(cut -d' ' -f1 "$SANDBOX/$name" | tr '\n' ' ')" >> "$rows"
done
table "$rows"
p=$(cut -d' ' -f1 "$SANDBOX/pssh" | median)
target "murderctl status / parallel-ssh -p $HOSTS true, $HOSTS SSH hosts" "$(calc "$(cut -d' ' -f1 "$SANDBOX/status" | median) / $p")" "<=" 1 "x"
target "murderctl start_tracker / parallel-ssh -p $HOSTS true, $HOSTS SSH hosts" "$(calc "$(cut -d' ' -f1 "$SANDBOX/start" | median) / $p")" "<=" 1 "x"
target "murderctl stop_tracker / parallel-ssh -p $HOSTS true, $HOSTS SSH hosts" "$(calc "$(cut -d' ' -f1 "$SANDBOX/stop" | median) / $p")" "<=" 1 "x"
target "murderctl peak RSS, $HOSTS SSH hosts" "$(cut -d' ' -f2 "$SANDBOX/start" "$SANDBOX/status" "$SANDBOX/stop" | sort -n | tail -1)" "<=" 100 " MiB"
left=0
for ns in "${FLEET_NS[@]}"; do
  for pid in $(ip netns pids "$ns"); do
    case "$(cat "/proc/$pid/comm" 2>/dev/null)" in murder_*) left=$((left + 1)) ;; esac
  done
done
[ "$left" -eq 0 ] || fail "$left murder processes left on the hosts after stop_tracker"
echo "no murder process left on any of the $HOSTS hosts"
