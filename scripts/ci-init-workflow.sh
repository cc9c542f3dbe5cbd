#!/usr/bin/env bash
# The GitHub Actions workflow `cdk8s-go-platform init` scaffolds: every `run:`
# script passes ShellCheck (Debian's shellcheck, installed when missing), as
# GitHub runs it (bash -e). Its schema is checked by test/init (action-validator),
# its steps are run by the consumer check (scripts/consumer-check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v shellcheck >/dev/null; then
  echo "== installing shellcheck"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends shellcheck >/dev/null
fi
echo "== init workflow: ShellCheck $(shellcheck --version | sed -n 's/^version: //p') on every run: script"

OUT=$(mktemp -d /tmp/ci-init-workflow.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
node --import tsx -e '
  const fs = require("fs");
  const { initWorkflow } = require("./lib/init/templates");
  for (const [id, job] of Object.entries(initWorkflow().jobs)) {
    job.steps.forEach((step, i) => {
      if ("run" in step) fs.writeFileSync(`${process.argv[1]}/${id}-${String(i).padStart(2, "0")}.sh`, `#!/bin/bash -e\n${step.run}`);
    });
  }
' "$OUT"
for script in "$OUT"/*.sh; do
  echo "shellcheck $(basename "$script")"
  shellcheck "$script"
done
