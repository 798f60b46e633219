#!/bin/sh
# The aging-catalog figures of BENCHMARKS.md: catalogs of 1,000, 20,000 and 350,000 syncs of
# one repository every 15 minutes (10 days, 7 months, 10 years) made by rspcat_bench_aging
# (bench/make_aging_catalog.cpp explains the workload and why its shortcut for unchanged syncs
# is equivalent), then what each costs to keep and to ask. Prints a Markdown table.
# Usage: bench/aging.sh BIN_DIR WORK_DIR [SYNCS…]     (run by bench/run; BIN_DIR holds rspcat,
#        rspcat_bench_aging)
set -eu
bin=$1 work=$2
shift 2
sizes=${*:-1000 20000 350000}
mkdir -p "$work"
say() { printf '%s\n' "bench/aging.sh: $*" >&2; }

# cpu_ms COMMAND…: CPU milliseconds (user + system) of one run, output discarded.
cpu_ms() {
    /usr/bin/time -o "$work/time.out" -f '%U %S' "$@" > /dev/null
    awk '{ printf "%d\n", ($1 + $2) * 1000 + 0.5 }' "$work/time.out"
}
# per_run_ms COMMAND…: CPU milliseconds per run, averaged over 10 runs timed together (a
# single run of a few milliseconds is below /usr/bin/time's 10 ms resolution).
per_run_ms() {
    /usr/bin/time -o "$work/time.out" -f '%U %S' sh -c 'for _ in 1 2 3 4 5 6 7 8 9 10; do "$@" > /dev/null; done' \
        sh "$@"
    awk '{ printf "%.1f\n", ($1 + $2) * 100 }' "$work/time.out"
}
# written DB LISTING: the bytes that one ingest of LISTING into a copy of DB writes (the
# process's `wchar` of /proc/PID/io: its WAL frames and their checkpoint into the file), and its
# CPU milliseconds.
written() {
    rm -f "$work/copy.db" "$work/copy.db-wal" "$work/copy.db-shm"
    cp "$1" "$work/copy.db"
    ms=$(cpu_ms "$bin/rspcat" --db "$work/copy.db" ingest -q --registry docker.io \
        --repository lsstsqre/sciplat-lab --allow-future --at 2040-01-01T00:00:00Z "$2")
    rm -f "$work/copy.db" "$work/copy.db-wal" "$work/copy.db-shm"
    cp "$1" "$work/copy.db"
    bytes=$(sh -c '"$@" > /dev/null; sed -n "s/^wchar: //p" /proc/$$/io' sh "$bin/rspcat" --db "$work/copy.db" \
        ingest -q --registry docker.io --repository lsstsqre/sciplat-lab --allow-future \
        --at 2040-01-01T00:00:00Z "$2")
    printf '%s %s\n' "$bytes" "$ms"
}

printf '| syncs | made in (CPU) | file | snapshots rows | history rows | `history latest_daily` | `history recommended` | `images` | `images --at` (worst of 3 times) / `images` | ingest: unchanged | ingest: new daily in place | ingest: same tag at the end | ingest: first tag deleted |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for syncs in $sizes; do
    db=$work/aging-$syncs.db
    listing=$work/aging-$syncs.tsv
    rm -f "$db" "$db-wal" "$db-shm"
    say "making the catalog of $syncs syncs"
    made=$(cpu_ms "$bin/rspcat_bench_aging" "$db" "$syncs" --listing "$listing")
    sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
    size=$(stat -c %s "$db")
    snapshots=$(sqlite3 "$db" "SELECT count(*) FROM snapshots")
    history_rows=$(sqlite3 "$db" "SELECT count(*) FROM tag_history")
    entries=$("$bin/rspcat" --db "$db" history latest_daily --format csv | tail -n +2 | wc -l)
    daily=$(per_run_ms "$bin/rspcat" --db "$db" history latest_daily)
    recommended=$(per_run_ms "$bin/rspcat" --db "$db" history recommended)
    images=$(per_run_ms "$bin/rspcat" --db "$db" images)
    # Three times: a quarter, half and nine tenths of the way through the catalog's life.
    worst=0
    for part in 25 50 90; do
        at=$(sqlite3 "$db" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', julianday(min(taken_at)) +
            (julianday(max(coalesce(confirmed_at, taken_at))) - julianday(min(taken_at))) * $part / 100.0)
            FROM snapshots")
        ms=$(per_run_ms "$bin/rspcat" --db "$db" images --at "$at")
        worst=$(awk -v a="$ms" -v b="$worst" 'BEGIN { print (a > b ? a : b) }')
    done
    ratio=$(awk -v a="$worst" -v b="$images" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    # The next sync: nothing new; a daily pushed (listed in its sorted place, among the dailies);
    # the same daily listed last; the first tag of the listing deleted.
    new_daily="d_2039_12_31	sha256:$(printf '%064d' 7)	500000000"
    { head -n 1 "$listing"; tail -n +2 "$listing" | { cat; printf '%s\n' "$new_daily"; } | LC_ALL=C sort; } \
        > "$work/in-place.tsv"
    { cat "$listing"; printf '%s\n' "$new_daily"; } > "$work/at-end.tsv"
    { head -n 1 "$listing"; tail -n +3 "$listing"; } > "$work/first-deleted.tsv"
    unchanged=$(written "$db" "$listing")
    in_place=$(written "$db" "$work/in-place.tsv")
    at_end=$(written "$db" "$work/at-end.tsv")
    first_deleted=$(written "$db" "$work/first-deleted.tsv")
    cell() { echo "$1" | awk '{ printf "%.1f KB, %d ms", $1 / 1024, $2 }'; }
    printf '| %s | %s ms | %.1f MB | %s | %s | %s ms (%s entries) | %s ms | %s ms | %s× | %s | %s | %s | %s |\n' \
        "$syncs" "$made" "$(echo "$size" | awk '{ print $1 / 1048576 }')" "$snapshots" "$history_rows" "$daily" \
        "$entries" "$recommended" "$images" "$ratio" "$(cell "$unchanged")" "$(cell "$in_place")" \
        "$(cell "$at_end")" "$(cell "$first_deleted")"
done
