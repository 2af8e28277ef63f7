#!/usr/bin/env bash
# Installs everything the tests and the demo need, idempotently: Node 24 when the
# machine's node is older (into .tools/), Debian packages (only the missing ones),
# then the npm workspaces (only when the lockfile or the Node version changed since
# the last install).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/use-node.sh

# Debian packages: binary to check → package that provides it.
declare -A APT=(
  [/usr/sbin/nginx]=nginx-light
  [/usr/lib/postgresql/15/bin/postgres]=postgresql
  [/usr/bin/chromium]=chromium
  [/usr/sbin/runc]=runc
  [/usr/bin/skopeo]=skopeo
  [/usr/bin/umoci]=umoci
  [/usr/bin/buildah]=buildah
  [/usr/bin/docker-registry]=docker-registry
  [/usr/bin/aws]=awscli
  [/usr/bin/htpasswd]=apache2-utils
  [/usr/sbin/ip]=iproute2
  [/usr/bin/envsubst]=gettext-base
  # Debian's Flask, which localcloud's python-flask base image (examples/flask-api) copies.
  [/usr/bin/flask]=python3-flask
)
missing=()
for bin in "${!APT[@]}"; do
  [ -x "$bin" ] || missing+=("${APT[$bin]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages (${missing[*]}); run as root or install them" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: reinstall only when package-lock.json or the Node version changed (optional
# platform packages and native builds follow the Node that installed them).
stamp=node_modules/.shipline-lock-hash
want="$(sha256sum package-lock.json | cut -d' ' -f1) node $(node --version)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
