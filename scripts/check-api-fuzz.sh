#!/usr/bin/env bash
# Property-based check of the HTTP API against its own OpenAPI document with schemathesis
# (PyPI): every check, a fixed seed and a bounded number of examples per operation, against a
# live `servefit serve` on a throwaway catalog. Any finding fails the run.
#   scripts/check-api-fuzz.sh .build/debug/servefit [examples-per-operation]
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
examples=${2:-25}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q schemathesis==4.32.5
"$bin" db migrate --db "$work/api.sqlite" >/dev/null
token=$("$bin" token create --name fuzz --role admin --db "$work/api.sqlite" 2>/dev/null | grep -o 'sft_[0-9a-f]*')
HF_HUB_OFFLINE=1 HF_HUB_CACHE="$work/hf-cache" "$bin" serve --db "$work/api.sqlite" --port 0 --log-level error > "$work/serve.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -qo 'http://127.0.0.1:[0-9]*' "$work/serve.out" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" | head -1)
[ -n "$url" ] || { echo "server did not start"; cat "$work/serve.out"; exit 1; }
cd "$work"
schemathesis --config-file "$here/schemathesis.toml" run "$url/openapi.json" --checks all -H "Authorization: Bearer $token" \
    --seed 20261201 --max-examples "$examples" --no-color
