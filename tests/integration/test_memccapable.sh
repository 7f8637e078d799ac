#!/usr/bin/env bash
# libmemcached's conformance test, ASCII protocol, against cachelab serve: all 27 tests must pass.
set -euo pipefail
CACHELAB=${1:?usage: test_memccapable.sh PATH_TO_cachelab}
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OUT=$(mktemp -d)
trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$OUT"' EXIT
"$CACHELAB" serve -p "$PORT" -l 127.0.0.1 ${CACHELAB_IO_ENGINE:+--io-engine "$CACHELAB_IO_ENGINE"} >"$OUT/stdout" 2>"$OUT/stderr" &
PID=$!
for _ in $(seq 100); do
  grep -q "^cachelab listening on 127.0.0.1:$PORT$" "$OUT/stdout" && break
  sleep 0.1
done
grep -q "^cachelab listening on 127.0.0.1:$PORT$" "$OUT/stdout" || { echo "server not ready"; cat "$OUT/stderr"; exit 1; }
timeout 120 memccapable -h 127.0.0.1 -p "$PORT" -a | tee "$OUT/result"
passed=$(grep -c '\[pass\]' "$OUT/result" || true)
failed=$(grep -vc '\[pass\]\|All tests passed' "$OUT/result" || true)
echo "passed=$passed failed=$failed"
[ "$passed" -eq 27 ] && grep -q "All tests passed" "$OUT/result"
kill -TERM $PID
wait $PID   # exits 0 on SIGTERM
