#!/usr/bin/env bash
# Runs every benchmark in a release build and writes Benchmarks/results.md (a Markdown table with
# the machine it ran on). Not part of `swift test`. Takes 10-20 minutes with the scale section.
#   Benchmarks/run.sh            # all
#   Benchmarks/run.sh --quick    # no 100k-model / 1M-price scale section, shorter wrk runs
#   Benchmarks/run.sh calibrate  # fit the performance model to Benchmarks/calibration/measurements.json:
#                                # writes Sources/ServefitCore/FittedProfile.swift, Benchmarks/calibration/report.md
#                                # and predicted-vs-measured.svg (about 7 minutes on 2 cores: the fit and one leave-one-source-out fit per source)
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=${1:-}
if [ "$QUICK" = "calibrate" ]; then
  swift build -c release --scratch-path "${SERVEFIT_BENCH_SCRATCH:-.build}" --product servefit-bench >/dev/null
  exec "${SERVEFIT_BENCH_SCRATCH:-.build}/release/servefit-bench" calibrate "${2:-2000}"
fi
OUT=Benchmarks/results.md
SCRATCH=${SERVEFIT_BENCH_SCRATCH:-.build}
command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk >/dev/null 2>&1 || true; }
swift build -c release --scratch-path "$SCRATCH" --product servefit >/dev/null
swift build -c release --scratch-path "$SCRATCH" --product servefit-bench >/dev/null
BIN="$SCRATCH/release"
TMP=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$TMP" /tmp/servefit-bench-*' EXIT
{
  echo "# servefit benchmarks"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM,"
  echo "$(swift --version 2>/dev/null | head -1), release build. Reproduce: \`Benchmarks/run.sh\`."
  echo
} > "$OUT"
SECTIONS="estimator rank scale-rank rank-2000 import cold-start"
[ "$QUICK" = "--quick" ] || SECTIONS="$SECTIONS scale"
"$BIN/servefit-bench" $SECTIONS >> "$OUT"

# The server under wrk on loopback: reads, estimate and rank.
if command -v wrk >/dev/null 2>&1; then
  DUR=${WRK_DURATION:-10s}; [ "$QUICK" = "--quick" ] && DUR=5s
  SERVEFIT_DB="$TMP/catalog.sqlite" "$BIN/servefit" serve --port 0 --log-level error > "$TMP/serve.out" &
  SERVER=$!
  for _ in $(seq 1 100); do grep -q "serving http" "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
  BASE=$(grep -o 'http://[^ ]*' "$TMP/serve.out")
  cat > "$TMP/estimate.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model": "llama-3.1-70b", "weights": "fp8", "gpu": "h100-sxm", "gpus": 2, "context": 8192, "batch": 16}'
LUA
  echo >> "$OUT"
  echo "| server (wrk, 4 threads, 64 connections, $DUR) | requests/s | p50 | p99 | errors |" >> "$OUT"
  echo "|---|---|---|---|---|" >> "$OUT"
  for case in "GET /v1/gpus/h100-sxm|$BASE/v1/gpus/h100-sxm|" "GET /v1/models?family=llama|$BASE/v1/models?family=llama|" \
              "POST /v1/estimate|$BASE/v1/estimate|$TMP/estimate.lua" \
              "GET /v1/rank (llama-3.1-8b-instruct, full catalog)|$BASE/v1/rank?model=llama-3.1-8b-instruct&max-tpot=50ms&top=5|"; do
    IFS='|' read -r name url script <<< "$case"
    args=(-t4 -c64 -d"$DUR" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    res=$(wrk "${args[@]}" "$url")
    rps=$(echo "$res" | awk '/Requests\/sec/{print $2}')
    p50=$(echo "$res" | awk '$1=="50%"{print $2}')
    p99=$(echo "$res" | awk '$1=="99%"{print $2}')
    errs=$(echo "$res" | awk '/Non-2xx|Socket errors/{print}' | tr '\n' ' ')
    echo "| $name | $rps | $p50 | $p99 | ${errs:-none} |" >> "$OUT"
  done
else
  echo "(wrk not installed: server rows skipped)" >> "$OUT"
fi
cat "$OUT"
