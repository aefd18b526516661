#!/usr/bin/env bash
# Proves the container image works without a container engine: unpacks the OCI tarball Jib wrote into a root
# filesystem (layers applied in manifest order, digests checked), and runs the image's own entrypoint, user,
# environment and working directory from it with chroot, in new mount and PID namespaces with /proc mounted, the
# root filesystem read-only and an empty /tmp (as the Helm chart runs it: readOnlyRootFilesystem + emptyDir /tmp):
#
#   1. `<entrypoint> --version` prints "graceful-operator <version>" and exits 0;
#   2. the operator, against the demo's embedded API server on the host (java -jar graceful-demo.jar --serve-only;
#      same network namespace, 127.0.0.1), becomes ready on /readyz, reconciles the examples' workloads and,
#      on SIGTERM, exits 0.
#
# Prints the image tarball's size, the unpacked root filesystem's size and the times from start to /readyz, to the
# first reconciled Deployment and to convergence.
#
#   image/prove.sh [IMAGE_TAR] [DEMO_JAR]     (defaults: operator/target/graceful-operator-image.tar,
#                                              demo/target/graceful-demo.jar; needs root: chroot, unshare, mount)
set -euo pipefail
cd "$(dirname "$0")/.."
image_tar=$(readlink -f "${1:-operator/target/graceful-operator-image.tar}")
demo_jar=$(readlink -f "${2:-demo/target/graceful-demo.jar}")
[[ $(id -u) == 0 ]] || { echo "prove: needs root (chroot, unshare, mount)" >&2; exit 1; }
[[ -f $image_tar ]] || { echo "prove: no $image_tar; build it: mvn -B -Pimage -pl operator -am package -DskipTests" >&2; exit 1; }
[[ -f $demo_jar ]] || { echo "prove: no $demo_jar; build it: mvn -B -pl demo -am package -DskipTests" >&2; exit 1; }

t0=$SECONDS
tmp=$(mktemp -d /tmp/graceful-prove.XXXXXX)
root=$tmp/rootfs
demo_pid=
op_pid=
cleanup() {
  local pid
  # the operator's namespace dies with its unshare (--kill-child); the demo is a plain child of this script
  for pid in $op_pid $demo_pid; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # mounts live in the operator's private mount namespace and vanish with it: nothing is mounted here
  rm -rf "$tmp"
}
trap cleanup EXIT
ms() { date +%s%3N; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }

echo "== prove: unpack $image_tar"
mkdir -p "$tmp/oci" "$root"
tar -xf "$image_tar" -C "$tmp/oci"
blob() { echo "$tmp/oci/blobs/${1/://}"; }
manifest=$(blob "$(json "$tmp/oci/index.json" 'print(d["manifests"][0]["digest"]) if len(d["manifests"]) == 1 else sys.exit("expected one manifest")')")
config=$(blob "$(json "$manifest" 'print(d["config"]["digest"])')")
layers=$(json "$manifest" 'print("\n".join(l["digest"] + " " + l["mediaType"] for l in d["layers"]))')
while read -r digest media; do
  file=$(blob "$digest")
  [[ $(sha256sum "$file" | cut -d' ' -f1) == "${digest#sha256:}" ]] || { echo "prove: $digest: digest mismatch" >&2; exit 1; }
  case $media in
    *tar+gzip) z=-z ;;
    *tar) z= ;;
    *) echo "prove: layer media type $media not handled" >&2; exit 1 ;;
  esac
  # Whiteouts (.wh.*) would delete files of lower layers; Jib's layers only add files, so none are expected and
  # applying them is not implemented: refuse rather than build a wrong root filesystem.
  if tar $z --warning=no-unknown-keyword -tf "$file" | grep -q '\(^\|/\)\.wh\.'; then
    echo "prove: layer $digest has whiteout entries, which this script does not apply" >&2; exit 1
  fi
  # (Jib writes libarchive pax keywords GNU tar does not know: harmless, not worth a warning per file)
  tar $z --warning=no-unknown-keyword -xf "$file" -C "$root" --numeric-owner --same-permissions
done <<< "$layers"

# The image's run configuration, as a runtime reads it.
mapfile -t entrypoint < <(json "$config" 'c=d["config"]; print("\n".join((c.get("Entrypoint") or []) + (c.get("Cmd") or [])))')
mapfile -t env < <(json "$config" 'print("\n".join(d["config"].get("Env") or []))')
user=$(json "$config" 'print(d["config"].get("User") or "0:0")')
workdir=$(json "$config" 'print(d["config"].get("WorkingDir") or "/")')
labels=$(json "$config" 'print(" ".join(k.split(".")[-1] + "=" + v for k, v in sorted((d["config"].get("Labels") or {}).items())))')
echo "prove: entrypoint: ${entrypoint[*]}"
echo "prove: user $user, workdir $workdir, env: ${env[*]}"
echo "prove: labels: $labels"
# chroot starts in / and the image has no shell to cd elsewhere: another WorkingDir is not supported here.
[[ $workdir == / ]] || { echo "prove: WorkingDir $workdir: only / is supported by this script" >&2; exit 1; }
[[ $user == 65532:65532 ]] || { echo "prove: image user is $user, expected 65532:65532" >&2; exit 1; }
[[ -x $root/bin/sleep ]] || { echo "prove: no /bin/sleep (the chart's exec preStop fallback needs it)" >&2; exit 1; }
image_mb=$(( $(stat -c %s "$image_tar") * 10 / 1048576 ))
rootfs_mb=$(du -sm "$root" | cut -f1)
# What the kubelet bind-mounts into every container: /etc/hosts naming the pod, /etc/hostname, /etc/resolv.conf
# (the image has none of them); written into this unpacked copy. The host name is set in the namespace (unshare
# --uts), as a pod's is.
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\tgraceful-prove\n' > "$root/etc/hosts"
echo graceful-prove > "$root/etc/hostname"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# run_in_image OUTPUT_FILE ENV... -- ARGS...: the image's entrypoint with ARGS appended, as its user, in the
# background; sets run_pid to the unshare process (whose exit status is the entrypoint's).
run_in_image() {
  local out=$1; shift
  local extra=()
  while [[ $1 != -- ]]; do extra+=("$1"); shift; done
  shift
  # HOME as a runtime sets it from the image's /etc/passwd; a clean environment otherwise.
  # shellcheck disable=SC2016  # the single-quoted script runs in the namespace's bash, with its own arguments
  env -i "${env[@]}" HOME=/home/nonroot HOSTNAME=graceful-prove "${extra[@]}" \
    "$(command -v unshare)" --mount --pid --uts --fork --kill-child -- bash -c '
      set -e
      root=$1; user=$2; shift 2
      hostname graceful-prove
      mount --bind "$root" "$root" && mount -o remount,bind,ro "$root"  # readOnlyRootFilesystem: true
      mount -t proc proc "$root/proc"   # glibc resolves the JVM'"'"'s $ORIGIN library path through /proc/self/exe
      mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"          # the chart mounts an emptyDir at /tmp
      # /dev as a runtime fills it (the OCI default devices): without /dev/urandom the JVM seeds SecureRandom
      # by timing threads, which costs seconds at start-up
      mount -t tmpfs -o mode=755,size=64k tmpfs "$root/dev"
      for d in null zero full random urandom tty; do
        touch "$root/dev/$d" && mount --bind "/dev/$d" "$root/dev/$d"
      done
      ln -s /proc/self/fd "$root/dev/fd" && ln -s /proc/self/fd/0 "$root/dev/stdin"
      ln -s /proc/self/fd/1 "$root/dev/stdout" && ln -s /proc/self/fd/2 "$root/dev/stderr"
      exec chroot --userspec="$user" "$root" "$@"' \
    prove "$root" "$user" "${entrypoint[@]}" "$@" > "$out" 2>&1 &
  run_pid=$!
}

# await SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s; fails after SECONDS.
await() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if (( SECONDS >= deadline )); then echo "prove: timed out after ${limit} s waiting for $what" >&2; return 1; fi
    sleep 0.2
  done
}
alive() { kill -0 "$1" 2>/dev/null; }
show() { echo "---- $1"; tail -n "${3:-60}" "$2" || true; echo "----"; }

echo "== prove: ${entrypoint[*]} --version (root filesystem read-only, user $user)"
run_in_image "$tmp/version.log" -- --version
op_pid=$run_pid
await 60 "--version to exit" bash -c "! kill -0 $op_pid 2>/dev/null" || { show "--version output" "$tmp/version.log"; exit 1; }
code=0; wait "$op_pid" || code=$?
op_pid=
# the JVM announces JAVA_TOOL_OPTIONS ("Picked up ...") on stderr before anything: skip that line
version=$(grep -v '^Picked up JAVA_TOOL_OPTIONS:' "$tmp/version.log" | head -n1)
if [[ $code != 0 || $version != "graceful-operator "* ]]; then
  show "--version output (exit code $code)" "$tmp/version.log"
  echo "prove: FAILED: --version should print 'graceful-operator <version>' and exit 0" >&2
  exit 1
fi
echo "prove: --version: $version (exit 0)"

echo "== prove: the demo's API server on the host"
java -jar "$demo_jar" --serve-only --kubeconfig "$tmp/kubeconfig" --timeout 180 > "$tmp/demo.log" 2>&1 &
demo_pid=$!
await 60 "the demo API server" grep -q '^serve-only: ready ' "$tmp/demo.log" \
  || { show "demo output" "$tmp/demo.log"; exit 1; }
grep '^serve-only: ready ' "$tmp/demo.log"
install -m 0644 "$tmp/kubeconfig" "$root/kubeconfig"   # world-readable: the operator runs as 65532
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo "== prove: the operator from the image (port $port)"
start_ms=$(ms)
run_in_image "$tmp/operator.log" KUBECONFIG=/kubeconfig GRACEFUL_HTTP_PORT="$port" \
  GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS=5 -- 
op_pid=$run_pid
ready() {
  alive "$op_pid" || { echo "prove: the operator exited before /readyz answered 200" >&2; exit 1; }
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz") == 200 ]]
}
await 120 "/readyz" ready || { show "operator output" "$tmp/operator.log"; exit 1; }
ready_ms=$(ms)
echo "prove: /readyz 200 after $((ready_ms - start_ms)) ms"
converged() {
  alive "$demo_pid" || { echo "prove: the demo server exited (operator did not converge in its timeout)" >&2; exit 1; }
  grep -q '^serve-only: converged ' "$tmp/demo.log"
}
await 180 "the examples to converge" converged \
  || { show "demo output" "$tmp/demo.log"; show "operator output" "$tmp/operator.log"; exit 1; }
grep '^serve-only: \(first-reconcile\|converged\) ' "$tmp/demo.log"
first_ms=$(sed -n 's/^serve-only: first-reconcile epoch-ms=\([0-9]*\).*/\1/p' "$tmp/demo.log")
converged_ms=$(sed -n 's/^serve-only: converged epoch-ms=\([0-9]*\).*/\1/p' "$tmp/demo.log")

echo "== prove: SIGTERM"
# the entrypoint is PID 1 of its namespace, the unshare process's only child (exec'd through bash and chroot)
java_pid=$(pgrep -P "$op_pid")
[[ -n $java_pid ]] || { echo "prove: no process under unshare $op_pid" >&2; exit 1; }
kill -TERM "$java_pid"
await 30 "the operator to exit after SIGTERM" bash -c "! kill -0 $op_pid 2>/dev/null" \
  || { show "operator output" "$tmp/operator.log"; exit 1; }
code=0; wait "$op_pid" || code=$?
op_pid=
if [[ $code != 0 ]]; then
  show "operator output (exit code $code)" "$tmp/operator.log"
  echo "prove: FAILED: exit code $code after SIGTERM, expected 0" >&2
  exit 1
fi
echo "prove: exit code 0 after SIGTERM; last log line: $(tail -n1 "$tmp/operator.log")"

echo
echo "== prove: PASSED in $((SECONDS - t0)) s (load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)"
printf '  %-42s %s\n' \
  "image tarball ($(basename "$image_tar"))" "$((image_mb / 10)).$((image_mb % 10)) MiB" \
  "unpacked root filesystem" "$rootfs_mb MiB" \
  "start -> /readyz 200" "$((ready_ms - start_ms))ms" \
  "start -> first workload reconciled" "$((first_ms - start_ms))ms" \
  "start -> examples converged (+1.5 s quiet)" "$((converged_ms - start_ms))ms"
