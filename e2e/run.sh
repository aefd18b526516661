#!/usr/bin/env bash
# The end-to-end suite against a real control plane (kube-apiserver, etcd, kube-controller-manager built from the
# Kubernetes Go modules; see e2e/README.md). Builds the operator, runs the whole Maven build with the e2e profile
# (unit and mock tests first, then e2e/), and stops every process it started, whatever happens.
# Extra arguments go to Maven, e.g.  e2e/run.sh -Dit.test=ExamplesIT
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  echo "e2e/run.sh: Go is required to build the control plane (kube-apiserver, etcd, ...) from source." >&2
  echo "  Install Go $(awk '$1=="go"{print $2}' e2e/tools/kubernetes/go.mod) or newer, or run only the unit and mock" >&2
  echo "  suites with: mvn -B verify" >&2
  exit 3
fi
trap 'bash e2e/control-plane.sh stop' EXIT
start=$SECONDS
mvn -B verify -Pe2e "$@"
echo "e2e/run.sh: whole suite in $((SECONDS - start)) s; operator requests: e2e/target/operator-requests.txt"
