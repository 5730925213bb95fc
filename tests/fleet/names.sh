# Hosts given by name, where each host's /etc/hosts maps its own name to
# 127.0.1.1 (as Debian and cloud-init write it) and the others' names to their
# addresses. The tracker and the seeder share h0, as by default; h1 and h2 peer.
# Every process is given host names only. The seeder must announce an address
# the peers can reach (not 127.0.1.1), and its loopback announce must pass the
# tracker's network filter, so both peers get the payload.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
N=3
fleet_up "$N" 1gbit
for i in $(seq 0 $((N - 1))); do
  {
    echo "127.0.0.1 localhost"
    for j in $(seq 0 $((N - 1))); do
      if [ "$j" = "$i" ]; then echo "127.0.1.1 web$j"; else echo "${FLEET_HOSTS[$j]} web$j"; fi
    done
  } > "$SANDBOX/hosts$i"
  on_host "$i" mount --bind "$SANDBOX/hosts$i" /etc/hosts
done
[ "$(on_host 0 getent hosts web0 | cut -d' ' -f1)" = 127.0.1.1 ] || fail "h0's name does not resolve to 127.0.1.1 there"

head -c 4000000 /dev/urandom > "$SANDBOX/payload"
"$BIN/murder_make_torrent" "$SANDBOX/payload" web0:8998 "$SANDBOX/payload.torrent" > /dev/null
on_host 0 "$BIN/murder_tracker" --port 8998 --daemon --pidfile "$SANDBOX/tracker.pid" --logfile "$SANDBOX/tracker.log" \
  --allowed_cidrs "$FLEET_NET.0/24,127.0.0.0/8" > /dev/null || fail "the tracker did not start"
PIDFILES+=("$SANDBOX/tracker.pid")
on_host 0 cp "$SANDBOX/payload" /tmp/payload
on_host 0 "$BIN/murder_client" seed "$SANDBOX/payload.torrent" /tmp/payload web0 --daemon --pidfile "$SANDBOX/seed.pid" \
  --logfile "$SANDBOX/seed.log" > /dev/null || { cat "$SANDBOX/seed.log"; fail "the seeder did not start"; }
PIDFILES+=("$SANDBOX/seed.pid")
grep -q "listening on and announcing ${FLEET_HOSTS[0]} for web0" "$SANDBOX/seed.log" ||
  { cat "$SANDBOX/seed.log"; fail "the seeder does not announce ${FLEET_HOSTS[0]}"; }
for i in 1 2; do
  on_host "$i" "$BIN/murder_client" peer "$SANDBOX/payload.torrent" /tmp/payload "web$i" --seed-after 0 \
    --stall-timeout 15 > "$SANDBOX/peer$i.out" 2>&1 || { cat "$SANDBOX/peer$i.out"; fail "h$i (web$i) did not get the payload"; }
  cmp -s "$SANDBOX/payload" "/proc/${FLEET_KEEPER[$i]}/root/tmp/payload" || fail "h$i holds other bytes"
done
pass "names resolving to 127.0.1.1 on their own hosts: the seeder announced ${FLEET_HOSTS[0]}, both peers got the payload"
