#!/usr/bin/env bash
# Rebuild the explorer's partial plotly.js (vae/ui/explorer/plotly/plotly-explorer.min.js) from the npm registry:
# the versions are pinned in package.json and package-lock.json. Needs Node.js and npm; nothing else in the
# project does, so the built file is committed and neither `make run` nor `make test` runs this.
# When the pinned `plotly` Python package moves to a new plotly.js, bump "plotly.js" in package.json to the same
# version, run this script, and commit the new bundle (tests/test_plotly_bundle.py compares the two versions).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node build.js
cp node_modules/plotly.js/LICENSE ../../vae/ui/explorer/plotly/LICENSE
