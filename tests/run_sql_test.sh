#!/bin/sh
# Runs one SQL-file test through the real sqlite3 shell with the extension loaded.
#
#   run_sql_test.sh SQLITE3 EXTENSION DATA_DIR VECTORS_DIR FILE.sql
#
# In FILE.sql, @DATA@ stands for the sample data (data/) and @VECTORS@ for the test vectors
# (tests/vectors/). Every row the file prints must be
# `name|1`; a statement that must fail carries `-- error: TEXT` on the line where it starts, and
# the shell's message for it must contain TEXT. Any other error, a row that is not true, a
# missing expected error or a file that checks nothing fails the test.
set -u
sqlite3=$1 extension=$2 data=$3 vectors=$4 file=$5
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

sed -e "s|@DATA@|$data|g" -e "s|@VECTORS@|$vectors|g" "$file" > "$work/test.sql"
"$sqlite3" -batch :memory: -cmd ".load $extension" < "$work/test.sql" > "$work/out" 2> "$work/err"

status=0
checked=$(grep -c . "$work/out")
if [ "$checked" -eq 0 ]; then
    echo "FAIL: $file printed no rows"
    status=1
fi
if grep -v -E '\|1$' "$work/out" | grep -q .; then
    echo "FAIL: rows that are not true:"
    grep -v -E '\|1$' "$work/out" | cut -c1-300
    status=1
fi

# Every error must be expected, on the line it names.
expected=$(grep -c -- '-- error: ' "$work/test.sql")
seen=0
while IFS= read -r line; do
    case "$line" in
        *"error near line "*)
            number=$(printf '%s\n' "$line" | sed -E 's/.*error near line ([0-9]+):.*/\1/')
            message=$(printf '%s\n' "$line" | sed -E 's/.*error near line [0-9]+: //')
            want=$(sed -n "${number}p" "$work/test.sql" | sed -n -E 's/.*-- error: (.*)$/\1/p')
            if [ -z "$want" ]; then
                echo "FAIL: unexpected error at line $number: $message"
                status=1
            else
                case "$message" in
                    *"$want"*) seen=$((seen + 1)) ;;
                    *) echo "FAIL: line $number: expected an error containing '$want', got: $message"; status=1 ;;
                esac
            fi
            ;;
        *) [ -n "$line" ] && { echo "FAIL: unexpected output on stderr: $line" | cut -c1-300; status=1; } ;;
    esac
done < "$work/err"
if [ "$seen" -ne "$expected" ]; then
    echo "FAIL: $expected statements should have failed, $seen did"
    status=1
fi
[ "$status" -eq 0 ] && echo "$checked checks passed, $seen expected errors seen"
exit "$status"
