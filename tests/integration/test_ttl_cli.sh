#!/usr/bin/env bash
# cachelab ttl from the command line: the table, the choice, ttl.csv, the plot, and exit codes.
set -euo pipefail
cachelab="$1"
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out="$("$cachelab" ttl "$source_dir/scenarios/product_catalog.yaml" --max-stale-ratio 0.01 \
        --candidates 10s,30s,1m,5m -o "$work/out" --jobs 2)"
echo "$out"
grep -q "^class products (invalidation ttl-only, budget: stale ratio <= 0.01)" <<<"$out" || fail "no class header"
grep -q "^-> 1m " <<<"$out" || fail "1m not chosen"
grep -q "choose ttl 1m: hit ratio 0\.7" <<<"$out" || fail "no choice line"
grep -q "5m .* over budget" <<<"$out" || fail "5m not marked over budget"
head -1 "$work/out/ttl.csv" | grep -qx "class,invalidation,ttl_s,hit_ratio,stale_ratio,mean_stale_age_s,origin_reads_per_s,within_budget,chosen" \
  || fail "ttl.csv header"
[ "$(grep -c ',1$' "$work/out/ttl.csv")" = 1 ] || fail "exactly one chosen row"
head -c 8 "$work/out/ttl-products.png" | od -An -c | grep -q "P   N   G" || fail "no PNG written"

none="$("$cachelab" ttl "$source_dir/scenarios/product_catalog.yaml" --max-stale-ratio 0.00001 --candidates 1m,5m)"
grep -q "no TTL keeps the stale ratio within 1e-05" <<<"$none" || fail "no 'none meets' line"
grep -q "with delete-on-write" <<<"$none" || fail "no delete-on-write table"

peak="$("$cachelab" ttl "$source_dir/scenarios/flash_sale.yaml" --max-db-peak 50 --candidates 30s --set duration=40s \
         --set invalidation=ttl-only -o "$work/peak" --jobs 2)"
echo "$peak"
grep -q "database peak <= 50 reads/s" <<<"$peak" || fail "no database budget in the class header"
grep -q "lease .* 20 " <<<"$peak" || fail "no lease row with a peak of 20"
grep -q "none .* over budget" <<<"$peak" || fail "no protection must be over the database budget"
grep -q "^  choose ttl 30s with protection serve-stale" <<<"$peak" || fail "serve-stale not chosen"
head -1 "$work/peak/ttl.csv" | grep -q ",protection,peak_origin_reads_per_s,wait_p99_ms$" || fail "ttl.csv protection columns"

set +e
"$cachelab" ttl "$source_dir/scenarios/product_catalog.yaml" --max-stale-ratio 2 2>/dev/null; [ $? = 2 ] || fail "budget 2 must exit 2"
"$cachelab" ttl "$work/missing.yaml" --max-stale-ratio 0.1 2>/dev/null; [ $? = 2 ] || fail "missing scenario must exit 2"
"$cachelab" ttl "$source_dir/scenarios/product_catalog.yaml" --max-stale-ratio 0.1 --candidates 1x 2>/dev/null; [ $? = 2 ] || fail "bad candidate must exit 2"
"$cachelab" ttl "$source_dir/scenarios/product_catalog.yaml" 2>/dev/null; [ $? = 2 ] || fail "missing budget must exit 2"
"$cachelab" ttl "$source_dir/scenarios/product_catalog.yaml" --max-db-peak -3 2>/dev/null; [ $? = 2 ] || fail "negative peak must exit 2"
echo OK
