# Helpers for the benchmarks (tests/bench/*.sh). Source after
# tests/integration/lib.sh. Every figure is written to $BENCH_OUT as well as
# printed; targets go to $BENCH_OUT/targets.txt, one line each, so that
# scripts/bench can list them all at the end.

BENCH_OUT=${BENCH_OUT:?set BENCH_OUT to the results directory}
BENCH_QUICK=${BENCH_QUICK:-0}
mkdir -p "$BENCH_OUT"

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# since T0: seconds from T0 until now, 2 decimals.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# median: the median of the numbers on stdin, one a line.
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR: evaluates an awk expression, 2 decimals.
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# target NAME MEASURED OP LIMIT [UNIT]: records whether MEASURED OP LIMIT holds
# (OP is <= or >=). In quick mode the figures are too small to judge, so the
# line says so instead of met or missed.
target() {
  local name=$1 measured=$2 op=$3 limit=$4 unit=${5:-}
  local verdict
  if [ "$BENCH_QUICK" = 1 ]; then
    verdict="quick (not judged)"
  elif awk -v m="$measured" -v l="$limit" -v op="$op" \
      'BEGIN { exit !((op == "<=" && m <= l) || (op == ">=" && m >= l) || (op == "<" && m < l)) }'; then
    verdict="MET"
  else
    verdict="MISSED"
  fi
  printf '%-20s %s: %s%s (target %s %s%s)\n' "$verdict" "$name" "$measured" "$unit" "$op" "$limit" "$unit" |
    tee -a "$BENCH_OUT/targets.txt"
}

# table FILE: prints a tab-separated file as aligned columns.
table() { column -t -s $'\t' "$1"; }

# cpu_now and cpu_busy are in tests/integration/lib.sh.
