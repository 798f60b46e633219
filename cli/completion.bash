# bash completion for rspcat(1): commands, each command's options, option values where they are
# a fixed set, and files for --db, --policy (FILE, FILE#KEY.PATH or -), --output, --menu-policy, --credentials and ingest's
# listing file; --policy-key is free text.
# Installed as share/bash-completion/completions/rspcat; or: source cli/completion.bash
# Kept in step with `rspcat --help` by tests/check_cli_docs.sh.

_rspcat_commands="ingest sync images latest show subset seen parse filter prune menu history diff check repos snapshots alias undo delete deletions report help"
# The subcommands of `alias`.
_rspcat_alias_commands="add remove"

# The options of a command (`alias add` for a subcommand), or of rspcat itself for an empty name.
_rspcat_options() {
    local collection="--registry --repository --cycle --at --format"
    local headers="--no-headers"  # the commands that print a table or csv; not menu
    # How prune --apply and delete reach the registry.
    local registry="--url --concurrency --credentials --username --password-stdin --insecure --max-pages --max-tags --timeout --deadline --gar-api --token-file"
    case $1 in
        "") echo "--db --read-only --busy-timeout --help --version" ;;
        ingest) echo "--registry --repository --alias --at --merge --allow-empty --max-removed --allow-future --format --quiet --help" ;;
        sync) echo "--url --repository --alias --allow-empty --max-removed --concurrency --credentials --username --password-stdin --insecure --gar --image --gar-api --token-file --max-pages --max-tags --timeout --deadline --quiet --skip-manifests --help" ;;
        images) echo "$collection --all-arch --hide-aliased --hide-resolved-aliases $headers --help" ;;
        latest | show) echo "$collection $headers --help" ;;
        history | diff) echo "--registry --repository --format $headers --help" ;;
        subset) echo "--releases --weeklies --dailies --include --all-arch $collection $headers --help" ;;
        seen) echo "--size --help" ;;
        parse) echo "--alias --format $headers --help" ;;
        filter) echo "--policy --policy-key --all-arch --invert $collection $headers --help" ;;
        prune) echo "--policy --policy-key --keep $collection $headers --apply --yes --limit --quiet $registry --help" ;;
        menu) echo "--recommended --releases --weeklies --dailies --pin --nodes --policy --policy-key $collection --help" ;;
        check) echo "--repair --help" ;;
        repos) echo "--format $headers --help" ;;
        snapshots) echo "--registry --repository --limit --format $headers --help" ;;
        undo) echo "--registry --repository --dry-run --help" ;;
        delete) echo "--force --registry --repository --yes --limit --quiet $registry --help" ;;
        deletions) echo "--registry --repository --limit --format $headers --help" ;;
        report) echo "--registry --repository --at --policy --output --recommended --releases --weeklies --dailies --pin --menu-policy --help" ;;
        alias | help) echo "--help" ;;
        "alias add" | "alias remove") echo "--registry --repository --help" ;;
    esac
}

# Whether an option of the command (rspcat's own for an empty name) takes a value.
_rspcat_takes_value() {
    case $2 in
        --db | --busy-timeout | --registry | --repository | --cycle | --at | --format | --alias | --url | --concurrency | \
            --credentials | --username | --gar | --image | --gar-api | --token-file | --max-pages | --max-tags | --max-removed | \
            --timeout | --deadline | --releases | --weeklies | \
            --dailies | --include | --size | --policy | --policy-key | --keep | --recommended | --pin | --nodes | --limit | --output | --menu-policy)
            [[ $2 != --alias || $1 != parse ]]
            ;;
        *) return 1 ;;
    esac
}

_rspcat_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# Completes the value of `option` of `command` from `cur`; false when the option's value is free text.
_rspcat_value() {
    local command=$1 option=$2 cur=$3
    case $option in
        --db | --policy | --credentials | --token-file | --output | --menu-policy)
            _rspcat_files "$cur"
            ;;
        --format)
            local formats="table json csv"
            case $command in
                ingest) formats="tsv gar gcloud docker-json" ;;
                prune | menu) formats="table json" ;;
            esac
            mapfile -t COMPREPLY < <(compgen -W "$formats" -- "$cur")
            ;;
        *) COMPREPLY=() ;;
    esac
}

_rspcat() {
    COMPREPLY=()
    local cur=${COMP_WORDS[COMP_CWORD]}
    local command="" sub="" positionals=0 i word
    # What comes before the word being completed: the command, and how many arguments it has.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -* ]]; then
            # `--opt value`: skip the value (`--opt=value` is one word, or three when
            # COMP_WORDBREAKS splits at `=`).
            if [[ $word != *=* ]] && _rspcat_takes_value "$command" "$word"; then
                [[ ${COMP_WORDS[i + 1]} == = ]] && ((i++))
                ((i++))
            fi
        elif [[ -z $command ]]; then
            command=$word
        else
            ((positionals++))
            # `alias add`: the first argument of `alias` is its subcommand.
            [[ $command == alias && $positionals == 1 ]] && sub=$word
        fi
    done

    # The value of an option: `--db FILE` or `--db=FILE`.
    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    if ((COMP_CWORD > 1)) && [[ $prev == -* && $prev != *=* ]] && _rspcat_takes_value "$command" "$prev"; then
        _rspcat_value "$command" "$prev" "$cur"
        return 0
    fi
    if [[ $cur == --*=* ]]; then
        # COMP_WORDBREAKS usually splits at `=`; this is for when it does not.
        local option=${cur%%=*}
        _rspcat_value "$command" "$option" "${cur#*=}"
        COMPREPLY=("${COMPREPLY[@]/#/$option=}")
        return 0
    fi
    if [[ $cur == = && $prev == --* ]]; then
        _rspcat_value "$command" "$prev" ""
        return 0
    fi
    if ((COMP_CWORD > 2)) && [[ $prev == = ]] && _rspcat_takes_value "$command" "${COMP_WORDS[COMP_CWORD - 2]}"; then
        _rspcat_value "$command" "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
        return 0
    fi

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_rspcat_options "$command${sub:+ $sub}")" -- "$cur")
        return 0
    fi
    case $command in
        "") mapfile -t COMPREPLY < <(compgen -W "$_rspcat_commands" -- "$cur") ;;
        ingest) ((positionals == 0)) && _rspcat_files "$cur" ;;
        alias) ((positionals == 0)) && mapfile -t COMPREPLY < <(compgen -W "$_rspcat_alias_commands" -- "$cur") ;;
        latest)
            ((positionals == 0)) &&
                mapfile -t COMPREPLY < <(compgen -W "alias release weekly daily candidate release-candidate experimental unknown" -- "$cur")
            ;;
    esac
    return 0
}

complete -F _rspcat rspcat
