#!/usr/bin/env bash
# Bad input: each case must give exactly one clear error line naming what failed,
# a non-zero exit, no crash, no hang past its timeout, and nothing half-written.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
cd "$SANDBOX"
make_tree release 4
"$BIN/murder_make_torrent" release 127.0.0.1:1 good.torrent --archive rel.tgz >/dev/null

# Bad command lines: exit 2 and one "program: error:" line from every program,
# never CLI11's own codes (106 for a missing argument, 109 for an extra one).
expect_one_error 2 "^murder_make_torrent: error: tracker is required" "$BIN/murder_make_torrent" release
expect_one_error 2 "^murder_make_torrent: error: .*not expected: extra" "$BIN/murder_make_torrent" release h:1 t.torrent extra
expect_one_error 2 "^murder_tracker: error: .*not expected: .*--no_such_option" "$BIN/murder_tracker" --no_such_option 1
expect_one_error 2 "^murder_tracker: error: .*--port = abc" "$BIN/murder_tracker" --port abc
expect_one_error 2 "^murder_client: error: peer takes TORRENT SAVEAS IP, or IP with --tag" "$BIN/murder_client" peer good.torrent out.tgz
expect_one_error 2 "^murder_client: error: arguments: At Most 3" "$BIN/murder_client" peer good.torrent out.tgz 127.0.0.5 extra
expect_one_error 2 "^murder_client: error: .*--max_connections: must be 0 .no limit. or at least 2" \
  "$BIN/murder_client" peer good.torrent out.tgz 127.0.0.5 --max_connections 1
expect_one_error 2 "^murder_client: error: unknown mode 'fetch'" "$BIN/murder_client" fetch good.torrent out.tgz 127.0.0.5
expect_one_error 2 "^murderctl: error: task is required" "$BIN/murderctl"
expect_one_error 2 "^murderctl: error: .*not expected: .*--no-such-flag" "$BIN/murderctl" --no-such-flag status
# The deploy form checks the tag itself, with the original's words, before it
# makes anything under --home.
expect_one_error 2 "^murder_client: error: Tag cannot contain a / character" \
  "$BIN/murder_client" peer 127.0.0.5 --home "$SANDBOX/home" --tag ../x --destination "$SANDBOX/app"
expect_one_error 2 "^murder_make_torrent: error: Tag cannot be '\.\.': it is not a usable name" \
  "$BIN/murder_make_torrent" release 127.0.0.1:1 --tag .. --temp "$SANDBOX/t"
[ ! -e "$SANDBOX/home" ] && [ ! -e "$SANDBOX/t" ] || fail "a refused tag left a directory behind"
for program in murder_make_torrent murder_tracker murder_client murderctl; do
  help=$("$BIN/$program" --help) || fail "$program --help exited non-zero"
  grep -q "^Usage:" <<< "$help" || fail "$program --help printed no usage"
done
[ ! -e t.torrent ] || fail "a refused command line left t.torrent behind"
pass "bad command lines exit 2 with one error line; --help exits 0"

# Tree mode: a snapshot that would replace its own source, and names libtorrent
# would not keep (two differing only in case) are refused before anything is
# written; the source stays as it was.
cp -a release tree-src
before=$(cd tree-src && find . -printf '%P %y %m %s\n' | sort | sha256sum)
expect_one_error 2 "the snapshot .*tree-src would replace the source" "$BIN/murder_make_torrent" --tree tree-src 127.0.0.1:1 tree-src.torrent
[ "$(cd tree-src && find . -printf '%P %y %m %s\n' | sort | sha256sum)" = "$before" ] || fail "--tree changed its source"
echo a > tree-src/README && echo b > tree-src/readme
expect_one_error 3 "cannot send .*tree-src as a tree .*transfer_mode=tgz" \
  "$BIN/murder_make_torrent" --tree tree-src 127.0.0.1:1 case.torrent --snapshot "$SANDBOX/case-snapshot"
[ ! -e case.torrent ] && [ ! -e case-snapshot ] && [ -z "$(ls -a | grep murder-partial)" ] ||
  fail "a refused tree left a torrent, a snapshot or a staging directory"
pass "tree mode: a snapshot over its source and names libtorrent would change are refused, nothing written"

echo "garbage, not bencode" > corrupt.torrent
expect_one_error 3 "corrupt.torrent" "$BIN/murder_client" peer corrupt.torrent out.tgz 127.0.0.5 --seed-after 0
[ ! -e out.tgz ] || fail "a corrupt torrent left a payload file"
pass "corrupt .torrent"

expect_one_error 3 "missing.torrent" "$BIN/murder_client" peer missing.torrent out.tgz 127.0.0.5 --seed-after 0
pass "missing .torrent"

expect_one_error 3 "nothing-here" "$BIN/murder_make_torrent" nothing-here 127.0.0.1:8998 none.torrent
[ ! -e none.torrent ] || fail "a missing payload left a .torrent"
pass "missing payload for murder_make_torrent"

expect_one_error 3 "absent.tgz does not exist" "$BIN/murder_client" seed good.torrent absent.tgz 127.0.0.5
pass "missing payload for seed"

printf 'XXXX' | dd of=rel-tampered.tgz bs=1 seek=1000 conv=notrunc 2>/dev/null
expect_one_error 3 "does not match" "$BIN/murder_client" seed good.torrent rel-tampered.tgz 127.0.0.5
pass "seed refuses a payload that does not match its torrent"

expect_one_error 2 "tracker 'nohostport'" "$BIN/murder_make_torrent" rel.tgz nohostport x.torrent
pass "malformed tracker address"

# Unreachable tracker: the peer gives up after its stall timeout, naming the URL.
dead_port=$(free_port)
"$BIN/murder_make_torrent" rel.tgz "127.0.0.1:$dead_port" dead.torrent >/dev/null
start=$SECONDS
expect_one_error 4 "no progress for 4 s.*127.0.0.1:$dead_port" timeout 60 \
  "$BIN/murder_client" peer dead.torrent dead.tgz 127.0.0.6 --stall-timeout 4 --seed-after 0 --extract dead-out
[ $((SECONDS - start)) -lt 30 ] || fail "stall detection took $((SECONDS - start)) s"
[ ! -e dead-out ] || fail "a failed peer left an extraction directory"
pass "unreachable tracker fails after the stall timeout"

# A second tracker on a port that is taken fails loudly instead of 'running'.
start_tracker
expect_one_error 4 "cannot listen on 127.0.0.1:$TRACKER_PORT" \
  "$BIN/murder_tracker" --bind 127.0.0.1 --port "$TRACKER_PORT"
pass "tracker port already in use"

# Non-empty destination: refused before downloading.
mkdir -p busy && echo keep > busy/file
expect_one_error 5 "busy is not empty" "$BIN/murder_client" peer good.torrent busy.tgz 127.0.0.7 --extract busy --seed-after 0
[ "$(cat busy/file)" = keep ] || fail "a refused extraction touched the destination"
pass "non-empty destination refused"

# Full disk: a 2 MiB tmpfs cannot hold the 4 MiB payload.
if mkdir small && mount -t tmpfs -o size=2m tmpfs small 2>/dev/null; then
  MOUNTS+=("$SANDBOX/small")
  mkdir allowed
  cp good.torrent allowed/
  "$BIN/murder_tracker" --bind 127.0.0.1 --port 0 --allowed_dir allowed --daemon --pidfile "$SANDBOX/t2.pid" \
    --logfile t2.log > t2.out
  PIDFILES+=("$SANDBOX/t2.pid")
  port=$(sed 's/.*://' t2.out)
  "$BIN/murder_make_torrent" rel.tgz "127.0.0.1:$port" full.torrent >/dev/null
  "$BIN/murder_client" seed full.torrent rel.tgz 127.0.0.8 --daemon --pidfile "$SANDBOX/s2.pid" --logfile s2.log >/dev/null
  PIDFILES+=("$SANDBOX/s2.pid")
  expect_one_error 5 "small/full.tgz.*(space|No space)" timeout 60 \
    "$BIN/murder_client" peer full.torrent small/full.tgz 127.0.0.9 --stall-timeout 20 --seed-after 0 --extract small/out
  [ ! -e small/out ] || fail "a full disk left a partial extraction"
  pass "full disk"
else
  echo "skip: full disk case needs root to mount a tmpfs"
fi
