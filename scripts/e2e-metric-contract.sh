#!/usr/bin/env bash
# The live metric contract, run by scripts/e2e-docker.sh while the example
# service runs: starts Debian's Prometheus on 127.0.0.1 (a free port) with the
# stack's own `kubernetes-pods` job and relabeling from dist/ (pod discovery
# replaced by a static target carrying the example pod's labels and
# prometheus.io annotations, since Debian builds Prometheus without
# Kubernetes discovery) and the stack's rules; lets it scrape; then checks
# through its HTTP API that every metric and label used by the built-in
# alerts and the dashboard panels exists in the service's series, and that
# every rule evaluates without error.
#
# Usage: e2e-metric-contract.sh <host:port of the running service>
# Exit codes: 0 passed, 1 failed.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:?usage: e2e-metric-contract.sh <host:port of the running service>}

if ! command -v prometheus >/dev/null; then
  echo "== installing prometheus (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends prometheus >/dev/null
fi

WORK=$(mktemp -d /tmp/e2e-metric-contract.XXXXXX)
PROM_PID=
cleanup() {
  if [ -n "$PROM_PID" ]; then
    kill "$PROM_PID" 2>/dev/null || true
    wait "$PROM_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

node --import tsx scripts/observability-tools.ts contract-config dist "$WORK" "$TARGET" >/dev/null
promtool check config "$WORK/prometheus.yml" >/dev/null
PROM_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
echo "== contract: $(prometheus --version 2>&1 | head -1) on 127.0.0.1:$PROM_PORT, scraping $TARGET through the stack's kubernetes-pods job"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break
  kill -0 "$PROM_PID" 2>/dev/null || { cat "$WORK/prometheus.log" >&2; echo "prometheus exited" >&2; exit 1; }
  sleep 0.5
done
if ! node --import tsx scripts/observability-tools.ts contract-check "http://127.0.0.1:$PROM_PORT" "$WORK"; then
  tail -20 "$WORK/prometheus.log" >&2
  exit 1
fi
echo "== contract: ok"
