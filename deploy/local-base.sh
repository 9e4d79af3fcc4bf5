#!/usr/bin/env bash
# Makes a base image for deploy/Containerfile on a machine that reaches no container registry,
# only Debian's package mirror: a Debian root file system with OpenJDK 17 (debootstrap) and a
# stand-in for the UBI image's run-java.sh. Needs root, debootstrap and buildah
# (apt-get install debootstrap buildah). Then:
#   buildah bud --isolation chroot --build-arg BASE=localhost/tunneld-base -f deploy/Containerfile -t tunneld target/quarkus-app
#
# Usage: deploy/local-base.sh [IMAGE-NAME]   (default localhost/tunneld-base)
set -euo pipefail

name=${1:-localhost/tunneld-base}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$work/rootfs" "$mirror"
rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*

# The UBI image's run-java.sh picks JVM options from the container's limits, then appends
# JAVA_OPTS_APPEND. tunneld's JAVA_OPTS_APPEND (deploy/Containerfile) already says what
# matters (heap share, trim), so the stand-in passes only that.
mkdir -p "$work/rootfs/opt/jboss/container/java/run"
cat >"$work/rootfs/opt/jboss/container/java/run/run-java.sh" <<'EOF'
#!/bin/sh
# Stand-in for the UBI OpenJDK image's run-java.sh (made by tunneld's deploy/local-base.sh).
exec java ${JAVA_OPTS_APPEND:-} -jar "${JAVA_APP_JAR:?JAVA_APP_JAR is not set}" "$@"
EOF
chmod 755 "$work/rootfs/opt/jboss/container/java/run/run-java.sh"
# As in the UBI image: /deployments exists, owned by the image's user 185 and group 0.
mkdir -p "$work/rootfs/deployments"
chown 185:0 "$work/rootfs/deployments"
chmod 775 "$work/rootfs/deployments"

# Device nodes and kernel file systems come from the container runtime.
tar -C "$work/rootfs" --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -cf "$work/rootfs.tar" .
ctr=$(buildah from scratch)
buildah add "$ctr" "$work/rootfs.tar" / >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --workingdir /deployments "$ctr"
buildah commit --rm "$ctr" "$name"
