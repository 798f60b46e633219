#!/bin/bash
# The man page (docs/rspcat.1) and the bash completion (cli/completion.bash) against the tool's
# own --help, so that they cannot drift: every command of `rspcat --help` has an entry in the
# man page's COMMANDS and is completed; every option of `rspcat COMMAND --help` is named in the
# man page and completed for that command, and the completion offers no option the tool lacks.
#
#   check_cli_docs.sh RSPCAT COMPLETION.bash MANPAGE
# shellcheck source-path=SCRIPTDIR
set -u
rspcat=$1 completion=$2 manpage=$3
# shellcheck source=../cli/completion.bash
source "$completion" || exit 1
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# The words of a CLI11 help section (`Subcommands:`, `Options:`) that start its lines.
section() {
    awk -v name="$1:" '$0 == name { on = 1; next } /^$/ { on = 0 } on && /^  [^ ]/ { print $1 }'
}
# Option names from CLI11's `-h,--help` and `--db TEXT=…` forms, without the short ones.
long_options() {
    tr ',' '\n' | grep -E '^--' | sed -E 's/[^-a-z].*//'
}
# The subcommands that the completion offers after a command.
_rspcat_subcommands() {
    local name="_rspcat_$1_commands"
    echo "${!name-}"
}
# What the completion offers after a command line.
completed_options() {
    _rspcat_options "$1" | tr ' ' '\n' | grep .
}
# Whether the man page names an option (written with \- for each dash).
in_manpage() {
    grep -qF -- "$(printf '%s' "$1" | sed 's/-/\\-/g')" "$manpage"
}

commands=$("$rspcat" --help | section Subcommands)
[[ -n $commands ]] || fail "no commands in rspcat --help"
for command in $commands; do
    [[ " $_rspcat_commands " == *" $command "* ]] || fail "command $command is not completed"
    grep -qE "^\\\\fB$command\\\\fR( |\$)" "$manpage" || fail "command $command has no entry in $manpage"
    options=$("$rspcat" "$command" --help | section Options | long_options)
    completed=$(completed_options "$command")
    for option in $options; do
        grep -qxF -- "$option" <<<"$completed" || fail "$command $option is not completed"
        in_manpage "$option" || fail "$command $option is not in $manpage"
    done
    for option in $completed; do
        grep -qxF -- "$option" <<<"$options" || fail "$command $option is completed but not in rspcat $command --help"
    done
    # A command with subcommands of its own (`alias add`): the same for each of them.
    for sub in $("$rspcat" "$command" --help | section Subcommands); do
        [[ " $(_rspcat_subcommands "$command") " == *" $sub "* ]] || fail "command $command $sub is not completed"
        grep -qE "^\\\\fB$command\\\\fR \\\\fB$sub\\\\fR( |\$)" "$manpage" ||
            fail "command $command $sub has no entry in $manpage"
        options=$("$rspcat" "$command" "$sub" --help | section Options | long_options)
        completed=$(completed_options "$command $sub")
        for option in $options; do
            grep -qxF -- "$option" <<<"$completed" || fail "$command $sub $option is not completed"
            in_manpage "$option" || fail "$command $sub $option is not in $manpage"
        done
        for option in $completed; do
            grep -qxF -- "$option" <<<"$options" ||
                fail "$command $sub $option is completed but not in rspcat $command $sub --help"
        done
    done
done
for command in $_rspcat_commands; do
    grep -qxF -- "$command" <<<"$commands" || fail "completed command $command is not in rspcat --help"
done
for option in $("$rspcat" --help | section Options | long_options); do
    completed_options "" | grep -qxF -- "$option" || fail "rspcat $option is not completed"
    in_manpage "$option" || fail "rspcat $option is not in $manpage"
done

if ((failures > 0)); then
    echo "$failures checks failed: update cli/completion.bash and docs/rspcat.1 from rspcat --help"
    exit 1
fi
echo "man page and completion: every command and option of rspcat --help"
