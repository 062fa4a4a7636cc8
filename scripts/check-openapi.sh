#!/usr/bin/env bash
# Validates the server's /openapi.json against the OpenAPI 3 specification (PyPI
# openapi-spec-validator), on a real `servefit serve`.
#   scripts/check-openapi.sh [servefit-binary]
set -euo pipefail
BIN=${1:-.build/debug/servefit}
python3 -c "import openapi_spec_validator" 2>/dev/null || python3 -m pip install -q openapi-spec-validator >/dev/null 2>&1 || {
  echo "check-openapi: openapi-spec-validator not installable here; skipped" >&2; exit 0; }
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
SERVEFIT_DB="$WORK/catalog.sqlite" "$BIN" serve --port 0 --log-level warning > "$WORK/serve.out" &
SERVER=$!
for _ in $(seq 1 100); do grep -q "serving http" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(grep -o 'http://[^ ]*' "$WORK/serve.out")
python3 - "$BASE/openapi.json" <<'PY'
import json, sys, urllib.request
from openapi_spec_validator import validate
doc = json.load(urllib.request.urlopen(sys.argv[1]))
validate(doc)
print(f"check-openapi: ok ({sum(len(v) for v in doc['paths'].values())} operations, OpenAPI {doc['openapi']})")
PY
