#!/usr/bin/env bash
# Interop with BitTorrent software nobody here wrote:
#  1. aria2c peers download through our tracker from our seed;
#  2. our peer downloads through opentracker from an aria2c seeder;
#  3. transmission-show accepts our .torrent with the info-hash libtorrent computes,
#     and mktorrent computes the same info-hash for the same file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
for tool in aria2c opentracker transmission-show mktorrent; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/setup installs it)"
done
sandbox_init
cd "$SANDBOX"
make_tree release 8
mkdir allowed

# 1. aria2c from our seed, through our tracker.
start_tracker --allowed_dir "$SANDBOX/allowed"
made=$("$BIN/murder_make_torrent" release "127.0.0.1:$TRACKER_PORT" allowed/rel.tgz.torrent --archive rel.tgz)
our_hash=$(echo "$made" | sed -n 's/^info-hash: //p')
[[ "$our_hash" =~ ^[0-9a-f]{40}$ ]] || fail "murder_make_torrent printed no info-hash: $made"
"$BIN/murder_client" seed allowed/rel.tgz.torrent rel.tgz 127.0.0.2 --daemon \
  --pidfile "$SANDBOX/seed.pid" --logfile "$SANDBOX/seed.log" >/dev/null
PIDFILES+=("$SANDBOX/seed.pid")
aria=()
for i in 1 2 3; do
  mkdir "aria$i"
  timeout 120 aria2c --quiet --seed-time=0 --enable-dht=false --enable-dht6=false --bt-enable-lpd=false \
    --enable-peer-exchange=false --listen-port="$(free_port)" --dir="aria$i" --bt-stop-timeout=90 \
    --follow-torrent=mem allowed/rel.tgz.torrent >"aria$i.log" 2>&1 &
  aria+=($!)
  PIDS+=($!)
done
for i in 0 1 2; do
  wait "${aria[$i]}" || { cat "aria$((i + 1)).log" >&2; fail "aria2c $((i + 1)) failed"; }
  cmp -s rel.tgz "aria$((i + 1))/rel.tgz" || fail "aria2c $((i + 1)) payload differs"
done
pass "3 aria2c peers downloaded from our seed through our tracker"

# 3. transmission-show reads our torrent: private, and the same info-hash.
shown=$(transmission-show allowed/rel.tgz.torrent)
echo "$shown" | grep -qi "Hash: $our_hash" || fail "transmission-show hash differs from $our_hash: $shown"
echo "$shown" | grep -q "Private torrent" || fail "transmission-show does not see a private torrent"
pass "transmission-show reports info-hash $our_hash, private"

# mktorrent, hashing the same file with the same piece size, must agree on the info-hash.
# "wrote ...: N bytes in P pieces of K KiB": mktorrent takes the size as a power of two.
piece_kib=$(sed -n 's/.* pieces of \([0-9]*\) KiB.*/\1/p' <<< "$made")
[ -n "$piece_kib" ] || fail "murder_make_torrent did not say its piece size: $made"
piece_log2=$(awk -v k="$piece_kib" 'BEGIN { printf "%d", log(k * 1024) / log(2) + 0.5 }')
mktorrent -p -l "$piece_log2" -a "http://127.0.0.1:$TRACKER_PORT/announce" -o mk.torrent rel.tgz >/dev/null
transmission-show mk.torrent | grep -qi "Hash: $our_hash" || fail "mktorrent computes another info-hash"
pass "mktorrent computes the same info-hash"

# 2. Our peer from an aria2c seeder, through opentracker.
ot_port=$(free_port)
"$BIN/murder_make_torrent" rel.tgz "127.0.0.1:$ot_port" ot.torrent >"ot.make.log"
ot_hash=$(sed -n 's/^info-hash: //p' ot.make.log)
[[ "$ot_hash" =~ ^[0-9a-f]{40}$ ]] || fail "murder_make_torrent printed no info-hash: $(cat ot.make.log)"
# opentracker refuses to run as root: it chroots into its own directory and drops
# to nobody, so that directory and its whitelist must be readable by nobody.
mkdir -m 755 ot-root
echo "$ot_hash" > ot-root/whitelist
chmod 755 "$SANDBOX"
opentracker -i 127.0.0.1 -p "$ot_port" -P "$ot_port" -w whitelist -d "$SANDBOX/ot-root" -u nobody \
  >opentracker.log 2>&1 &
PIDS+=($!)
wait_until 10 bash -c "ss -Hltn 'sport = :$ot_port' | grep -q ." || fail "opentracker did not listen"
mkdir aria-seed
cp rel.tgz aria-seed/rel.tgz
aria2c --quiet --check-integrity=true --seed-ratio=0.0 --enable-dht=false --enable-dht6=false \
  --bt-enable-lpd=false --enable-peer-exchange=false --listen-port="$(free_port)" --dir=aria-seed \
  ot.torrent >aria-seed.log 2>&1 &
PIDS+=($!)
timeout 120 "$BIN/murder_client" peer ot.torrent ours.tgz 127.0.0.3 --seed-after 0 --stall-timeout 60 \
  >ours.log 2>&1 || { cat ours.log aria-seed.log >&2; fail "our peer did not download through opentracker"; }
cmp -s rel.tgz ours.tgz || fail "our payload from aria2c differs"
pass "our peer downloaded from an aria2c seeder through opentracker"
