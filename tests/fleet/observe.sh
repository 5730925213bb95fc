# Watching a deploy (issue 16, parts 1 and 2): 6 namespace hosts with sshd, a
# deploy slowed by a download cap so that there is something to watch.
#   - Debian's real Prometheus server scrapes the tracker's /metrics every
#     second; the test asks Prometheus' HTTP API for the leechers during the
#     deploy and the completions after it.
#   - Headless Chromium renders the status page during the deploy; the test
#     checks the rendered DOM's host counts and keeps a screenshot
#     ($BIN/fleet-artifacts/status-page.png).
#   - Every peer and the seeder keep a node-exporter textfile (metrics_dir),
#     which promtool accepts and which says how the run ended.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
N=6
fleet_up "$N" 100mbit
fleet_config "$SANDBOX/murder.toml" "max_download_rate = 1000" 'metrics_dir = "/srv/metrics"'
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
TAG="watch$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent" "/tmp/$TAG.tree.torrent"'
for i in $(seq 0 $((N - 1))); do mkdir "/proc/${FLEET_KEEPER[$i]}/root/srv/metrics"; done
mkdir -p "$SANDBOX/release"
head -c $((24 * 1024 * 1024)) /dev/urandom > "$SANDBOX/release/data.bin"
"${CTL[@]}" distribute_files > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "distribute_files failed"; }

# Prometheus on the workstation, scraping the tracker on h0 every second.
PROM_PORT=$(free_port)
cat > "$SANDBOX/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: murder_tracker
    static_configs:
      - targets: ['${FLEET_HOSTS[0]}:8998']
CONF
prometheus --config.file="$SANDBOX/prometheus.yml" --storage.tsdb.path="$SANDBOX/prometheus" \
  --web.listen-address="127.0.0.1:$PROM_PORT" > "$SANDBOX/prometheus.log" 2>&1 &
PIDS+=("$!")
wait_until 30 curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" > /dev/null || { tail "$SANDBOX/prometheus.log"; fail "Prometheus did not start"; }
# promql EXPR: the value of EXPR's one sample now, or nothing.
promql() {
  curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
# promql_is EXPR VALUE / promql_above EXPR VALUE: for wait_until.
promql_is() { [ "$(promql "$1")" = "$2" ]; }
promql_above() { [ "$(promql "$1")" -gt "$2" ] 2>/dev/null; }

# The deploy's tasks, with stop_tracker left until Prometheus has been asked.
"${CTL[@]}" --format json start_tracker create_torrent start_seeding peer stop_peering stop_seeding \
  tag="$TAG" files_path="$SANDBOX/release" > "$SANDBOX/out.json" 2>"$SANDBOX/err" &
deploy=$!
# Every peer but h0's (which finds the payload in place) downloads for about
# 25 s at the cap: Prometheus sees all of them as leechers at once.
leechers="murder_tracker_torrent_leechers{tag=\"$TAG\"}"
wait_until 40 promql_is "$leechers" $((N - 1)) ||
  { cat "$SANDBOX/err"; fail "Prometheus never saw $((N - 1)) leechers (last: $(promql "$leechers"))"; }
curl -sf "http://${FLEET_HOSTS[0]}:8998/metrics" > "$SANDBOX/tracker.prom" || fail "the tracker did not serve /metrics"
promtool check metrics < "$SANDBOX/tracker.prom" > "$SANDBOX/promtool.out" 2>&1 ||
  { cat "$SANDBOX/promtool.out"; fail "promtool refuses the tracker's /metrics"; }
pass "Prometheus scraped /metrics: $((N - 1)) leechers of $TAG during the deploy; promtool accepts the text"

# The page as a browser renders it, while the same peers download.
page="http://${FLEET_HOSTS[0]}:8998/"
browser=(timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$SANDBOX/chromium")
"${browser[@]}" --dump-dom "$page" > "$SANDBOX/page.html" 2>> "$SANDBOX/chromium.log" || fail "chromium could not render $page"
section=$(grep -o "<section class=\"torrent\"[^>]*data-tag=\"$TAG\"[^>]*>" "$SANDBOX/page.html") ||
  { cat "$SANDBOX/page.html"; fail "the rendered page has no section for $TAG"; }
count() { echo "$section" | sed -n "s/.*data-$1=\"\([0-9]*\)\".*/\1/p"; }
# h0 (seeder, and its own peer) is done; the five others are still downloading.
[ "$(count done)" = 1 ] && [ "$(count in-progress)" = $((N - 1)) ] && [ "$(count stalled)" = 0 ] ||
  fail "the page shows $(count done) done, $(count in-progress) in progress, $(count stalled) stalled; want 1, $((N - 1)), 0"
rows=$(grep -o '<td>in progress</td>' "$SANDBOX/page.html" | wc -l)
[ "$rows" = $((N - 1)) ] || fail "the page lists $rows hosts in progress, not $((N - 1))"
pass "Chromium's DOM of the status page: 1 host done, $((N - 1)) in progress, 0 stalled"

# Peers tell the tracker of each quarter of the payload: the page shows them
# part of the way, and the swarm's rate, before the download ends.
downloaded="murder_tracker_torrent_downloaded_bytes_total{tag=\"$TAG\"}"
wait_until 30 promql_above "$downloaded" 0 || fail "no peer reported a downloaded byte during the deploy"
part_of_the_way() {
  "${browser[@]}" --dump-dom "$page" 2>/dev/null | grep -Eq '<td>in progress</td><td>([1-9]|[1-9][0-9])\.[0-9] %</td>'
}
wait_until 30 part_of_the_way || fail "the page never showed a host part of the way"
"${browser[@]}" --window-size=1100,720 --screenshot="$SANDBOX/status-page.png" "$page" >> "$SANDBOX/chromium.log" 2>&1 ||
  fail "chromium could not take a screenshot of $page"
mkdir -p "$BIN/fleet-artifacts"
cp "$SANDBOX/status-page.png" "$BIN/fleet-artifacts/status-page.png"
pass "the page showed hosts part of the way during the download; screenshot in $BIN/fleet-artifacts/status-page.png"

wait "$deploy" || { cat "$SANDBOX/out.json" "$SANDBOX/err"; fail "deploy failed"; }
completed="murder_tracker_torrent_completed_total{tag=\"$TAG\"}"
wait_until 20 promql_is "$completed" $((N - 1)) ||
  fail "Prometheus shows $(promql "$completed") completions of $TAG, not $((N - 1))"
[ "$(promql 'murder_tracker_reply_seconds_count')" -gt 0 ] || fail "no reply times in Prometheus"
pass "after the deploy, Prometheus shows $((N - 1)) completions of $TAG"
"${CTL[@]}" stop_tracker > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "stop_tracker failed"; }

# Each host's textfile: valid for promtool, and saying how the run ended.
for i in $(seq 1 $((N - 1))); do
  file="/proc/${FLEET_KEEPER[$i]}/root/srv/metrics/murder_peer_$TAG.prom"
  [ -f "$file" ] || fail "h$i has no $file"
  promtool check metrics < "$file" > "$SANDBOX/promtool.out" 2>&1 || { cat "$SANDBOX/promtool.out"; fail "promtool refuses h$i's $file"; }
  grep -q "^murder_client_state{role=\"peer\",tag=\"$TAG\",state=\"done\"} 1$" "$file" || { cat "$file"; fail "h$i's textfile does not say done"; }
  total=$(awk '/^murder_client_payload_bytes/ { print $2 }' "$file")
  done_bytes=$(awk '/^murder_client_bytes_done/ { print $2 }' "$file")
  [ "$total" -gt 24000000 ] && [ "$done_bytes" = "$total" ] || fail "h$i's textfile has $done_bytes of $total bytes done"
done
seed_file="/proc/${FLEET_KEEPER[0]}/root/srv/metrics/murder_seed_$TAG.prom"
promtool check metrics < "$seed_file" > "$SANDBOX/promtool.out" 2>&1 || { cat "$SANDBOX/promtool.out"; fail "promtool refuses the seeder's textfile"; }
grep -q "^murder_client_state{role=\"seed\",tag=\"$TAG\",state=\"stopped\"} 1$" "$seed_file" || { cat "$seed_file"; fail "the seeder's textfile does not say stopped"; }
copies=$(awk '/^murder_client_copies_uploaded/ { print $2 }' "$seed_file")
awk -v c="$copies" 'BEGIN { exit !(c > 0.5) }' || fail "the seeder's textfile says it uploaded $copies copies"
pass "every peer's textfile says done with all its bytes, the seeder's says stopped after $copies copies; promtool accepts them all"
