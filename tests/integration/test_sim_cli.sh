#!/usr/bin/env bash
# cachelab sim and cachelab trace from the command line: outputs, columns, exit codes, one-line
# errors, determinism across --jobs. Usage: bash test_sim_cli.sh PATH_TO_cachelab
set -u
BIN=${1:?usage: test_sim_cli.sh PATH_TO_cachelab}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TRACES=$ROOT/tests/data/traces
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE CMD...: runs CMD, checks its exit code, keeps stdout/stderr in $WORK/out, $WORK/err.
expect() {
  local want=$1; shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  [ "$got" = "$want" ] || fail "exit $got (want $want): $* -- $(head -c 300 "$WORK/err")"
}

# An error must be exactly one line on stderr.
one_line_error() {
  local lines
  lines=$(wc -l <"$WORK/err")
  [ "$lines" = 1 ] || fail "expected one error line, got $lines: $(cat "$WORK/err")"
  grep -q "$1" "$WORK/err" || fail "error lacks '$1': $(cat "$WORK/err")"
}

# --- a small synthetic scenario: outputs and columns
cat >"$WORK/s.yaml" <<YAML
name: small
seed: 1
duration: 2m
cache: {capacity: 1MiB, policy: lru}
invalidation: ttl-only
classes:
  - {name: items, keys: 2000, popularity: zipf(0.9), size: fixed(100), reads_per_s: 200, writes_per_s: 20, ttl: 30s}
sweep: {policy: [lru, fifo, lfu], capacity: [64KiB, 1000 objects]}
YAML
expect 0 "$BIN" sim "$WORK/s.yaml" -o "$WORK/out1" --timeline 30s --jobs 1
grep -q "hit_ratio" "$WORK/out" || fail "no table on stdout"
header=$(head -1 "$WORK/out1/results.csv")
want="scenario,policy,capacity_bytes,capacity_objects,ttl_s,requests,reads,writes,hits,misses,hit_ratio,byte_hit_ratio,stale_hits,stale_ratio,mean_stale_age_s,evictions,expirations,origin_reads"
case "$header" in "$want"*) ;; *) fail "results.csv header: $header" ;; esac
[ "$(wc -l <"$WORK/out1/results.csv")" = 7 ] || fail "expected 6 sweep rows"
grep -q '^small,lru,65536,,30,' "$WORK/out1/results.csv" || fail "byte-mode row: $(sed -n 2p "$WORK/out1/results.csv")"
grep -q '^small,lru,,1000,30,' "$WORK/out1/results.csv" || fail "object-mode row"
[ -s "$WORK/out1/results.json" ] || fail "no results.json"
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['runs'])==6" "$WORK/out1/results.json" || fail "results.json"
head -1 "$WORK/out1/timeline.csv" | grep -q '^run,start_s,end_s,reads,writes,hits,hit_ratio,stale_hits,stale_ratio,origin_reads$' || fail "timeline header"
[ "$(grep -c '^1,' "$WORK/out1/timeline.csv")" = 4 ] || fail "expected 4 intervals of 30s for run 1"

# --- the same results for any --jobs
expect 0 "$BIN" sim "$WORK/s.yaml" -o "$WORK/out2" --jobs 4
cmp -s "$WORK/out1/results.csv" "$WORK/out2/results.csv" || fail "--jobs 4 changed results.csv"

# --- --set overrides
expect 0 "$BIN" sim "$WORK/s.yaml" -o "$WORK/out3" --set sweep=null --set cache.capacity=2000 --set policy=fifo
grep -q '^small,fifo,2000,,' "$WORK/out3/results.csv" || fail "--set not applied: $(cat "$WORK/out3/results.csv")"

# --- the real trace through a scenario: libCacheSim's lru figure
cat >"$WORK/t.yaml" <<YAML
cache: {capacity: 4897 objects, policy: lru}
trace: {path: $TRACES/cloudPhysicsIO.csv, format: csv, columns: {time: 2, key: 5, size: 4}, header: true}
YAML
expect 0 "$BIN" sim "$WORK/t.yaml" -o "$WORK/out4"
grep -q ',113872,113872,0,22215,91657,' "$WORK/out4/results.csv" || fail "lru 4897 objects: $(tail -1 "$WORK/out4/results.csv")"

# --- trace info and convert
expect 0 "$BIN" trace info "$TRACES/cloudPhysicsIO.oracleGeneral.bin" --format oracleGeneral
grep -q 'requests *113872' "$WORK/out" || fail "trace info requests"
grep -q 'unique keys *48974' "$WORK/out" || fail "trace info unique keys"
expect 0 "$BIN" trace convert "$TRACES/cloudPhysicsIO.csv" "$WORK/cp.bin" --from csv --to oracleGeneral --columns time=2,key=5,size=4 --header
expect 0 "$BIN" trace info "$WORK/cp.bin" --format oracleGeneral
grep -q 'unique keys *48974' "$WORK/out" || fail "converted trace"
# --- compressed traces, public formats, trace analyze
expect 0 "$BIN" trace convert "$TRACES/sample_v3.lcs.zst" "$WORK/s.cachelib.csv.zst" --from lcs --to cachelib
head -c 4 "$WORK/s.cachelib.csv.zst" | od -An -tx1 | grep -q '28 b5 2f fd' || fail "convert to .zst did not write zstd"
expect 0 "$BIN" trace info "$WORK/s.cachelib.csv.zst" --format cachelib
grep -q 'requests *10000' "$WORK/out" || fail "trace info of the converted cachelib .zst"
expect 0 "$BIN" trace analyze "$TRACES/sample_v3.lcs.zst" -o "$WORK/analysis"
grep -q 'zipf alpha' "$WORK/out" || fail "trace analyze prints no zipf alpha"
grep -q 'objects *1621' "$WORK/out" || fail "trace analyze objects"
for f in summary.txt popularity.csv popularity.png one_hit_wonders.csv reuse_distance.csv reuse_time.csv sizes.csv ttl.csv rate.csv; do
  [ -s "$WORK/analysis/$f" ] || fail "trace analyze did not write $f"
done
head -c 30000 "$TRACES/sample_v3.lcs.zst" >"$WORK/cut.lcs.zst"
expect 2 "$BIN" trace analyze "$WORK/cut.lcs.zst" -o "$WORK/cut"
one_line_error "byte offset 30000: truncated zstd data"

# --- bad usage and bad input: exit 2, one line
expect 2 "$BIN" sim
expect 2 "$BIN" sim "$WORK/s.yaml" --bogus
expect 2 "$BIN" sim /nonexistent.yaml
one_line_error "/nonexistent.yaml"
printf 'cache: {capacity: 1MiB, policy: nosuch}\nclasses: [{keys: 1, reads_per_s: 1}]\nduration: 1s\n' >"$WORK/bad1.yaml"
expect 2 "$BIN" sim "$WORK/bad1.yaml"
one_line_error "bad1.yaml:1: cache.policy: unknown policy 'nosuch'"
printf 'cache: {capacity: 1MiB}\nclasses:\n  - {keys: 1, reads_per_s: 1, ttl: -3s}\nduration: 1s\n' >"$WORK/bad2.yaml"
expect 2 "$BIN" sim "$WORK/bad2.yaml"
one_line_error "bad2.yaml:3: classes.class0.ttl: must not be negative"
printf 'cache: {capacity: 1MiB}\nclasses:\n  - {keys: many, reads_per_s: 1}\nduration: 1s\n' >"$WORK/bad3.yaml"
expect 2 "$BIN" sim "$WORK/bad3.yaml"
one_line_error "bad3.yaml:3: classes.class0.keys: expected a non-negative integer"
printf 'cache: {capacity: 1MiB}\nclasses: [{keys: 1, reads_per_s: 1}]\n' >"$WORK/bad4.yaml"
expect 2 "$BIN" sim "$WORK/bad4.yaml"
one_line_error "bad4.yaml:1: duration: missing field"
printf 'cache: {capacity: 1MiB\n' >"$WORK/bad5.yaml"
expect 2 "$BIN" sim "$WORK/bad5.yaml"
one_line_error "bad YAML"
head -c 1000 "$TRACES/cloudPhysicsIO.oracleGeneral.bin" >"$WORK/trunc.bin"
printf 'cache: {capacity: 10 objects}\ntrace: {path: trunc.bin, format: oracleGeneral}\n' >"$WORK/bad6.yaml"
expect 2 "$BIN" sim "$WORK/bad6.yaml"
one_line_error "trunc.bin: byte offset 984: truncated record"
printf 'cache: {capacity: 1MiB}\nclasses: [{keys: 10, reads_per_s: 1}]\nduration: 1s\nsweep:\n  capacity: [1MiB,\n     lots]\n' >"$WORK/bad8.yaml"
expect 2 "$BIN" sim "$WORK/bad8.yaml"
one_line_error "bad8.yaml:6 (sweep): cache.capacity: expected bytes"
printf 'cache: {capacity: 10 objects}\ntrace: {path: %s, format: csv, columns: {time: 2, key: 5, size: 4}}\n' "$TRACES/cloudPhysicsIO.csv" >"$WORK/bad9.yaml"
expect 2 "$BIN" sim "$WORK/bad9.yaml"
one_line_error "cloudPhysicsIO.csv: byte offset 0 (line 1): bad time field 'time' (if the first line is a header, say header: true)"
expect 2 "$BIN" sim "$WORK/s.yaml" --set cache.capacity=lots
one_line_error "(--set): cache.capacity"
expect 2 "$BIN" trace info "$WORK/trunc.bin" --format oracleGeneral
one_line_error "byte offset 984"
expect 2 "$BIN" trace info "$WORK/trunc.bin" --format nosuch
expect 2 "$BIN" trace info "$WORK/trunc.bin"
expect 2 "$BIN" trace frobnicate
expect 0 "$BIN" sim --help
expect 0 "$BIN" trace info --help

# --- plots: drawn when gnuplot is there; a bad column is a usage error
printf 'plots: [{x: capacity, y: hit_ratio, series: policy, file: p.svg}]\n' >>"$WORK/s.yaml"
if command -v gnuplot >/dev/null; then
  expect 0 "$BIN" sim "$WORK/s.yaml" -o "$WORK/out5"
  [ -s "$WORK/out5/p.svg" ] || fail "plot not drawn"
fi
printf 'cache: {capacity: 1MiB}\nclasses: [{keys: 1, reads_per_s: 1}]\nduration: 1s\nplots: [{x: ttl, y: hit_ratio, file: p.gif}]\n' >"$WORK/bad7.yaml"
expect 2 "$BIN" sim "$WORK/bad7.yaml" -o "$WORK/out6"
one_line_error "bad7.yaml:4: plots\[0\].file: expected a .png or .svg"

# --- every shipped scenario loads and runs (cut to 20,000 requests per run: this suite also runs
# under sanitizers; their full length is a few seconds each in a release build)
for s in "$ROOT"/scenarios/*.yaml; do
  expect 0 "$BIN" sim "$s" -o "$WORK/scenario_out" --set requests=20000
done

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all sim CLI checks passed"
