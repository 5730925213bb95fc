# Rate caps on a real fleet (issue 16, part 4): 5 namespace hosts with sshd,
# 100 Mbit/s links, murder.toml max_download_rate at a quarter of the link
# (3125 kB/s, 25 Mbit/s). The deploy completes, and what every peer's link
# carries in the middle of the download is within 10 % of the cap. Fleets
# are on private networks, so this also shows the cap holds between local
# peers (libtorrent exempts them by default).
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
N=5
fleet_up "$N" 100mbit
CAP_KBPS=3125
fleet_config "$SANDBOX/murder.toml" "max_download_rate = $CAP_KBPS"
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
TAG="cap$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent" "/tmp/$TAG.tree.torrent"'
mkdir -p "$SANDBOX/release"
head -c $((64 * 1024 * 1024)) /dev/urandom > "$SANDBOX/release/data.bin"

"${CTL[@]}" distribute_files > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "distribute_files failed"; }
# rx_bytes I: bytes host I's link has received.
rx_bytes() { awk '$1 == "eth0:" { print $2 }' "/proc/${FLEET_KEEPER[$1]}/net/dev"; }
"${CTL[@]}" deploy tag="$TAG" files_path="$SANDBOX/release" > "$SANDBOX/out" 2>&1 &
deploy=$!
# The rate each peer's link carries in the middle of the download: a window of
# 10 s once h1 has received 6 MB (the whole takes about 21 s at the cap).
base1=$(rx_bytes 1)
wait_until 30 bash -c "[ \$(( \$(awk '\$1 == \"eth0:\" { print \$2 }' /proc/${FLEET_KEEPER[1]}/net/dev) - $base1 )) -ge 6000000 ]" ||
  fail "h1 did not start downloading"
declare -a before after
for i in 1 2 3 4; do before[$i]=$(rx_bytes "$i"); done
sleep 10  # the measuring window itself, not a wait for something to happen
for i in 1 2 3 4; do after[$i]=$(rx_bytes "$i"); done
wait "$deploy" || { cat "$SANDBOX/out"; fail "deploy failed"; }
rates=""
for i in 1 2 3 4; do
  rate=$(( (after[i] - before[i]) / 10 / 1000 ))
  rates+="$rate "
  awk -v r="$rate" -v c="$CAP_KBPS" 'BEGIN { exit !(r >= 0.9 * c && r <= 1.1 * c) }' ||
    { cat "$SANDBOX/out"; fail "h$i's link carried $rate kB/s, not within 10 % of the cap of $CAP_KBPS kB/s"; }
done
want=$(tree_digest "$SANDBOX/release")
for i in $(seq 0 $((N - 1))); do
  [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$TAG")" = "$want" ] || fail "h$i: the release differs"
done
pass "max_download_rate $CAP_KBPS kB/s on 100 Mbit/s links: the peers' links carried ${rates% } kB/s (within 10 %); all $N identical"
