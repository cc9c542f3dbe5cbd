#!/usr/bin/env bash
# Checks what the observability stack synthesized into dist/ with the real
# Prometheus tools from Debian (packages prometheus, prometheus-alertmanager):
#   - promtool check rules    on every rule group: the self-contained stack's
#                             rule ConfigMaps and operator mode's PrometheusRules
#   - promtool test rules     lib/observability/alert-rules.test.yaml against
#                             each of those rule files, and a check that every
#                             built-in alert has a firing and a quiet test
#   - promtool check config   on each Prometheus config. Debian's promtool is
#                             built without Kubernetes service discovery, so it
#                             checks a copy in which each kubernetes_sd_configs
#                             block is a static target carrying the same
#                             __meta_kubernetes_* labels (the relabeling stays
#                             as synthesized), and in-pod file paths
#                             (service-account token, CA) point at a placeholder
#   - amtool check-config     on each Alertmanager config (receiver secret
#                             files likewise point at a placeholder)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then
  echo "== installing prometheus and prometheus-alertmanager (promtool, amtool)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' services are not wanted here: only their command-line tools.
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends prometheus prometheus-alertmanager >/dev/null
fi
echo "== $(promtool --version 2>&1 | head -1)"
echo "== $(amtool --version 2>&1 | head -1)"

OUT=$(mktemp -d /tmp/ci-observability-tools.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
INDEX=$(node --import tsx scripts/observability-tools.ts extract dist "$OUT")
files() { node -e 'for (const e of JSON.parse(process.argv[1])[process.argv[2]]) console.log(e.file)' "$INDEX" "$1"; }

RULES=$(files rules); PROMETHEUS=$(files prometheus); ALERTMANAGER=$(files alertmanager)
[ -n "$RULES" ] || { echo "no rule groups found in dist/" >&2; exit 1; }
[ -n "$PROMETHEUS" ] || { echo "no Prometheus config found in dist/" >&2; exit 1; }
[ -n "$ALERTMANAGER" ] || { echo "no Alertmanager config found in dist/" >&2; exit 1; }

echo "== promtool check rules"
for f in $RULES; do promtool check rules "$f"; done

echo "== promtool test rules (lib/observability/alert-rules.test.yaml)"
TESTS=lib/observability/alert-rules.test.yaml
for f in $RULES; do
  dir="$OUT/test-$(basename "$f" .yaml)"
  mkdir -p "$dir"
  cp "$TESTS" "$dir/alert-rules.test.yaml"
  cp "$f" "$dir/alerts.yaml"
  echo "-- against $(basename "$f")"
  promtool test rules "$dir/alert-rules.test.yaml"
done
# Every built-in alert needs a test in which it fires and one in which it must not.
node --import tsx scripts/observability-tools.ts coverage "$TESTS" $RULES

echo "== promtool check config (kubernetes_sd_configs replaced by static targets)"
for f in $PROMETHEUS; do promtool check config "$f"; done

echo "== amtool check-config"
for f in $ALERTMANAGER; do amtool check-config "$f"; done
echo "== observability tools: ok"
