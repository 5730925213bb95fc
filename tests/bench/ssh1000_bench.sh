#!/usr/bin/env bash
# 1,000 SSH hosts (issue 14): 10 namespaces of 100 addresses, one sshd each
# (fleet_up_dense), every host sharing one murder installation. At murderctl's
# default settings (concurrency 100), alternating with `parallel-ssh -p 1000
# true` on the same hosts, in the same run:
#   - murderctl status;
#   - murderctl stop_peering (murder_client stop on every host). A start task
#     on every host is not measured: the hosts of a namespace share murder's
#     directory, so one daemon would serve them all;
# murderctl's peak resident memory from GNU time.
#
# Usage: ssh1000_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_QUICK,
# BENCH_RUNS (3).
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/../fleet/fleet_lib.sh"
source "$here/bench_lib.sh"

RUNS=${BENCH_RUNS:-3}
NAMESPACES=10 PER_NS=100
[ "$BENCH_QUICK" = 0 ] || { NAMESPACES=2; PER_NS=10; RUNS=1; }
HOSTS=$((NAMESPACES * PER_NS))
sandbox_init /var/tmp
started=$(now)
fleet_up_dense "$NAMESPACES" "$PER_NS"
echo "ssh1000: $HOSTS SSH hosts in $NAMESPACES namespaces, up in $(since "$started") s"
mkdir "$SANDBOX/murder"
tar -xzf "$BIN/murder-bundle.tar.gz" -C "$SANDBOX/murder"
printf '%s\n' "${FLEET_HOSTS[@]}" > "$SANDBOX/hosts"
cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "$SANDBOX/murder"
[roles]
peer_file = "$SANDBOX/hosts"
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
  ctl status status
  ctl stop stop_peering tag=x
  mark=$(cpu_now); t0=$(now)
  parallel-ssh -h "$SANDBOX/hosts" -p "$HOSTS" -t 120 -x "-F $SANDBOX/ssh_config" true > "$SANDBOX/pssh.out" 2>&1 ||
    { grep -v SUCCESS "$SANDBOX/pssh.out" | head -5 >&2; fail "parallel-ssh failed on $(grep -vc SUCCESS "$SANDBOX/pssh.out") hosts"; }
  echo "$(since "$t0") - $(cpu_busy "$mark")" >> "$SANDBOX/pssh"
done

rows="$BENCH_OUT/ssh1000.tsv"
printf 'tool\thosts\tmedian s\tpeak RSS MiB\tCPU busy %%\truns (s)\n' > "$rows"
for name in status stop pssh; do
  label=$([ "$name" = pssh ] && echo "parallel-ssh -p $HOSTS true" || echo "murderctl $name")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$HOSTS" "$(cut -d' ' -f1 "$SANDBOX/$name" | median)" \
    "$(cut -d' ' -f2 "$SANDBOX/$name" | sort -n | tail -1)" "$(cut -d' ' -f3 "$SANDBOX/$name" | median)" \
    "$(cut -d' ' -f1 "$SANDBOX/$name" | tr '\n' ' ')" >> "$rows"
done
table "$rows"
p=$(cut -d' ' -f1 "$SANDBOX/pssh" | median)
target "murderctl status / parallel-ssh -p $HOSTS true, $HOSTS SSH hosts" "$(calc "$(cut -d' ' -f1 "$SANDBOX/status" | median) / $p")" "<=" 1 "x"
target "murderctl peak RSS, $HOSTS SSH hosts" "$(cut -d' ' -f2 "$SANDBOX/status" "$SANDBOX/stop" | sort -n | tail -1)" "<=" 100 " MiB"
