#!/usr/bin/env bash
# Opens the web page of a real `servefit serve` in headless Chromium (Debian's package), checks
# that the ranking table, the bar chart and the catalog table rendered, and saves a screenshot.
#   scripts/check-web-page.sh [servefit-binary] [screenshot.png]
set -euo pipefail
BIN=${1:-.build/debug/servefit}
SHOT=${2:-web-page.png}
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then echo "check-web-page: no chromium (apt-get install -y chromium)" >&2; exit 1; fi
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
# One measured run, so the Measurements tab has a row and a point on its chart.
HERE=$(cd "$(dirname "$0")/.." && pwd)
SERVEFIT_DB="$WORK/catalog.sqlite" "$BIN" measure import "$HERE/Tests/Fixtures/engine-outputs/vllm_bench_serve_result.json" --gpu h100-sxm --gpus 4 > /dev/null
SERVEFIT_DB="$WORK/catalog.sqlite" "$BIN" serve --port 0 --log-level warning > "$WORK/serve.out" &
SERVER=$!
for _ in $(seq 1 100); do grep -q "serving http" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(grep -o 'http://[^ ]*' "$WORK/serve.out")
URL="$BASE/?model=llama-3.1-8b-instruct&max-tpot=50ms&top=10"
FLAGS=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1500 --virtual-time-budget=15000 --user-data-dir="$WORK/profile")
"$CHROME" "${FLAGS[@]}" --dump-dom "$URL" > "$WORK/dom.html" 2>/dev/null
"$CHROME" "${FLAGS[@]}" --screenshot="$SHOT" "$URL" > /dev/null 2>&1
fail() { echo "check-web-page: $1" >&2; exit 1; }
rows=$(grep -o '<tr>' "$WORK/dom.html" | wc -l)
grep -q '<svg[^>]*aria-label="cost per million output tokens"' "$WORK/dom.html" || fail "no bar chart in the page"
grep -q 'deployments shown' "$WORK/dom.html" || fail "the ranking did not run"
grep -Eq '>(rtx-4090|h100-sxm|rtx-5090)<' "$WORK/dom.html" || fail "no GPU in the ranking table"
grep -q 'llama-2-7b' "$WORK/dom.html" || fail "the catalog table is empty"
[ -s "$SHOT" ] || fail "no screenshot written"
# The Measurements tab: the stored run listed, and measured against predicted drawn.
"$CHROME" "${FLAGS[@]}" --dump-dom "$BASE/?tab=measurements" > "$WORK/dom2.html" 2>/dev/null
grep -q '<svg[^>]*aria-label="measured against predicted"' "$WORK/dom2.html" || fail "no measured-against-predicted chart"
grep -q 'output_tokens_per_s 673.9' "$WORK/dom2.html" || fail "the measurement is not listed"
"$CHROME" "${FLAGS[@]}" --screenshot="${SHOT%.png}-measurements.png" "$BASE/?tab=measurements" > /dev/null 2>&1
# At a request rate: replicas and each replica's TTFT and TPOT percentiles.
"$CHROME" "${FLAGS[@]}" --dump-dom "$BASE/?model=llama-3.1-8b-instruct&traffic=20&top=5" > "$WORK/dom3.html" 2>/dev/null
grep -q 'TTFT p50/p90' "$WORK/dom3.html" || fail "no TTFT percentiles at a request rate"
grep -Eq '[0-9] ms / [0-9.]+ (ms|s)<' "$WORK/dom3.html" || fail "no percentile figures at a request rate"
echo "check-web-page: ok ($rows table rows; screenshot $SHOT)"
