#!/usr/bin/env bash
# The packing and hashing benchmark, on one machine, alternating, same files:
#   hashing  murder_make_torrent FILE against mktorrent, same piece size, same threads
#   packing  murder_make_torrent DIR (pack, then hash) against tar czf of DIR (pack only),
#            with gzip and with zstd
#
# Usage: local_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_RUNS (5),
# BENCH_HASH_MIB (512), BENCH_TREE_SRC (text part of the tree, /usr/include),
# BENCH_TREE_MIB (random data added to the tree, 64).
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/bench_lib.sh"

RUNS=${BENCH_RUNS:-5}
HASH_MIB=${BENCH_HASH_MIB:-512}
TREE_MIB=${BENCH_TREE_MIB:-64}
THREADS=$(nproc)
PIECE=262144

sandbox_init /var/tmp
cd "$SANDBOX"

# timed NAME COMMAND...: runs COMMAND, appends its seconds to NAME.
timed() {
  local name=$1 t0; shift
  t0=$(now)
  "$@" > /dev/null 2>&1 || fail "$name: '$*' failed"
  since "$t0" >> "$name"; echo >> "$name"
}

head -c $((HASH_MIB * 1048576)) /dev/urandom > payload.bin
cat payload.bin > /dev/null  # both tools read it from the page cache
for _ in $(seq "$RUNS"); do
  timed hash-murder "$BIN/murder_make_torrent" payload.bin 127.0.0.1:1 murder.torrent --threads "$THREADS" \
    --piece-size "$PIECE"
  rm -f mk.torrent
  timed hash-mktorrent mktorrent -t "$THREADS" -l 18 -a http://127.0.0.1:1/announce -o mk.torrent payload.bin
done
rm payload.bin

# A release tree: headers (text, compresses well) and random data (does not).
mkdir tree
cp -r "${BENCH_TREE_SRC:-/usr/include}" tree/include
head -c $((TREE_MIB * 1048576)) /dev/urandom > tree/assets.bin
tree_bytes=$(du -sb tree | cut -f1)
for _ in $(seq "$RUNS"); do
  timed pack-murder-gzip "$BIN/murder_make_torrent" tree 127.0.0.1:1 m.torrent --archive m.tgz
  timed pack-tar-gzip tar czf t.tgz -C tree .
  timed pack-murder-zstd "$BIN/murder_make_torrent" tree 127.0.0.1:1 z.torrent --archive m.tzst --compression zstd
  timed pack-tar-zstd tar --zstd -cf t.tzst -C tree .
done

rows="$BENCH_OUT/local.tsv"
printf 'what\ttool\tmedian s\tMiB/s\toutput MiB\truns (s)\n' > "$rows"
row() {  # row WHAT TOOL NAME INPUT_BYTES [OUTPUT_FILE]
  local med; med=$(median < "$3")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$med" "$(calc "$4 / 1048576 / $med")" \
    "$([ -n "${5:-}" ] && calc "$(stat -c %s "$5") / 1048576" || echo -)" "$(tr '\n' ' ' < "$3")" >> "$rows"
  eval "MEDIAN_${3//-/_}=$med"
}
row "hash ${HASH_MIB} MiB, $THREADS threads" murder_make_torrent hash-murder $((HASH_MIB * 1048576))
row "hash ${HASH_MIB} MiB, $THREADS threads" mktorrent hash-mktorrent $((HASH_MIB * 1048576))
row "tree $((tree_bytes / 1048576)) MiB, gzip" "murder_make_torrent (pack+hash)" pack-murder-gzip "$tree_bytes" m.tgz
row "tree $((tree_bytes / 1048576)) MiB, gzip" "tar czf" pack-tar-gzip "$tree_bytes" t.tgz
row "tree $((tree_bytes / 1048576)) MiB, zstd" "murder_make_torrent (pack+hash)" pack-murder-zstd "$tree_bytes" m.tzst
row "tree $((tree_bytes / 1048576)) MiB, zstd" "tar --zstd" pack-tar-zstd "$tree_bytes" t.tzst
table "$rows"
target "hashing: mktorrent time / murder_make_torrent time" "$(calc "$MEDIAN_hash_mktorrent / $MEDIAN_hash_murder")" ">=" 1 "x"
target "packing (gzip): tar czf time / murder_make_torrent time" \
  "$(calc "$MEDIAN_pack_tar_gzip / $MEDIAN_pack_murder_gzip")" ">=" 1 "x"
