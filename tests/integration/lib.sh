# Helpers for integration tests. Source it, then call `sandbox_init`.
# Every process a test starts is recorded and ended by pid on exit, pass or fail;
# the sandbox directory is removed. Loops are bounded in count and time.

BIN=${1:?usage: $0 BIN_DIR}
BIN=$(cd "$BIN" && pwd)
PIDS=()
PIDFILES=()
MOUNTS=()
CLEANUP_HOOKS=()
AT_EXIT=()

# at_exit 'COMMANDS': runs COMMANDS (evaluated then) first on exit, before the
# processes are ended. The test's exit status is kept: a trap of its own that
# ran a command before `cleanup` would hand cleanup that command's status, and
# a failed test would exit 0.
at_exit() { AT_EXIT+=("$1"); }

cleanup() {
  local status=$?
  set +e
  local commands
  for commands in "${AT_EXIT[@]}"; do eval "$commands"; done
  for f in "${PIDFILES[@]}"; do
    [ -f "$f" ] && kill "$(cat "$f" 2>/dev/null)" 2>/dev/null
  done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  # Processes found through pidfiles are not our children: wait for them to go.
  for f in "${PIDFILES[@]}"; do
    if [ -f "$f" ]; then
      local pid; pid=$(cat "$f" 2>/dev/null)
      [ -n "$pid" ] || continue
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null
    fi
  done
  for hook in "${CLEANUP_HOOKS[@]}"; do "$hook"; done
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
  [ -n "${SANDBOX:-}" ] && rm -rf "$SANDBOX"
  exit $status
}

# sandbox_init [PARENT]: a fresh directory under PARENT (default /tmp).
sandbox_init() {
  SANDBOX=$(mktemp -d "${1:-/tmp}/murder-it-XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_until() {
  local limit=$1; shift
  local tries=$((limit * 10))
  for _ in $(seq "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# cpu_now: "TOTAL IDLE" jiffies of all cores, for cpu_busy.
cpu_now() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6 }' /proc/stat; }

# cpu_busy "TOTAL IDLE": how busy all cores were since that cpu_now reading, in %.
# On a machine that emulates a whole fleet, near 100 means the run was CPU-bound.
cpu_busy() {
  local mark=$1
  cpu_now | awk -v t0="${mark% *}" -v i0="${mark#* }" \
    '{ d = $1 - t0; printf "%.0f", (d > 0 ? 100 * (1 - ($2 - i0) / d) : 0) }'
}

# A TCP port nobody listens on now, from a range our own programs do not use.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 20000))
    ss -Hltn "sport = :$port" | grep -q . || { echo "$port"; return 0; }
  done
  return 1
}

# start_tracker: runs murder_tracker as a daemon on 127.0.0.1 (any free port) with
# EXTRA args; sets TRACKER_PORT.
start_tracker() {
  local out
  out=$("$BIN/murder_tracker" --bind 127.0.0.1 --port 0 --daemon --pidfile "$SANDBOX/tracker.pid" \
        --logfile "$SANDBOX/tracker.log" "$@") || fail "tracker did not start"
  PIDFILES+=("$SANDBOX/tracker.pid")
  TRACKER_PORT=${out##*:}
  [ -n "$TRACKER_PORT" ] || fail "tracker printed no port: $out"
}

# make_tree DIR MB: a release tree with nesting, a symlink, an empty file and a
# random file of MB megabytes.
make_tree() {
  mkdir -p "$1/app/lib/deep" "$1/.git"
  head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$1/app/big.bin"
  echo "config" > "$1/app/lib/deep/settings.conf"
  : > "$1/app/empty"
  ln -s lib/deep/settings.conf "$1/app/current.conf"
  echo "ignored" > "$1/.git/HEAD"
}

# expect_one_error EXPECTED_STATUS PATTERN COMMAND...: the command must exit with
# EXPECTED_STATUS and print exactly one "error:" line matching PATTERN.
expect_one_error() {
  local want=$1 pattern=$2; shift 2
  local err="$SANDBOX/stderr.$RANDOM" status=0
  "$@" >/dev/null 2>"$err" || status=$?
  [ "$status" -eq "$want" ] || { cat "$err" >&2; fail "'$*' exited $status, expected $want"; }
  local lines; lines=$(grep -c "error:" "$err")
  [ "$lines" -eq 1 ] || { cat "$err" >&2; fail "'$*' printed $lines error lines, expected 1"; }
  grep "error:" "$err" | grep -qE "$pattern" || { cat "$err" >&2; fail "error line does not match '$pattern'"; }
  grep -qiE "terminate called|stack trace|Aborted|segmentation" "$err" && fail "'$*' crashed"
  echo "   $(grep 'error:' "$err")"
}
