#!/usr/bin/env bash
# CI steps of the review commands (cdk8s-go-platform graph / diff), called from .ci/run.
#
#   bash scripts/ci-review.sh setup   before the tests: installs Debian's chromium, which the
#                                     browser tests (test/review/browser.test.ts) open the
#                                     pictures in; under CI=true they fail without it.
#   bash scripts/ci-review.sh check   after synth and build: fails on stale docs/graph/ pictures,
#                                     runs the README's graph and diff commands with the built
#                                     CLI, and prints the diff of dist/ against the previous commit.
set -euo pipefail
cd "$(dirname "$0")/.."

CLI="node build/bin/cdk8s-go-platform.js"

setup() {
  if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
    return
  fi
  apt-get update -o DPkg::Lock::Timeout=600
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 chromium
  /usr/bin/chromium --version
}

check() {
  echo "-- docs/graph/ is what 'npm run synth' draws"
  if ! git diff --exit-code --stat -- docs/graph || [ -n "$(git status --porcelain --untracked-files=all -- docs/graph)" ]; then
    echo "docs/graph/ is stale: run 'npm run synth' and commit the result" >&2
    git status --porcelain --untracked-files=all -- docs/graph >&2
    exit 1
  fi

  echo "-- the README's graph commands, with the built CLI"
  local out
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' RETURN
  $CLI graph dist/production --format svg > "$out/production.svg"
  $CLI graph dist/production --format mermaid > "$out/production.mmd"
  $CLI graph dist/staging --format json > "$out/staging.json"
  grep -q '<svg' "$out/production.svg"
  grep -q '^flowchart LR$' "$out/production.mmd"
  node -e 'const g = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (g.nodes.length === 0) process.exit(1);' "$out/staging.json"
  # The README's diff command: staging against production, as a PR comment would show it.
  $CLI diff dist/staging dist/production --format markdown > "$out/diff.md"
  grep -q '^### cdk8s-go-platform diff: production$' "$out/diff.md"

  echo "-- diff of dist/ against the previous commit's dist/"
  local prev
  if ! prev="$(git rev-parse -q --verify 'HEAD~1^{commit}')"; then
    echo "no previous commit (first commit or shallow clone): nothing to compare"
    return
  fi
  if ! git cat-file -e "$prev:dist" 2>/dev/null; then
    echo "the previous commit ($prev) has no dist/: nothing to compare"
    return
  fi
  git archive "$prev" dist | tar -x -C "$out"
  for dir in dist/*/; do
    local env
    env="$(basename "$dir")"
    if ! ls "$dir"*.yaml > /dev/null 2>&1; then
      continue
    fi
    echo "== dist/$env: ${prev:0:12} → working tree"
    if [ -d "$out/dist/$env" ]; then
      $CLI diff "$out/dist/$env" "dist/$env" --format text
    else
      echo "dist/$env is new in this commit"
    fi
  done
}

case "${1:-check}" in
  setup) setup ;;
  check) check ;;
  *) echo "usage: $0 [setup|check]" >&2; exit 2 ;;
esac
