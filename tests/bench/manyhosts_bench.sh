#!/usr/bin/env bash
# 10,000 hosts through murderctl's local transport (issue 14): each host a
# directory, every one sharing one murder installation, `murderctl status` over
# all of them at the default concurrency. Measures the wall time, murderctl's
# peak resident memory (GNU time) and the rows: every host must answer, which
# also shows no descriptor ran out.
#
# Usage: manyhosts_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_QUICK,
# BENCH_MANY_HOSTS (10000).
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/bench_lib.sh"

HOSTS=${BENCH_MANY_HOSTS:-10000}
[ "$BENCH_QUICK" = 0 ] || HOSTS=300
sandbox_init /var/tmp
mkdir "$SANDBOX/murder" "$SANDBOX/hosts"
tar -xzf "$BIN/murder-bundle.tar.gz" -C "$SANDBOX/murder"
for i in $(seq -w 0 $((HOSTS - 1))); do echo "h$i"; done > "$SANDBOX/hosts.txt"
(cd "$SANDBOX/hosts" && xargs mkdir < "$SANDBOX/hosts.txt")
cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "$SANDBOX/murder"
[roles]
peer_file = "$SANDBOX/hosts.txt"
TOML

mark=$(cpu_now)
t0=$(now)
/usr/bin/time -f '%M %e' -o "$SANDBOX/time" "$BIN/murderctl" -c "$SANDBOX/murder.toml" --local "$SANDBOX/hosts" \
  --format json status > "$SANDBOX/status.json" 2> "$SANDBOX/status.err" ||
  { tail -5 "$SANDBOX/status.err"; jq -r '.results[] | select(.result != "ok") | .error' "$SANDBOX/status.json" | sort | uniq -c | head;
    fail "murderctl status failed on some of $HOSTS local hosts"; }
seconds=$(since "$t0")
busy=$(cpu_busy "$mark")
ok=$(jq '[.results[] | select(.result == "ok")] | length' "$SANDBOX/status.json")
[ "$ok" -eq "$HOSTS" ] || fail "only $ok of $HOSTS hosts answered"
rss_mib=$(awk '{ printf "%.1f", $1 / 1024 }' "$SANDBOX/time")
echo "many hosts: murderctl status over $HOSTS local hosts: all answered in $seconds s, peak RSS $rss_mib MiB (CPU $busy % busy)" |
  tee "$BENCH_OUT/manyhosts.txt"
target "murderctl peak RSS, status over $HOSTS hosts" "$rss_mib" "<=" 300 " MiB"
