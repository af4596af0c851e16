# fish completion for compose2swarm. Commands, options, option values and rule ids are
# read from the binary being completed (`--help`, `CMD --help`, `rules`), so they are
# always the ones it has: nothing here is a list to keep up to date.
# Installed to $(datadir)/fish/vendor_completions.d/compose2swarm.fish.

function __compose2swarm_commands -a bin
    $bin --help 2>/dev/null | awk '/^(Usage:)? +compose2swarm [a-z]/ { for (i = 1; i < NF; i++) if ($i == "compose2swarm") { print $(i + 1); break } }'
end

function __compose2swarm_options -a bin cmd
    $bin $cmd --help 2>/dev/null | awk '/^ +-/ { for (i = 1; i <= NF; i++) { w = $i; sub(/,$/, "", w); if (w ~ /^--?[a-z]/) print w; else break } }'
    echo --help
end

# the values an option takes: "a|b" as its argument, or a comma list as its description
function __compose2swarm_values -a bin cmd opt
    $bin $cmd --help 2>/dev/null | awk -v opt="$opt" '
    function flush() { if (d != "") { gsub(/ \(default\)/, "", d); if (d ~ /^[a-z0-9-]+(, [a-z0-9-]+)+,?$/) { gsub(/,/, " ", d); print d } } d = "" }
    /^ +-/ { if (on) { flush(); exit } on = 0
        for (i = 1; i <= NF; i++) { w = $i; sub(/,$/, "", w); if (w == opt) { on = 1; arg = $(i + 1) } }
        if (on) { if (arg ~ /\|/) { gsub(/\|/, " ", arg); print arg; on = 0; exit }
            line = $0; sub(/^ +(-[a-z], )?--[a-z-]+ [^ ]+ +/, "", line); d = line } next }
    on && /^          +[a-z]/ { line = $0; sub(/^ +/, "", line); d = d " " line; next }
    on { flush(); exit }
    END { if (on) flush() }' | string split ' '
end

function __compose2swarm_rules -a bin
    $bin rules 2>/dev/null | awk 'NR > 1 { print $1; print $2 }'
end

function __compose2swarm_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l bin $words[1]
    if test (count $words) -eq 1
        __compose2swarm_commands $bin
        printf '%s\n' --help --version
        return
    end
    set -l cmd $words[2]
    set -l prev $words[-1]
    switch $prev
        case --enable --disable
            __compose2swarm_rules $bin
            return
        case --severity
            if string match -q '*=*' -- $cur
                set -l rule (string split -m 1 = -- $cur)[1]
                printf "$rule=%s\n" error warning info
            else
                __compose2swarm_rules $bin | string replace -r '$' =
            end
            return
        case -c --compose-file --config --env-file -o --output
            __fish_complete_path $cur
            return
        case '-*'
            set -l values (__compose2swarm_values $bin $cmd $prev)
            if test "$cmd" = rules; and contains -- $prev -f --format
                set values ($bin --help | sed -n 's/.*compose2swarm rules .*--format \([a-z|]*\).*/\1/p' | string split '|')
            end
            if test (count $values) -gt 0
                printf '%s\n' $values
                return
            end
    end
    if string match -q -- '-*' $cur
        __compose2swarm_options $bin $cmd
        return
    end
    if test "$cmd" = explain
        __compose2swarm_rules $bin
        return
    end
    __fish_complete_path $cur
end

complete -c compose2swarm -f -a '(__compose2swarm_complete)'
