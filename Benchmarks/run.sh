#!/usr/bin/env bash
# Runs every benchmark in a release build and writes Benchmarks/results.md (a Markdown table with
# the machine it ran on). Not part of `swift test`. Takes 10-20 minutes with the scale section.
#   Benchmarks/run.sh            # all
#   Benchmarks/run.sh --quick    # no 100k-model / 1M-price scale section, shorter wrk runs
#   Benchmarks/run.sh server     # only the server rows (SQLite, PostgreSQL 1 and 2 replicas) into $OUT_SERVER
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
[ "$QUICK" = "server" ] && OUT=${OUT_SERVER:-Benchmarks/results-server.md}
SCRATCH=${SERVEFIT_BENCH_SCRATCH:-.build}
command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk >/dev/null 2>&1 || true; }
swift build -c release --scratch-path "$SCRATCH" --product servefit >/dev/null
swift build -c release --scratch-path "$SCRATCH" --product servefit-bench >/dev/null
BIN="$SCRATCH/release"
TMP=$(mktemp -d)
trap 'for p in $(cat "$TMP/pids" 2>/dev/null); do kill "$p" 2>/dev/null; done; rm -rf "$TMP" /tmp/servefit-bench-*' EXIT
{
  echo "# servefit benchmarks"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM,"
  echo "$(swift --version 2>/dev/null | head -1), release build. Reproduce: \`Benchmarks/run.sh\`."
  echo
} > "$OUT"
SECTIONS="estimator rank scale-rank rank-2000 import cold-start"
[ "$QUICK" = "--quick" ] || SECTIONS="$SECTIONS scale"
[ "$QUICK" = "server" ] || "$BIN/servefit-bench" $SECTIONS >> "$OUT"

# The server under wrk on loopback: reads, estimate and rank, on SQLite (one server) and on
# PostgreSQL with one and two replicas (one wrk per replica, as a load balancer would spread the
# connections; requests/s summed). PostgreSQL rows need its server binaries (scripts/pg-throwaway.sh).
start_server() {  # DB LOG: starts a server (its pid kept in $TMP/pids); its base URL in LOG.url
  SERVEFIT_DB="$1" "$BIN/servefit" serve --port 0 --log-level error > "$2" &
  echo $! >> "$TMP/pids"
  for _ in $(seq 1 100); do grep -q "serving http" "$2" 2>/dev/null && break; sleep 0.1; done
  grep -o 'http://[^ ]*' "$2" > "$2.url"
}
stop_servers() {
  for p in $(cat "$TMP/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -f "$TMP/pids"
}
wrk_row() {  # LABEL PATH SCRIPT BASE... : one wrk per base URL at once, 64 connections in all
  local label=$1 path=$2 script=$3; shift 3
  local n=$# i=0 conns=$((64 / $#)) pids=()
  for base in "$@"; do
    args=(-t$((4 / n > 0 ? 4 / n : 1)) -c$conns -d"$DUR" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    wrk "${args[@]}" "$base$path" > "$TMP/wrk.$i" &
    pids+=($!)
    i=$((i + 1))
  done
  wait "${pids[@]}"
  local rps p50 p99 errs
  rps=$(cat "$TMP"/wrk.* | awk '/Requests\/sec/{s+=$2} END{printf "%.1f", s}')
  p50=$(cat "$TMP"/wrk.* | awk '$1=="50%"{print $2}' | paste -sd/ -)
  p99=$(cat "$TMP"/wrk.* | awk '$1=="99%"{print $2}' | paste -sd/ -)
  errs=$(cat "$TMP"/wrk.* | awk '/Non-2xx|Socket errors/{print}' | tr '\n' ' ')
  rm -f "$TMP"/wrk.*
  echo "| $label | $rps | $p50 | $p99 | ${errs:-none} |" >> "$OUT"
}
server_rows() {  # BACKEND-LABEL BASE...
  local backend=$1; shift
  wrk_row "$backend: GET /v1/gpus/h100-sxm" "/v1/gpus/h100-sxm" "" "$@"
  wrk_row "$backend: GET /v1/models?family=llama" "/v1/models?family=llama" "" "$@"
  wrk_row "$backend: POST /v1/estimate" "/v1/estimate" "$TMP/estimate.lua" "$@"
  wrk_row "$backend: GET /v1/rank (llama-3.1-8b-instruct, full catalog)" "/v1/rank?model=llama-3.1-8b-instruct&max-tpot=50ms&top=5" "" "$@"
}
if command -v wrk >/dev/null 2>&1; then
  DUR=${WRK_DURATION:-10s}; [ "$QUICK" = "--quick" ] && DUR=5s
  cat > "$TMP/estimate.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model": "llama-3.1-70b", "weights": "fp8", "gpu": "h100-sxm", "gpus": 2, "context": 8192, "batch": 16}'
LUA
  echo >> "$OUT"
  echo "| server (wrk, 64 connections in all, $DUR; p50/p99 per replica) | requests/s | p50 | p99 | errors |" >> "$OUT"
  echo "|---|---|---|---|---|" >> "$OUT"
  start_server "$TMP/catalog.sqlite" "$TMP/serve.out"
  server_rows "SQLite, 1 server" "$(cat "$TMP/serve.out.url")"
  stop_servers
  if pg=$(scripts/pg-throwaway.sh --watch $$ 2>/dev/null); then
    PGURL=$(echo "$pg" | head -1)
    SERVEFIT_DB="$PGURL" "$BIN/servefit" db check >/dev/null
    start_server "$PGURL" "$TMP/pg1.out"
    server_rows "PostgreSQL, 1 replica" "$(cat "$TMP/pg1.out.url")"
    stop_servers
    start_server "$PGURL" "$TMP/pg2a.out"; start_server "$PGURL" "$TMP/pg2b.out"
    server_rows "PostgreSQL, 2 replicas" "$(cat "$TMP/pg2a.out.url")" "$(cat "$TMP/pg2b.out.url")"
    stop_servers
  else
    echo "(PostgreSQL server binaries not found: PostgreSQL rows skipped)" >> "$OUT"
  fi
else
  echo "(wrk not installed: server rows skipped)" >> "$OUT"
fi
cat "$OUT"
