#!/usr/bin/env bash
# Builds the native addon (and any other native targets in binding.gyp) incrementally. Run it through
# "npm run build:native" so npm's bundled node-gyp is on PATH. A lock serialises concurrent builds.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>"${TMPDIR:-/tmp}/walbctl-native-build.lock"
flock 9
node-gyp configure --loglevel=error
node-gyp build --loglevel=error -j 2
