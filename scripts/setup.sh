#!/usr/bin/env bash
# Installs everything walbctl needs on a Debian/Ubuntu machine with Node >= 20.19: the Debian packages
# for the native build (and the wdev), the npm dependencies, and the build (addon + TypeScript).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ make python3 pkg-config git
  liblz4-dev libzstd-dev libsnappy-dev zlib1g-dev liblzma-dev libxxhash-dev
  libfuse3-dev fuse3 e2fsprogs xfsprogs util-linux fio
  openssl socat zstd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("setup: walbctl needs Node >= 20.19, this is "+process.version); process.exit(1) }'
if [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -d node_modules ]; then
  # No dependency has install scripts; skipping them also skips npm's implicit one-job addon build,
  # so the addon is built once, below, with two jobs.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
npm run --silent build >/dev/null
echo "setup: walbctl is built ($(node bin/walbctl.js version))" >&2
