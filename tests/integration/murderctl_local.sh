# murderctl with the local transport (what the demo uses): 5 hosts as loopback
# addresses with their own directories. The original's messages for a missing
# tag, files_path and destination_path; deploy gives identical trees; the stop
# tasks are clear no-ops when nothing runs; --format json and --log-dir.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
cd "$SANDBOX"
N=5
peers=""
for i in $(seq 1 $N); do mkdir -p "fleet/127.0.2.$i"; peers+="\"127.0.2.$i\", "; done
cat > murder.toml <<TOML
remote_murder_path = "murder"
default_temp_path = "tmp"
tracker_port = $(free_port)
[roles]
peer = [${peers%, }]
TOML
CTL=("$BIN/murderctl" --local fleet)
at_exit '"${CTL[@]}" stop_all_peering stop_all_seeding stop_tracker >/dev/null 2>&1'
make_tree release 8

expect_one_error 2 "You must specify a 'tag' parameter to identify the transfer" "${CTL[@]}" deploy
expect_one_error 2 "You must specify a 'files_path' parameter with the directory on the seeder which contains the files to distribute" "${CTL[@]}" deploy tag=v1
expect_one_error 2 "You must specify a 'destination_path' parameter with the directory in which to place transferred \\(and extract\\) files" "${CTL[@]}" deploy tag=v1 files_path=release
expect_one_error 2 "unknown task 'deplyo'" "${CTL[@]}" deplyo tag=v1
expect_one_error 2 "unknown setting 'tga'" "${CTL[@]}" deploy tga=v1
expect_one_error 2 "config file nope.toml does not exist" "${CTL[@]}" -c nope.toml status
pass "bad values are refused before any host is touched"

"${CTL[@]}" distribute_files > out || { cat out; fail "distribute_files failed"; }
"${CTL[@]}" murder:stop_tracker murder:stop_all_seeding > out || { cat out; fail "stopping nothing failed"; }
[ "$(grep -c 'was not running' out)" -eq 2 ] || { cat out; fail "stopping nothing did not say so"; }
pass "stop tasks with nothing running: $(grep -c 'was not running' out) clear no-ops, exit 0"

"${CTL[@]}" --log-dir logs --format json deploy tag=v1 "files_path=$SANDBOX/release" destination_path=srv > out.json ||
  { cat out.json; fail "deploy failed"; }
grep -q '"ok": true, "seconds": [0-9.]*, "hosts": 5, "failed_hosts": \[\]' out.json || { cat out.json; fail "JSON summary"; }
[ "$(grep -c '"result": "ok"' out.json)" -eq $((1 + 1 + 1 + N + N + 1 + 1 + N)) ] || fail "JSON rows"
for i in $(seq 1 $N); do
  diff -r --no-dereference -x .git release "fleet/127.0.2.$i/srv/v1" > /dev/null || fail "127.0.2.$i differs"
  grep -q "== peer ok" "logs/127.0.2.$i.log" || fail "no log for 127.0.2.$i"
  # Each pidfile alone: one status call over all of them exits 1 as soon as
  # any is stale, which would hide a live process beside it.
  for pidfile in fleet/127.0.2.$i/murder/run/*.pid; do
    [ -e "$pidfile" ] || continue
    "$BIN/murder_client" status "$pidfile" > /dev/null && fail "$pidfile still runs on 127.0.2.$i"
  done
done
pass "deploy to $N local hosts: identical trees, JSON results, one log per host, nothing left running"

printf '# two of them\n127.0.2.4\n\n127.0.2.5  # last\n' > hosts.txt
"${CTL[@]}" --hosts hosts.txt status > out || { cat out; fail "status with --hosts failed"; }
[ "$(grep -c ' status ' out)" -eq 2 ] && grep -q '^127.0.2.4 ' out && grep -q '^127.0.2.5 ' out ||
  { cat out; fail "--hosts did not choose the hosts"; }
pass "--hosts FILE: the peer role from a hosts file (comments and blank lines skipped)"
