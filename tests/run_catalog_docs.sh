#!/bin/sh
# Builds a catalog from the shared history file with rspcat, then runs a doc's examples against
# it through the stock sqlite3 shell (`$ sqlite3 rspcat.db` blocks load no extension).
#
#   run_catalog_docs.sh RSPCAT SQLITE3 EXTENSION SHARED_DIR DOC.md
set -eu
rspcat=$1 sqlite3=$2 extension=$3 shared=$4 doc=$5
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$rspcat" --db "$work/rspcat.db" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
    --alias recommended --alias latest_weekly --alias latest_daily --alias latest_release \
    "$shared/data/sciplat-lab-history.tsv" > /dev/null
cd "$work"
sh "$here/run_doc_examples.sh" "$sqlite3" "$extension" "$doc"
