#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for the end-to-end tests: etcd, kube-apiserver and
# kube-controller-manager, built from the Kubernetes Go modules pinned in e2e/tools/ (no images, no
# container engine, no kubelet; the tests bring a fake kubelet). See e2e/README.md.
#
#   e2e/control-plane.sh build              build the binaries into the cache (once per version)
#   e2e/control-plane.sh start              build if needed, start everything, wait until it serves
#   e2e/control-plane.sh stop               stop everything this script started
#   e2e/control-plane.sh restart-apiserver  stop and start kube-apiserver only (etcd keeps the data)
#   e2e/control-plane.sh env                print `export` lines: KUBECONFIG and PATH (kubectl, helm)
#   e2e/control-plane.sh status             what runs, with pids
#
# Environment (all optional):
#   GRACEFUL_E2E_CACHE   binary cache, default ~/.cache/graceful-operator/e2e (keyed by version inside)
#   GRACEFUL_E2E_STATE   certificates, etcd data, logs, pids; default e2e/target/control-plane
#   GRACEFUL_E2E_APISERVER_PORT / _ETCD_PORT / _KCM_PORT   loopback ports (defaults 16443, 12379, 10357)
#   GRACEFUL_E2E_CONTROLLERS  kube-controller-manager --controllers list; "none" starts no controller manager
#                             (the scale benchmark: no ReplicaSets, only the API server's own cost)
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_TOOLS="$E2E_DIR/tools/kubernetes"
HELM_TOOLS="$E2E_DIR/tools/helm"
CACHE_ROOT="${GRACEFUL_E2E_CACHE:-$HOME/.cache/graceful-operator/e2e}"
STATE="${GRACEFUL_E2E_STATE:-$E2E_DIR/target/control-plane}"
APISERVER_PORT="${GRACEFUL_E2E_APISERVER_PORT:-16443}"
ETCD_PORT="${GRACEFUL_E2E_ETCD_PORT:-12379}"
ETCD_PEER_PORT=$((ETCD_PORT + 1))
KCM_PORT="${GRACEFUL_E2E_KCM_PORT:-10357}"
WAIT_SECONDS="${GRACEFUL_E2E_WAIT_SECONDS:-120}"
CONTROLLERS="${GRACEFUL_E2E_CONTROLLERS:-deployment-controller,replicaset-controller,statefulset-controller,daemonset-controller,endpointslice-controller,endpoints-controller,namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller,clusterrole-aggregation-controller}"

# Bump when the way binaries are built changes (flags, stamping): the cache key includes it.
BUILD_RECIPE=2

log() { printf '[control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

module_version() { # the version of module $2 required by go.mod $1
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1"
}

require_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed (the end-to-end tests build kube-apiserver, \
kube-controller-manager, etcd, kubectl and helm from source; install Go >= $(awk '$1=="go"{print $2}' "$K8S_TOOLS/go.mod"), \
or skip the end-to-end suite by running 'mvn -B verify' without -Pe2e)"
}

# The cache key: the pinned release plus a digest of the module files, so a changed pin never reuses
# stale binaries, and the Go version, whose toolchain is part of the binary.
cache_dir() { # $1 = tools dir, $2 = name, $3 = main module
  local version digest gov
  version="$(module_version "$1/go.mod" "$3")"
  digest="$( (cat "$1/go.mod" "$1/go.sum"; echo "$BUILD_RECIPE") | sha256sum | cut -c1-12)"
  gov="$(go env GOVERSION 2>/dev/null || echo unknown)"
  echo "$CACHE_ROOT/$2-$version-$gov-$digest"
}

build_into() { # $1 = tools dir, $2 = cache dir, $3 = extra -ldflags, $4.. = packages
  local tools="$1" dir="$2" ldflags="$3"; shift 3
  if [[ -f "$dir/.complete" ]]; then
    log "cached: $dir"
    return
  fi
  local start=$SECONDS
  log "building $* into $dir (first time for this version; ~10-25 min on 2 cores)"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/bin"
  (cd "$tools" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w $ldflags" -o "$dir.tmp/bin/" "$@") \
    || die "go build failed in $tools for: $* (see the output above)"
  # go names the etcd binary after its module path without the major version suffix
  [[ -x "$dir.tmp/bin/server" ]] && mv "$dir.tmp/bin/server" "$dir.tmp/bin/etcd"
  touch "$dir.tmp/.complete"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  log "built in $((SECONDS - start)) s: $(ls "$dir/bin" | tr '\n' ' ')"
}

k8s_bin() { echo "$(cache_dir "$K8S_TOOLS" kubernetes k8s.io/kubernetes)/bin"; }
helm_bin() { echo "$(cache_dir "$HELM_TOOLS" helm helm.sh/helm/v3)/bin"; }

# What `make` in the Kubernetes repository stamps into its binaries (hack/lib/version.sh): without it the API
# server reports v0.0.0-master, and clients that decide by server version (the operator's action Auto) misjudge it.
k8s_version_ldflags() {
  local v major minor flags="" pkg
  v="$(module_version "$K8S_TOOLS/go.mod" k8s.io/kubernetes)"
  major="${v#v}"; major="${major%%.*}"
  minor="${v#v*.}"; minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

cmd_build() {
  require_go
  mkdir -p "$CACHE_ROOT"
  build_into "$K8S_TOOLS" "$(cache_dir "$K8S_TOOLS" kubernetes k8s.io/kubernetes)" "$(k8s_version_ldflags)" \
    go.etcd.io/etcd/server/v3 k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
  build_into "$HELM_TOOLS" "$(cache_dir "$HELM_TOOLS" helm helm.sh/helm/v3)" "" helm.sh/helm/v3/cmd/helm
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # $1 = what, $2 = seconds, $3.. = command that succeeds when ready
  local what="$1" limit="$2"; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    local pidfile="$STATE/pids/$what"
    if [[ -f "$pidfile" ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      die "$what exited; last lines of its log:
$(tail -n 30 "$STATE/logs/$what.log" 2>/dev/null)"
    fi
    if (( SECONDS - start >= limit )); then
      die "$what not ready after ${limit} s; last lines of its log:
$(tail -n 30 "$STATE/logs/$what.log" 2>/dev/null)"
    fi
    sleep 0.5
  done
  log "$what ready after $((SECONDS - start)) s"
}

certs() {
  local pki="$STATE/pki"
  [[ -f "$pki/.complete" ]] && return
  rm -rf "$pki" && mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=graceful-e2e-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    sign() { # $1 = name, $2 = subject, $3 = extensions
      openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
      printf '%s\n' "$3" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    }
    sign apiserver "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
keyUsage=digitalSignature,keyEncipherment"
    sign admin "/O=system:masters/CN=e2e-admin" "extendedKeyUsage=clientAuth
keyUsage=digitalSignature,keyEncipherment"
    sign controller-manager "/CN=system:kube-controller-manager" "extendedKeyUsage=clientAuth
keyUsage=digitalSignature,keyEncipherment"
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    touch .complete
  )
}

kubeconfig() { # $1 = file, $2 = user cert name
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $STATE/pki/ca.crt
users:
- name: $2
  user:
    client-certificate: $STATE/pki/$2.crt
    client-key: $STATE/pki/$2.key
contexts:
- name: e2e
  context: {cluster: e2e, user: $2}
current-context: e2e
EOF
}

start_process() { # $1 = name, $2.. = command line
  local name="$1"; shift
  "$@" </dev/null >"$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/pids/$name"
  log "started $name (pid $!), log: $STATE/logs/$name.log"
}

stop_process() { # $1 = name
  local pidfile="$STATE/pids/$1" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$pidfile"
}

# Every request of a service account of the namespace graceful-system (the chart's identity, which the
# tests run the operator jar with) is audited: the tests count requests by verb and resource, and 403s.
audit_policy() {
  cat > "$STATE/audit-policy.yaml" <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  userGroups: ["system:serviceaccounts:graceful-system"]
- level: None
EOF
}

start_apiserver() {
  local kb; kb="$(k8s_bin)"
  audit_policy
  port_free "$APISERVER_PORT" || die "port $APISERVER_PORT is taken (set GRACEFUL_E2E_APISERVER_PORT)"
  start_process kube-apiserver "$kb/kube-apiserver" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --endpoint-reconciler-type=none \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --cert-dir="$STATE/pki" \
    --tls-cert-file="$STATE/pki/apiserver.crt" --tls-private-key-file="$STATE/pki/apiserver.key" \
    --client-ca-file="$STATE/pki/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$STATE/pki/sa.pub" \
    --service-account-signing-key-file="$STATE/pki/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --allow-privileged=false \
    --profiling=false \
    --audit-policy-file="$STATE/audit-policy.yaml" --audit-log-path="$STATE/logs/audit.log" \
    --audit-log-mode=blocking-strict --audit-log-format=json --audit-log-maxsize=0 \
    --max-requests-inflight="${GRACEFUL_E2E_MAX_REQUESTS_INFLIGHT:-400}" \
    --max-mutating-requests-inflight="${GRACEFUL_E2E_MAX_MUTATING_INFLIGHT:-200}"
  wait_for kube-apiserver "$WAIT_SECONDS" "$kb/kubectl" --kubeconfig "$STATE/admin.kubeconfig" \
    get --raw /readyz
}

cmd_start() {
  cmd_build
  local kb; kb="$(k8s_bin)"
  if [[ -f "$STATE/pids/kube-apiserver" ]] && kill -0 "$(cat "$STATE/pids/kube-apiserver")" 2>/dev/null; then
    log "already running (e2e/control-plane.sh stop first)"
    return
  fi
  mkdir -p "$STATE/logs" "$STATE/pids"
  # a start that fails half-way leaves nothing running
  trap 'log "start failed: stopping what was started"; cmd_stop' EXIT
  certs
  kubeconfig "$STATE/admin.kubeconfig" admin
  kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager
  local start=$SECONDS

  port_free "$ETCD_PORT" || die "port $ETCD_PORT is taken (set GRACEFUL_E2E_ETCD_PORT)"
  port_free "$ETCD_PEER_PORT" || die "port $ETCD_PEER_PORT is taken (set GRACEFUL_E2E_ETCD_PORT)"
  # fresh data on every start: tests expect an empty cluster; restart-apiserver keeps it
  rm -rf "$STATE/etcd"
  start_process etcd "$kb/etcd" --name=e2e --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --quota-backend-bytes=8589934592 --log-level=warn
  wait_for etcd "$WAIT_SECONDS" bash -c "exec 3<>/dev/tcp/127.0.0.1/$ETCD_PORT"

  start_apiserver

  if [[ "$CONTROLLERS" == none ]]; then
    trap - EXIT
    log "control plane up in $((SECONDS - start)) s, without a controller manager (GRACEFUL_E2E_CONTROLLERS=none)"
    return
  fi
  port_free "$KCM_PORT" || die "port $KCM_PORT is taken (set GRACEFUL_E2E_KCM_PORT)"
  start_process kube-controller-manager "$kb/kube-controller-manager" \
    --kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$STATE/pki/kcm" \
    --leader-elect=false \
    --controllers="$CONTROLLERS" \
    --service-account-private-key-file="$STATE/pki/sa.key" --root-ca-file="$STATE/pki/ca.crt" \
    --use-service-account-credentials=true \
    --kube-api-qps="${GRACEFUL_E2E_KCM_QPS:-200}" --kube-api-burst="${GRACEFUL_E2E_KCM_BURST:-400}" \
    --concurrent-deployment-syncs=10 --concurrent-replicaset-syncs=10
  # ready when the service account controller has done its first pass
  wait_for kube-controller-manager "$WAIT_SECONDS" "$kb/kubectl" --kubeconfig "$STATE/admin.kubeconfig" \
    -n default get serviceaccount default
  log "control plane up in $((SECONDS - start)) s: $("$kb/kubectl" --kubeconfig "$STATE/admin.kubeconfig" version 2>/dev/null | tail -1)"
  trap - EXIT
  log "use it with: eval \"\$($0 env)\""
}

cmd_stop() {
  [[ -d "$STATE/pids" ]] || return 0
  stop_process kube-controller-manager
  stop_process kube-apiserver
  stop_process etcd
}

cmd_restart_apiserver() {
  stop_process kube-apiserver
  start_apiserver
}

cmd_env() {
  require_go
  echo "export KUBECONFIG='$STATE/admin.kubeconfig'"
  echo "export PATH='$(k8s_bin):$(helm_bin):'\"\$PATH\""
  echo "export GRACEFUL_E2E_STATE='$STATE'"
  echo "export GRACEFUL_E2E_K8S_BIN='$(k8s_bin)'"
  echo "export GRACEFUL_E2E_HELM_BIN='$(helm_bin)'"
}

cmd_status() {
  for name in etcd kube-apiserver kube-controller-manager; do
    local pidfile="$STATE/pids/$name"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "$name running (pid $(cat "$pidfile"))"
    else
      echo "$name not running"
    fi
  done
}

case "${1:-}" in
  build) cmd_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart-apiserver) cmd_restart_apiserver ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *) echo "usage: $0 build|start|stop|restart-apiserver|env|status" >&2; exit 2 ;;
esac
