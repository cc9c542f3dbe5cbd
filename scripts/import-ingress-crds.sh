#!/usr/bin/env bash
# Regenerates the typed classes SecureIngress and the Go workloads build on from
# the CRDs pinned in imports/crds/ (not committed: see imports/README.md for the
# release files to put there):
#
#   imports/gateway.networking.k8s.io.ts   Gateway API v1.5.1, standard channel
#   imports/cert-manager.io.ts             cert-manager v1.21.1, Certificate
#   imports/external-secrets.io.ts         External Secrets Operator v0.16.2, ExternalSecret
#
# Runs offline. After upgrading a CRD file, run this and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."

import() {
  # --save=false: leave cdk8s.yaml alone; the pinned files are the record.
  npx --no-install cdk8s import "imports/crds/$1" --output imports --language typescript --save=false --check-upgrade=false
}

import gateway-api-v1.5.1-standard.yaml
import cert-manager-v1.21.1-certificates.yaml
import external-secrets-v0.16.2-externalsecrets.yaml
