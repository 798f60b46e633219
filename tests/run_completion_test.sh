#!/bin/bash
# The bash completion (cli/completion.bash) in bash itself: sources it, sets COMP_WORDS and
# COMP_CWORD as bash does for a command line, calls the completion function and compares
# COMPREPLY with what the user should be offered.
#
#   run_completion_test.sh COMPLETION.bash
# shellcheck source-path=SCRIPTDIR
set -u
completion=$1
# shellcheck source=../cli/completion.bash
source "$completion" || exit 1
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0

# expect 'COMMAND LINE' 'WORD…': the line is completed at its end (a trailing space starts a new,
# empty word); the words offered must be exactly these, in any order.
expect() {
    local line=$1 wanted=$2
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line COMP_POINT=${#line}
    COMPREPLY=()
    _rspcat rspcat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    # shellcheck disable=SC2086 # the words, split
    wanted=$(printf '%s\n' $wanted | sort | tr '\n' ' ')
    if [[ $got != "$wanted" ]]; then
        echo "FAIL: '$line<TAB>' offers [${got% }], expected [${wanted% }]"
        failures=$((failures + 1))
    fi
}

# Files come relative to the current directory.
cd "$work" || exit 1
touch lab.db lab.tsv idfprod.yaml

expect 'rspcat im' 'images'
expect 'rspcat s' 'sync show subset seen snapshots'
expect 'rspcat ' 'ingest sync images latest show subset seen parse filter prune menu history diff check repos snapshots alias undo delete deletions report help'
expect 'rspcat check --' '--repair --help'
expect 'rspcat r' 'report repos'
expect 'rspcat report --o' '--output'
expect 'rspcat repos --format ' 'table json csv'
expect 'rspcat snapshots --l' '--limit'
expect 'rspcat snapshots --limit ' ''
expect 'rspcat alias ' 'add remove'
expect 'rspcat alias r' 'remove'
expect 'rspcat alias --' '--help'
expect 'rspcat alias add --' '--registry --repository --help'
expect 'rspcat alias remove --registry example.org --rep' '--repository'
expect 'rspcat alias add recommended ' ''
expect 'rspcat undo --' '--registry --repository --dry-run --help'
expect 'rspcat undo --dry-run ' ''
expect 'rspcat --d' '--db'
expect 'rspcat --db lab.d' 'lab.db'
expect 'rspcat --db lab.db la' 'latest'
expect 'rspcat --read-only --db lab.db h' 'help history'
expect 'rspcat images --f' '--format'
expect 'rspcat images --all' '--all-arch'
expect 'rspcat images --format ' 'table json csv'
expect 'rspcat prune --format ' 'table json'
expect 'rspcat ingest --format g' 'gar gcloud'
expect 'rspcat ingest --reg' '--registry'
expect 'rspcat ingest --registry docker.io --repository lsstsqre/sciplat-lab lab.t' 'lab.tsv'
expect 'rspcat ingest --registry ' ''
expect 'rspcat sync --max' '--max-pages --max-removed --max-tags'
expect 'rspcat ingest --allow' '--allow-empty --allow-future'
expect 'rspcat ingest --max-removed ' ''
expect 'rspcat sync --credentials idf' 'idfprod.yaml'
expect 'rspcat menu --policy idf' 'idfprod.yaml'
expect 'rspcat filter --policy-' '--policy-key'
expect 'rspcat prune --policy idfprod.yaml --policy-key ' ''
expect 'rspcat prune --policy idfprod.yaml --policy-key controller.config.dropdownMenu --k' '--keep'
expect 'rspcat menu --re' '--recommended --releases --registry --repository'
expect 'rspcat latest w' 'weekly'
expect 'rspcat latest weekly w' ''
expect 'rspcat parse --alias --f' '--format'
expect 'rspcat seen --' '--size --help'
# --db=FILE, as bash splits it at `=` (COMP_WORDBREAKS).
expect 'rspcat --db = lab.d' 'lab.db'
expect 'rspcat --db = lab.db im' 'images'

if ((failures > 0)); then
    echo "$failures completion checks failed"
    exit 1
fi
echo "completion: all checks passed"
