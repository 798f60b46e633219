#!/bin/sh
# The main job on the shipped sample data: loads the rsp extension in the stock sqlite3 shell and
# shows the newest snapshot of ../shared/data/sciplat-lab-history.tsv parsed, counted by type and
# listed in menu order.
# Usage (as root on a fresh Debian 12): sh scripts/demo.sh
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build --target rsp > /dev/null
history=${RSPCAT_HISTORY:-../shared/data/sciplat-lab-history.tsv}
[ -r "$history" ] || { echo "demo: cannot read $history" >&2; exit 1; }
sed "s|@HISTORY@|$history|" scripts/newest-snapshot.sql | sqlite3 -batch :memory:
