#!/usr/bin/env bash
# Generate the greenstat_client package from the spec into OUTDIR (default: generated/greenstat_client).
# The one way generated code comes to be: `make generate` and `make check-generated` both call this.
# SPEC=path overrides the spec (used by the regeneration-safety tests).
# Besides the code, the package bundles the spec as openapi.yaml and as openapi.json (same document).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/generated/greenstat_client}")
spec=$(realpath "${SPEC:-$root/openapi.yaml}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
if ! openapi-python-client generate --path "$spec" --config generator-config.yaml \
    --custom-template-path templates --meta none --overwrite --fail-on-warning \
    --output-path "$work/greenstat_client" >"$work/log" 2>&1; then
  cat "$work/log" >&2
  echo "generate: openapi-python-client failed" >&2
  exit 1
fi
printf '# Marker file for PEP 561\n' >"$work/greenstat_client/py.typed"
cp "$spec" "$work/greenstat_client/openapi.yaml"
# The same document as JSON, so that greenstat_ext/_spec.py reads the limits at run time with no YAML parser.
python - "$spec" "$work/greenstat_client/openapi.json" <<'PY'
import json
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as source:
    document = yaml.safe_load(source)
with open(sys.argv[2], "w", encoding="utf-8") as target:
    json.dump(document, target, indent=2, ensure_ascii=False)
    target.write("\n")
PY
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work/greenstat_client" "$out"
