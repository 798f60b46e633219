# shellcheck shell=sh disable=SC2154
# Shared by run.sh, packaged.sh and subproject.sh, which source it after setting `here` (this
# folder) and `work` (their scratch folder): how a check reports, and how a consumer's output is
# compared with expected.txt. `checking` prefixes every report line.
source_dir=$(cd "$here/../.." && pwd)
version=$(cat "$source_dir/VERSION")
history=$source_dir/data/sciplat-lab-history.tsv
expected=$work/expected.txt
sed "s/@VERSION@/$version/" "$here/expected.txt" > "$expected"

fail() {
    echo "FAIL: ${checking:-}$*" >&2
    exit 1
}
ok() {
    echo "ok: ${checking:-}$*"
}
# run_logged LOG COMMAND…: runs the command with its output in LOG, shown when it fails.
run_logged() {
    log=$1
    shift
    if ! "$@" > "$log" 2>&1; then
        tail -n 40 "$log" >&2
        fail "$* (log: $log)"
    fi
}
# check_consumer NAME PROGRAM [CATALOG]: runs a built consumer on the sample history (writing
# CATALOG when given) and compares its output with expected.txt.
check_consumer() {
    "$2" "$history" ${3:+"$3"} > "$work/$1.out" 2> "$work/$1.err" ||
        { cat "$work/$1.err" >&2; fail "$1: the consumer failed"; }
    diff -u "$expected" "$work/$1.out" >&2 || fail "$1: the consumer's output differs from tests/consumer/expected.txt"
    ok "$1: built, and printed what expected.txt says"
}
