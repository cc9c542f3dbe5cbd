#!/usr/bin/env bash
# The generated service workflows: after `npm run synth`, the committed ones
# under examples/ must be current, and each must pass the GitHub workflow
# schema (@action-validator/cli, from devDependencies; runs offline).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== generated service workflows: stale check and schema validation"
if ! git diff --exit-code --stat -- examples || [ -n "$(git status --porcelain --untracked-files=all -- examples)" ]; then
  echo "examples/ is stale: run 'npm run synth' and commit the result" >&2
  git status --porcelain --untracked-files=all -- examples >&2
  exit 1
fi
mapfile -t workflows < <(git ls-files 'examples/*/.github/workflows/*.yml')
if [ "${#workflows[@]}" -eq 0 ]; then
  echo "no generated workflow under examples/" >&2
  exit 1
fi
for workflow in "${workflows[@]}"; do
  echo "action-validator $workflow"
  npx --no-install action-validator "$workflow"
done
