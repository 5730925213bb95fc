# The tracker under abuse keeps answering legitimate announces, with bounded memory:
#   - 3,000 idle connections held open;
#   - an oversized request (431) and a slow-drip one (closed at the request timeout);
#   - a flood of announces for unknown info-hashes (wrk, all refused);
#   - with --allowed_cidrs, connections from outside (127.0.0.2) held open: they
#     have a small pool of their own, so they take no --max_connections slot,
#     and are refused the status page (403).
# Legitimate announces are timed during each; every one must be answered, the
# slowest within a second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
sandbox_init
cd "$SANDBOX"
ulimit -n 8192

good=$(printf '%040x' 4242)
echo "$good" > allowed
start_tracker --allowed_list allowed
pid=$(cat tracker.pid)
url="http://127.0.0.1:$TRACKER_PORT"
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }

# legit ROUND N: N announces of a known torrent from peers new in this ROUND;
# prints "median max" seconds.
legit() {
  local round=$1 i times=(); shift
  for i in $(seq "$1"); do
    times+=("$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' \
      "$url/announce?info_hash=$(sed 's/../%&/g' <<< "$good")&peer_id=-LG0000-$(printf '%06d%06d' "$round" "$i")&port=$((7000 + i))&left=1&compact=1" |
      awk '$1 == 200 { print $2 } $1 != 200 { print "failed" }')")
  done
  printf '%s\n' "${times[@]}" | grep -q failed && fail "a legitimate announce was not answered"
  printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%.4f %.4f", v[int((NR + 1) / 2)], v[NR] }'
}
check_fast() {  # check_fast "MEDIAN MAX" WHAT
  awk -v m="${1#* }" 'BEGIN { exit !(m < 1.0) }' || fail "legitimate announces took up to ${1#* } s during $2"
}

base=$(legit 1 20); base_rss=$(rss)
echo "   quiet: announces median/max ${base/ / / } s, RSS $base_rss MiB"

# 3,000 idle connections.
fds=()
for _ in $(seq 3000); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$TRACKER_PORT" || fail "could not open idle connection ${#fds[@]}"
  fds+=("$fd")
done
wait_until 10 sh -c "[ \$(ss -Htn state established '( sport = :$TRACKER_PORT )' | wc -l) -ge 3000 ]" ||
  fail "the tracker did not accept 3,000 connections"
idle=$(legit 2 20); idle_rss=$(rss)
check_fast "$idle" "3,000 idle connections"
pass "3,000 idle connections: announces median/max ${idle/ / / } s, RSS $idle_rss MiB (quiet: $base_rss)"
for fd in "${fds[@]}"; do exec {fd}>&-; done

# An oversized request gets 431 and the connection closed.
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Padding: $(head -c 20000 /dev/zero | tr '\0' a)" "$url/")
[ "$code" = 431 ] || fail "an oversized request got $code, not 431"
pass "oversized request: 431"

# A slow drip: one byte a second never completes a request; the tracker hangs up
# at its request timeout (10 s) while answering others.
trap '' PIPE  # a write to the connection the tracker closed must fail, not end this script
exec {drip}<>"/dev/tcp/127.0.0.1/$TRACKER_PORT"
started=$(date +%s)
closed=0
for byte in G E T ' ' / ' ' H T T P / 1 . 1 X X X X X X X X X X X X X X X X X X X; do
  printf '%s' "$byte" >&"$drip" 2>/dev/null || { closed=1; break; }
  sleep 1
done
took=$(( $(date +%s) - started ))
exec {drip}>&-
[ "$closed" = 1 ] || fail "a slow-drip request was kept open for $took s"
[ "$took" -le 15 ] || fail "the slow drip was cut after $took s, not at the 10 s timeout"
pass "slow drip: cut after $took s"

# A flood of announces for unknown info-hashes, with legitimate ones beside it.
TORRENTS=1000 WRK_THREADS=1 PEERS=100000 wrk -t 1 -c 32 -d 8s -s "$here/../bench/announce.lua" "$url" \
  > wrk.out 2>&1 &
flood=$!
PIDS+=("$flood")
wait_until 10 sh -c "[ \"\$(curl -s '$url/' | sed -n 's/.* \([0-9]*\) refused since start.*/\1/p')\" -gt 1000 ]" ||
  fail "the flood did not start"
during=$(legit 3 20)
wait "$flood" || { cat wrk.out; fail "wrk failed"; }
flood_rss=$(rss)
rate=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' wrk.out)
check_fast "$during" "the flood"
metric() { curl -s "$url/metrics" | awk -v series="$1" '$1 == series { print $2 }'; }
peers=$(metric murder_tracker_peers)
[ "$peers" -le 60 ] || fail "the flood of unknown torrents added peers: $peers"
refused=$(metric 'murder_tracker_refused_total{reason="not_allowed"}')
[ "${refused:-0}" -gt 1000 ] || fail "/metrics counts $refused announces refused as not allowed, after a flood of them"
awk -v a="$flood_rss" -v b="$base_rss" 'BEGIN { exit !(a < b + 20) }' || fail "RSS grew from $base_rss to $flood_rss MiB"
pass "flood of $rate unknown announces/s: legitimate median/max ${during/ / / } s, $peers peers held, RSS $flood_rss MiB"

# --allowed_cidrs is checked when a connection is accepted, before it counts
# toward --max_connections: outsiders can neither read the status page nor
# hold the slots legitimate peers need.
kill -TERM "$pid"
wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || fail "the tracker did not stop on SIGTERM"
start_tracker --allowed_list allowed --allowed_cidrs 127.0.0.1/32 --max_connections 20
pid=$(cat tracker.pid)
url="http://127.0.0.1:$TRACKER_PORT"
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' --interface 127.0.0.2 "$url/" || true)
[ "$code" = 403 ] || fail "the status page answered $code to 127.0.0.2, outside --allowed_cidrs"
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$url/")
[ "$code" = 200 ] || fail "the status page answered $code to 127.0.0.1, inside --allowed_cidrs"
pass "status page: 403 for 127.0.0.2, page served to 127.0.0.1"

# 100 connections from 127.0.0.2, held open and silent, against 20 slots (outsiders have 64 of their own).
perl -MIO::Socket::INET -e '
  my @held;
  for (1 .. 100) {
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0], LocalAddr => "127.0.0.2",
                                  Proto => "tcp") or last;
    push @held, $s;
  }
  print scalar(@held), "\n";
  close STDOUT;
  sleep 30;' "$TRACKER_PORT" > held.out &
PIDS+=("$!")
wait_until 10 grep -q . held.out || fail "the outside connections were not opened"
[ "$(cat held.out)" = 100 ] || fail "only $(cat held.out) of 100 outside connections opened"
outside=$(legit 4 20)
check_fast "$outside" "100 connections from outside --allowed_cidrs"
pass "100 outside connections take none of 20 slots: announces median/max ${outside/ / / } s"
