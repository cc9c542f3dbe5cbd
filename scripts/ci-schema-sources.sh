#!/usr/bin/env bash
# The policy gate's generated schemas are reproducible from their pinned npm
# sources: regenerate both (fetching the pinned tarballs with `npm pack` and
# checking their integrity) and fail when the committed files differ.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent policy:kubernetes-schemas
npm run --silent policy:validators
if ! git diff --exit-code --stat -- lib/policy/schema; then
  echo "lib/policy/schema is stale: run 'npm run policy:kubernetes-schemas && npm run policy:validators' and commit the result" >&2
  exit 1
fi
