#!/bin/sh
# Regenerates docs/report.png, the screenshot of `rspcat report` in docs/reports.md: the sample
# history's report with the real deployment policies, rendered by headless Chromium.
# Usage (after a build in build/): sh scripts/report-screenshot.sh
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./build/rspcat --db "$work/sample.db" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
    --alias recommended --alias latest_weekly --alias latest_daily --alias latest_release \
    -q data/sciplat-lab-history.tsv
./build/rspcat --db "$work/sample.db" report --policy data/policies/idfprod.yaml --policy data/policies/idfdev.yaml \
    --releases 1 --weeklies 2 --dailies 1 -o "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1100,2000 --screenshot="$work/report.png" "file://$work/report.html" > /dev/null 2>&1
mv "$work/report.png" docs/report.png
echo "wrote docs/report.png"
