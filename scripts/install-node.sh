#!/usr/bin/env bash
# Installs the official Node.js binary of one major version (the exact release pinned in
# scripts/node-versions) into .tools/node-v<version>/ (gitignored) from the npm registry's
# node-linux-<arch> package, and prints the folder holding its `node`. Idempotent: a release
# already in place is reused. Nothing beyond the machine's npm is needed.
#
#   bash scripts/install-node.sh 24   →   /path/to/repo/.tools/node-v24.22.3/bin
set -euo pipefail
cd "$(dirname "$0")/.."

major=${1:?usage: install-node.sh <major version, e.g. 24>}
version=$(sed -n "s/^$major=//p" scripts/node-versions)
if [ -z "$version" ]; then
  echo "install-node: no Node $major release pinned in scripts/node-versions" >&2
  exit 1
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "install-node: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
home="$PWD/.tools/node-v$version"
bin="$home/bin"

if [ "$("$bin/node" --version 2>/dev/null)" != "v$version" ]; then
  echo "install-node: installing Node $version (node-linux-$arch from the npm registry)" >&2
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$download" && npm pack "node-linux-$arch@$version" --silent >/dev/null)
  rm -rf "$home.partial"
  mkdir -p "$home.partial"
  tar -xzf "$download"/node-linux-"$arch"-*.tgz -C "$home.partial" --strip-components=1
  # Moved into place only once complete, so an interrupted install is never mistaken for one.
  rm -rf "$home"
  mv "$home.partial" "$home"
fi
echo "$bin"
