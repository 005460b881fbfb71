#!/usr/bin/env bash
# Fail, printing the diff, when TREE (default: generated/greenstat_client) is not exactly what the spec and
# templates generate now. Why a full regeneration and not a hash: the diff tells the reader what drifted.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tree=$(realpath "${1:-$root/generated/greenstat_client}")
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
"$root/scripts/generate.sh" "$fresh/greenstat_client"
if diff -ru -x __pycache__ "$tree" "$fresh/greenstat_client"; then
  echo "check-generated: generated/ matches openapi.yaml and templates/"
else
  echo "check-generated: generated/ differs from a fresh generation: run 'make generate' (never edit it by hand)" >&2
  exit 1
fi
