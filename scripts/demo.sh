#!/bin/sh
# The main job on the shipped sample data: builds a catalog from the 62-snapshot registry history
# in data/ with rspcat, prints the current images in menu order, what `recommended` points to,
# the menu under the real idfprod policy and the recommended timeline, writes the HTML report
# with the real deployment policies, then shows the newest snapshot's tags through the rsp
# extension in the stock sqlite3.
# Usage (as root on a fresh Debian 12): sh scripts/demo.sh
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build --target rspcat rsp > /dev/null
history=${RSPCAT_HISTORY:-data/sciplat-lab-history.tsv}
[ -r "$history" ] || { echo "demo: cannot read $history" >&2; exit 1; }
db=build/demo.db
rm -f "$db" "$db-wal" "$db-shm"

echo "== Ingesting $history"
./build/rspcat --db "$db" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
    --alias recommended --alias latest_weekly --alias latest_daily --alias latest_release \
    "$history" 2>&1 | tail -n 3
echo "   (one line per snapshot; the last three shown)"

echo
echo "== What recommended points to"
./build/rspcat --db "$db" show recommended

echo
echo "== Current images in menu order (generic images; --all-arch adds -amd64/-arm64 builds; first 40)"
./build/rspcat --db "$db" images | head -n 41

echo
echo "== The spawner menu under the real idfprod policy (data/policies/idfprod.yaml)"
./build/rspcat --db "$db" menu --recommended recommended --releases 1 --weeklies 2 --dailies 1 \
    --policy data/policies/idfprod.yaml --at 2026-08-06T12:00:00Z | head -n 30
echo "   (dropdown cut at 30 lines)"

echo
echo "== The recommended timeline"
./build/rspcat --db "$db" history recommended

echo
echo "== The HTML report, with the deployment policies of data/policies/"
report=build/demo-report.html
policies=""
for p in data/policies/*.yaml; do policies="$policies --policy $p"; done
# shellcheck disable=SC2086
./build/rspcat --db "$db" report $policies --releases 1 --weeklies 2 --dailies 1 -o "$report"
echo "   wrote $(pwd)/$report: open it in a browser"

echo
echo "== The newest snapshot, parsed by the rsp extension in the stock sqlite3 shell"
sed "s|@HISTORY@|$history|" scripts/newest-snapshot.sql | sqlite3 -batch :memory: | head -n 30
