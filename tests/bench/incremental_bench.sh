#!/usr/bin/env bash
# The incremental-deploy benchmark (issue 15): N hosts hold release 1 of a tree
# of many files; release 2 changes 2 % of its files, adds a few and removes a
# few. Each round, alternating, `murderctl deploy` of release 2:
#   full tree   into a directory holding no earlier release (tree mode)
#   full tgz    the same, in the original's tgz mode
#   incremental beside release 1 (tree mode, base found on its own)
# and for the incremental deploy the payload bytes every host fetched from
# the seeder and the other peers (the seeder's plus the peers' uploads).
# h0 is tracker and seeder, h1..hN receive; every link is shaped to B.
#
# Usage: incremental_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_INC_HOSTS
# (20), BENCH_INC_MIB (the tree, 128), BENCH_RATE (Mbit/s, 100), BENCH_RUNS (3).
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/../fleet/fleet_lib.sh"
source "$here/bench_lib.sh"

N=${BENCH_INC_HOSTS:-20}
MIB=${BENCH_INC_MIB:-128}
RATE=${BENCH_RATE:-100}
RUNS=${BENCH_RUNS:-3}
if [ "$BENCH_QUICK" = 1 ]; then N=3 MIB=8 RUNS=1; fi

sandbox_init /var/tmp
FLEET_NET=198.19.0  # beside the fleet tests' network
at_exit 'rm -f /tmp/i[0-9]*.tgz.torrent /tmp/i[0-9]*.tree.torrent'
started=$(now)
fleet_up $((N + 1)) "${RATE}mbit"
echo "fleet: $((N + 1)) hosts, links ${RATE} Mbit/s each way, up in $(since "$started") s"
peers=""
for i in $(seq 1 "$N"); do peers+="\"${FLEET_HOSTS[$i]}\", "; done
cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "/srv/murder"
default_destination_path = "/srv/app"
[roles]
tracker = "${FLEET_HOSTS[0]}"
seeder = "${FLEET_HOSTS[0]}"
peer = [${peers%, }]
[ssh]
config = "$SANDBOX/ssh_config"
connect_timeout = 10
TOML
ctl() { "$BIN/murderctl" -c "$SANDBOX/murder.toml" --format json --log-dir "$SANDBOX/ctl-logs" "$@" 2>> "$SANDBOX/murderctl.log"; }

# Release 1: files of 4 KiB to 124 KiB (64 KiB on average) in 32 directories;
# every other file text (base64), the rest random bytes.
files=$((MIB * 16))
release1="$SANDBOX/release1"
for f in $(seq 0 $((files - 1))); do
  dir="$release1/app/d$((f % 32))"
  [ -d "$dir" ] || mkdir -p "$dir"
  size=$(( (4 + (f * 37) % 121) * 1024 ))
  if [ $((f % 2)) = 0 ]; then head -c $((size * 3 / 4)) /dev/urandom | base64 -w 76 > "$dir/f$f.txt" && truncate -s "$size" "$dir/f$f.txt"
  else head -c "$size" /dev/urandom > "$dir/f$f.bin"; fi
done
ln -s d0 "$release1/app/latest"
# Release 2: 2 % of the files rewritten, 5 added, 5 removed.
release2="$SANDBOX/release2"
cp -a "$release1" "$release2"
changed_files=$((files / 50))
for k in $(seq 1 "$changed_files"); do
  f=$(( (k * 7919) % files ))
  file=$(ls "$release2/app/d$((f % 32))/f$f".*)
  head -c "$(stat -c %s "$file")" /dev/urandom > "$file"
done
for k in 1 2 3 4 5; do head -c 65536 /dev/urandom > "$release2/app/d$k/added$k.bin"; done
for k in 1 2 3 4 5; do rm -f "$release2/app/d$((k + 10))/f$((k * 32 + k + 10))".*; done
changed=$(cd "$release2" && find . -type f -newer "$release1/app/latest" -printf '%s\n' | awk '{ s += $1 } END { print s }')
total2=$(du -sb --apparent-size "$release2" | cut -f1)
echo "release 1: $files files, $(du -sb --apparent-size "$release1" | cut -f1) bytes; release 2: $total2 bytes, $changed changed or added ($changed_files files rewritten, 5 added, 5 removed)"

ctl distribute_files start_tracker > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "setup failed"; }
ctl deploy tag=i0-r1 files_path="$release1" > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "release 1 failed"; }

# deploy_release2 TAG ARGS...: a whole deploy of release 2 -> SECS, checked on every host.
deploy_release2() {
  local tag=$1 dest=$2 t0 i; shift 2
  t0=$(now)
  ctl deploy tag="$tag" files_path="$release2" destination_path="$dest" "$@" > "$SANDBOX/$tag.json" ||
    { cat "$SANDBOX/$tag.json"; fail "deploy $tag failed"; }
  SECS=$(since "$t0")
  for i in $(seq 1 "$N"); do
    [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root$dest/$tag")" = "$want" ] || fail "$tag: h$i does not hold release 2"
  done
}
fetched_total() {  # fetched_total JSON: the payload bytes all peers fetched
  jq -r '.results[] | select(.task == "peer") | .detail' "$1" |
    sed -n 's/^[0-9]* bytes, \([0-9]*\) fetched.*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}
want=$(tree_digest "$release2")
declare -A times busy
wire=()
for run in $(seq 1 "$RUNS"); do
  for method in tree tgz incremental; do
    mark=$(cpu_now)
    tag="i$run-$method"
    case $method in
      tree) deploy_release2 "$tag" "/srv/full-$run" ;;
      tgz) deploy_release2 "$tag" "/srv/tgz-$run" transfer_mode=tgz ;;
      incremental)
        deploy_release2 "$tag" /srv/app
        wire+=("$(fetched_total "$SANDBOX/$tag.json")")
        grep -q "reused" "/proc/${FLEET_KEEPER[1]}/root/srv/murder/log/peer-$tag.log" || fail "$tag: h1 reused nothing"
        for i in 1 $N; do cp "/proc/${FLEET_KEEPER[$i]}/root/srv/murder/log/peer-$tag.log" "$BENCH_OUT/incremental-$tag-h$i.log"; done
        ;;
    esac
    times[$method]+="$SECS "; busy[$method]+="$(cpu_busy "$mark") "
    cp "$SANDBOX/$tag.json" "$BENCH_OUT/incremental-$tag.json"
    phases=$(jq -r '[.results | group_by(.task)[] | "\(.[0].task) \(map(.seconds) | max)"] | join(", ")' "$SANDBOX/$tag.json")
    echo "  run $run $method: $SECS s (CPU $(echo "${busy[$method]}" | awk '{ print $NF }') % busy; slowest host a task: $phases)"
    # The full deploys' trees go, so that the disk holds one run's at a time.
    for i in $(seq 1 "$N"); do rm -rf "/proc/${FLEET_KEEPER[$i]}/root/srv/full-$run" "/proc/${FLEET_KEEPER[$i]}/root/srv/tgz-$run"; done
    [ "$method" != incremental ] || for i in $(seq 1 "$N"); do rm -rf "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$tag"; done
  done
done

rows="$BENCH_OUT/incremental.tsv"
printf 'method\tmedian s\tCPU busy %%\truns (s)\n' > "$rows"
declare -A med
for method in tree tgz incremental; do
  med[$method]=$(tr ' ' '\n' <<< "${times[$method]}" | sed '/^$/d' | median)
  printf '%s\t%s\t%s\t%s\n' "deploy of release 2, $method" "${med[$method]}" \
    "$(tr ' ' '\n' <<< "${busy[$method]}" | sed '/^$/d' | median | cut -d. -f1)" "${times[$method]}" >> "$rows"
done
table "$rows"
torrent=$(stat -c %s "/tmp/i$RUNS-incremental.tree.torrent" 2>/dev/null || echo 0)
wire_med=$(printf '%s\n' "${wire[@]}" | median)
per_host=$(calc "$wire_med / $N")
echo "incremental: the peers fetched $wire_med bytes in all (median; runs: ${wire[*]}), $per_host a host," \
     "for $changed changed bytes; the .torrent is $torrent bytes"
# Every host needs the changed bytes once, so the fleet's uploads are N times
# what one host fetches: the target (3x the changed bytes, plus the .torrent,
# which travels by SSH and is not counted here) holds for each host.
target "incremental payload a host fetched / changed bytes" "$(calc "($per_host) / $changed")" "<=" 3 "x"
target "incremental / full deploy of release 2 (tree), N=$N $((MIB)) MiB" "$(calc "${med[incremental]} / ${med[tree]}")" "<=" 0.25 "x"
faster=$(awk -v a="${med[tree]}" -v b="${med[tgz]}" 'BEGIN { print (a <= b) ? "tree" : "tgz" }')
echo "full deploy of release 2: tree ${med[tree]} s, tgz ${med[tgz]} s: $faster is faster (murderctl's default: tree)"
target "full deploy, tree mode / tgz mode, N=$N $((MIB)) MiB" "$(calc "${med[tree]} / ${med[tgz]}")" "<=" 1 "x"
