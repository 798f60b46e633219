#!/bin/sh
# Times `rspcat report` on a catalog of many snapshots (bench/make_report_history.py; 20,000
# hourly snapshots by default) and prints its time and size. The target (issue 17): at most 2 s
# and 5 MB. Not a test: a timed check would fail on a loaded CI machine.
# Usage (after a build in build/): sh bench/report.sh [SNAPSHOTS]
# Ingesting the history takes a few minutes; the catalog is kept in build/report-bench-N.db.
set -eu
cd "$(dirname "$0")/.."
n=${1:-20000}
db=build/report-bench-$n.db
if [ ! -s "$db" ]; then
    python3 bench/make_report_history.py "$n" > "build/report-bench-$n.tsv"
    ./build/rspcat --db "$db" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
        --alias recommended --alias latest_daily --alias latest_weekly -q "build/report-bench-$n.tsv"
fi
for run in 1 2 3; do
    /usr/bin/time -f "report of $n snapshots, run $run: %e s (user %U s), %M KB peak" \
        ./build/rspcat --db "$db" report --policy data/policies/idfprod.yaml -o build/report-bench.html
done
echo "size: $(wc -c < build/report-bench.html) bytes"
