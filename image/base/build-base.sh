#!/usr/bin/env bash
# Assembles the operator image's base from Debian packages and a jlink'd Java runtime, without a container engine
# or a registry: this machine and CI can reach Debian's package archive but no image registry.
#
#   image/base/build-base.sh OUT_TAR [BASE]
#
# Writes OUT_TAR, a base image in `docker save` format (manifest.json + config + one layer), which Jib takes as
# `tar://OUT_TAR` (operator/pom.xml, profile image). A docker-format tarball rather than a directory given to
# Jib's extraDirectories because a layer tarball keeps what Jib's extraDirectories would not: symlinks
# (libc's /lib64/ld-linux-x86-64.so.2), exact modes (755 binaries, 1777 /tmp) and owners (65532 home), and the base
# stays a layer of its own, shared by every operator version built on it.
#
# BASE is the pom's ${image.base}: anything other than tar://... means the user chose a registry base
# (-Dimage.base=gcr.io/distroless/java17-debian12:nonroot) and nothing is assembled.
#
# Contents: libc6, libgcc-s1, libstdc++6, zlib1g (what the JVM links: see `ldd lib/server/libjvm.so`), tzdata,
# ca-certificates (the PEM bundle /etc/ssl/certs/ca-certificates.crt built as update-ca-certificates would),
# /bin/sleep from coreutils (the chart's exec preStop fallback runs `sleep` in the operator's container; no
# shell), /etc/passwd and /etc/group with nonroot 65532, /tmp 1777, and /opt/java/openjdk made by jlink from the
# JDK running this script (JAVA_HOME, else the one on PATH).
#
# The result is cached in ~/.cache/graceful-operator/image/base-<key>, the key being a digest of this script, the
# package versions apt resolves and the JDK's version: a second build costs a copy. Each step prints its time.
set -euo pipefail

out=${1:?usage: build-base.sh OUT_TAR [BASE]}
base=${2:-tar://$out}
if [[ $base != tar://* ]]; then
  echo "build-base: image.base=$base (a registry image): not assembling the Debian base"
  exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
script="$here/$(basename "$0")"
jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
# jlink links from the JDK's jmods (Debian: in openjdk-17-jdk-headless; a JRE has none).
[[ -d $jdk/jmods ]] || { echo "build-base: $jdk has no jmods/ (jlink needs a full JDK)" >&2; exit 1; }
# The image is for the build machine's architecture (Debian's name: amd64, arm64), as its packages and JDK are.
arch=$(dpkg --print-architecture)

# What the packaged jars need: `jdeps --print-module-deps` on the operator's classes and dependencies (run by hand:
# java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.management,
# jdk.unsupported), plus jdk.crypto.ec, which nothing references statically but TLS to an API server with an
# ECDSA certificate (kubeadm, most managed clusters) needs. image/prove.sh checks the result by running it.
modules=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.management,jdk.unsupported,jdk.crypto.ec
packages=(libc6 libgcc-s1 libstdc++6 zlib1g tzdata ca-certificates coreutils)

t0=$SECONDS
step() {   # step NAME: prints the previous step's time
  local now=$SECONDS
  [[ -n ${step_name:-} ]] && printf 'build-base: %-28s %3d s\n' "$step_name" $((now - step_start))
  step_name=$1
  step_start=$now
}

step "resolve package versions"
versions() {   # name=candidate for each package, in order; fails if apt knows no candidate for one
  local policy p v
  policy=$(apt-cache policy "${packages[@]}" 2>/dev/null)   # one call: apt-cache loads its cache once
  for p in "${packages[@]}"; do
    v=$(awk -v p="$p:" '$1 == p {found = 1} found && /Candidate:/ {print $2; exit}' <<< "$policy")
    [[ -n $v && $v != "(none)" ]] || return 1
    echo "$p=$v"
  done
}
# A fresh machine may have no package lists yet (or old ones whose files are gone from the archive): update once.
if ! pinned=$(versions); then
  echo "build-base: apt has no candidate for some package; apt-get update"
  apt-get update -qq
  pinned=$(versions)
fi
mapfile -t pinned_list <<< "$pinned"
java_version=$("$jdk/bin/java" -version 2>&1 | tr '\n' ' ')
key=$( { sha256sum "$script" | cut -d' ' -f1; echo "$arch $pinned"; echo "$java_version"; } | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/graceful-operator/image/base-$key
echo "build-base: packages ${pinned//$'\n'/ }; $java_version"

mkdir -p "$(dirname "$out")"
if [[ -f $cache/base.tar ]]; then
  step "copy cached base"
  cp "$cache/base.tar" "$out"
  step "done"
  echo "build-base: cached $cache/base.tar -> $out ($(( $(stat -c %s "$out") / 1024 / 1024 )) MiB) in $((SECONDS - t0)) s"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root" "$work/debs"
chmod 755 "$work" "$work/debs"   # apt-get download as root hands the file to user _apt

step "apt-get download"
(cd "$work/debs" && apt-get download -qq "${pinned_list[@]}") || {
  echo "build-base: download failed; apt-get update and retry"
  apt-get update -qq
  (cd "$work/debs" && apt-get download -qq "${pinned_list[@]}")
}

step "extract packages"
for deb in "$work"/debs/*.deb; do
  case $(basename "$deb") in
    coreutils_*)
      # only sleep: a shell-less image has no use for the rest, and less to patch
      dpkg-deb -x "$deb" "$work/coreutils"
      # /bin/sleep on Debian 12; /usr/bin/sleep in packages built for a merged /usr
      sleep_bin=$(find "$work/coreutils" -path '*bin/sleep' -type f -print -quit)
      install -D -m 0755 "$sleep_bin" "$root/bin/sleep"
      install -D -m 0644 "$work/coreutils/usr/share/doc/coreutils/copyright" "$root/usr/share/doc/coreutils/copyright"
      ;;
    *) dpkg-deb -x "$deb" "$root" ;;
  esac
done
# Programs and data nothing runs here (libc's ldd/iconv/locale tools, the CA updater script, docs besides the
# licence files, gconv modules, lintian overrides); the licences (usr/share/doc/*/copyright) stay.
rm -rf "${root:?}"/usr/bin "$root"/sbin "$root"/usr/sbin "$root"/usr/share/lintian "$root"/usr/share/man \
  "$root"/usr/share/locale "$root"/usr/lib/*-linux-gnu/gconv \
  "$root"/etc/ld.so.conf.d
find "$root/usr/share/doc" -type f ! -name copyright -delete

step "CA bundle"
# update-ca-certificates with the default /etc/ca-certificates.conf (every certificate the package ships): their
# concatenation, in name order, each ending with a newline.
mkdir -p "$root/etc/ssl/certs"
find "$root/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | while read -r crt; do
  cat "$crt"
  [[ $(tail -c1 "$crt" | od -An -c | tr -d ' ') == '\n' ]] || echo
done > "$root/etc/ssl/certs/ca-certificates.crt"
certs=$(grep -c 'BEGIN CERTIFICATE' "$root/etc/ssl/certs/ca-certificates.crt")
(( certs > 100 )) || { echo "build-base: only $certs certificates in the bundle" >&2; exit 1; }

step "jlink"
"$jdk/bin/jlink" --add-modules "$modules" --output "$root/opt/java/openjdk" \
  --strip-debug --no-header-files --no-man-pages --compress=2

step "users, /tmp, config"
# proc, sys, dev: mount points the container runtime fills (glibc resolves the JVM's $ORIGIN rpath via /proc)
mkdir -p "$root/etc" "$root/tmp" "$root/home/nonroot" "$root/root" "$root/proc" "$root/sys" "$root/dev"
chmod 1777 "$root/tmp"
chmod 0700 "$root/home/nonroot" "$root/root"
cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
# glibc's defaults without this file try DNS before /etc/hosts; the kubelet-managed /etc/hosts comes first.
echo 'hosts: files dns' > "$root/etc/nsswitch.conf"
ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
echo 'Etc/UTC' > "$root/etc/timezone"
cat > "$root/etc/os-release" <<EOF
PRETTY_NAME="graceful-operator base: packages of $(. /etc/os-release && echo "$PRETTY_NAME"), jlink'd Java $("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | awk '/java.runtime.version/ {print $3}')"
ID=graceful-operator-base
EOF

step "check: shared libraries"
# Every shared library the runtime's binaries link directly (their ELF NEEDED entries) must be in the root
# filesystem: catches a package missing from the list above. Names, not paths: the rootfs's loader is not run here.
missing=$(find "$root/opt/java/openjdk" "$root/bin/sleep" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
  | xargs -0 -r readelf -d 2>/dev/null | awk '/\(NEEDED\)/ {gsub(/[][]/, "", $5); print $5}' | sort -u \
  | while read -r lib; do
      [[ -n $(find "$root/lib" "$root/usr/lib" "$root/opt/java/openjdk/lib" -name "$lib" -print -quit) ]] \
        || echo "$lib"
    done)
# java.desktop's native libraries (libawt_xawt, libfontmanager, libjsound, libsplashscreen, libjavajpeg, liblcms;
# Debian's JDK links them to the system's X11, freetype, harfbuzz, ALSA, giflib, libjpeg, libpng, lcms2) are loaded
# only to draw, render fonts or images, or play sound, which a headless operator never does (java.desktop is in
# the image for java.beans). Anything else missing is an error.
missing=$(echo "$missing" \
  | grep -Ev '^(libX|libfreetype|libharfbuzz|libfontconfig|libasound|libgif|libjpeg|libpng|liblcms2|$)' || true)
[[ -z $missing ]] || { echo "build-base: libraries missing from the base: $missing" >&2; exit 1; }

step "layer tarball"
# Reproducible: names sorted, times 0, owners root except nonroot's home; no atime/ctime in pax headers.
# shellcheck disable=SC2054  # the commas belong to --pax-option
tarflags=(--sort=name --mtime=@0 --numeric-owner --format=posix
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
mapfile -t top < <(cd "$root" && LC_ALL=C ls -A)
(cd "$root" && LC_ALL=C tar "${tarflags[@]}" --owner=0 --group=0 --exclude=home/nonroot -cf "$work/layer.tar" \
  "${top[@]}")
(cd "$root" && tar "${tarflags[@]}" --owner=65532 --group=65532 -rf "$work/layer.tar" home/nonroot)
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$work/image"
mv "$work/layer.tar" "$work/image/$diff_id.tar"
cat > "$work/image/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"65532:65532","WorkingDir":"/","Env":[
   "PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
   "JAVA_HOME=/opt/java/openjdk","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt","TZ=UTC"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"image/base/build-base.sh $key: ${pinned//$'\n'/ }"}]}
EOF
echo "[{\"Config\":\"config.json\",\"RepoTags\":[\"graceful-operator-base:$key\"],\"Layers\":[\"$diff_id.tar\"]}]" \
  > "$work/image/manifest.json"
(cd "$work/image" && tar "${tarflags[@]}" --owner=0 --group=0 -cf "$work/base.tar" manifest.json config.json \
  "$diff_id.tar")

step "store in cache"
mkdir -p "$cache"
mv "$work/base.tar" "$cache/base.tar.tmp" && mv "$cache/base.tar.tmp" "$cache/base.tar"
cp "$cache/base.tar" "$out"
step "done"
echo "build-base: built $cache/base.tar -> $out ($(( $(stat -c %s "$out") / 1024 / 1024 )) MiB, rootfs" \
  "$(du -sm "$root" | cut -f1) MiB) in $((SECONDS - t0)) s"
