# bash completion for mcpzero. Installed as share/bash-completion/completions/mcpzero; it uses
# only compgen, so it also works when sourced without the bash-completion package.
#
# Plugin names, agent ids and pool names come from the running daemon (`mcpzero plugin list`, `mcpzero agent
# list`, `mcpzero pool list`) on the socket given with --socket on the same line, else the CLI's default socket.

# Prints the first column of a table that `mcpzero ARGS` prints, without its header line.
_mcpzero_query_names()
{
    local socket=$1
    shift
    local -a args=("$@")
    if [[ -n $socket ]]; then
        args+=(--socket "$socket")
    fi

    # A missing or slow daemon must not hang the shell, so the query gets two seconds.
    timeout 2 "${_mcpzero_command:-mcpzero}" "${args[@]}" 2>/dev/null | awk 'NR > 1 { print $1 }'
}

# Prints every installed plugin name and NAME@VERSION, from the NAME and VERSION columns of `plugin list`.
_mcpzero_plugin_references()
{
    local socket=$1
    local -a args=(plugin list)
    if [[ -n $socket ]]; then
        args+=(--socket "$socket")
    fi

    timeout 2 "${_mcpzero_command:-mcpzero}" "${args[@]}" 2>/dev/null |
        awk 'NR > 1 { names[$1] = 1; if ($2 != "-") print $1 "@" $2 } END { for (name in names) print name }'
}

_mcpzero()
{
    local current=${COMP_WORDS[COMP_CWORD]}
    local previous=${COMP_WORDS[COMP_CWORD-1]}
    _mcpzero_command=${COMP_WORDS[0]}
    COMPREPLY=()

    local client_options="--socket --json --help"
    local commands="serve status stats plugin agent pool trace db resource bench help version"

    # Collect the command, its subcommand, the positional arguments before the cursor and the
    # --socket value, skipping the values of other options.
    local command="" subcommand="" socket=""
    local -a positional=()
    local i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            --socket)
                socket=${COMP_WORDS[i+1]}
                ((i++))
                ;;
            --owner | --memory-mb | --timeout-ms | --fuel | --config | --plugin | --name | --agent | \
                --since | --limit | --from | --agents | --iterations | --payload-bytes | --method | \
                --data | --max-frame-bytes | --instances-per-plugin | --size | --max | --wait-ms | \
                --exec | --input | --where | --fields | --file | --capability | --type | \
                --key | --out | --trusted-keys)
                ((i++))
                ;;
            -*)
                ;;
            *)
                if [[ -z $command ]]; then
                    command=$word
                elif [[ -z $subcommand && $command =~ ^(plugin|agent|pool|trace|db|resource)$ ]]; then
                    subcommand=$word
                else
                    positional+=("$word")
                fi
                ;;
        esac
    done

    # Complete the value of the option before the cursor.
    case $previous in
        --socket)
            COMPREPLY=($(compgen -f -- "$current"))
            return
            ;;
        --data)
            COMPREPLY=($(compgen -d -- "$current"))
            return
            ;;
        --config)
            if [[ $command == serve ]]; then
                COMPREPLY=($(compgen -f -X '!*.json' -- "$current") $(compgen -d -- "$current"))
            fi
            return
            ;;
        --plugin)
            COMPREPLY=($(compgen -W "$(_mcpzero_plugin_references "$socket")" -- "$current"))
            return
            ;;
        --agent)
            COMPREPLY=($(compgen -W "$(_mcpzero_query_names "$socket" agent list)" -- "$current"))
            return
            ;;
        --file | --key)
            COMPREPLY=($(compgen -f -- "$current"))
            return
            ;;
        --out | --trusted-keys)
            COMPREPLY=($(compgen -d -- "$current"))
            return
            ;;
        --owner | --memory-mb | --timeout-ms | --fuel | --name | --since | --limit | --from | \
            --agents | --iterations | --payload-bytes | --method | --max-frame-bytes | \
            --instances-per-plugin | --size | --max | --wait-ms | --exec | --where | --fields | --capability | --type)
            return
            ;;
        --input)
            # INPUT as @FILE: complete the file name after the @.
            if [[ $current == @* ]]; then
                COMPREPLY=($(compgen -f -P @ -- "${current#@}"))
            fi
            return
            ;;
    esac

    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$current"))
        return
    fi

    case $command in
        serve)
            COMPREPLY=($(compgen -W "--socket --data --config --max-frame-bytes --instances-per-plugin --trusted-keys --allow-unsigned-plugins --help" -- "$current"))
            ;;
        status)
            COMPREPLY=($(compgen -W "$client_options" -- "$current"))
            ;;
        help)
            if [[ ${#positional[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "serve status stats plugin agent pool trace db resource bench" -- "$current"))
            fi
            ;;
        stats)
            COMPREPLY=($(compgen -W "--prometheus --watch $client_options" -- "$current"))
            ;;
        bench)
            COMPREPLY=($(compgen -W "--agents --iterations --payload-bytes --plugin --method $client_options" -- "$current"))
            ;;
        plugin)
            _mcpzero_plugin
            ;;
        agent)
            _mcpzero_agent
            ;;
        pool)
            _mcpzero_pool
            ;;
        trace)
            case $subcommand in
                "") COMPREPLY=($(compgen -W "list verify" -- "$current")) ;;
                list) COMPREPLY=($(compgen -W "--agent --since --until --limit $client_options" -- "$current")) ;;
                verify) COMPREPLY=($(compgen -W "--from $client_options" -- "$current")) ;;
            esac
            ;;
        db)
            _mcpzero_db
            ;;
        resource)
            case $subcommand in
                "") COMPREPLY=($(compgen -W "find list" -- "$current")) ;;
                find) COMPREPLY=($(compgen -W "--capability --type --owner --limit $client_options" -- "$current")) ;;
                list) COMPREPLY=($(compgen -W "--limit $client_options" -- "$current")) ;;
            esac
            ;;
    esac
}

_mcpzero_db()
{
    if [[ -z $subcommand ]]; then
        COMPREPLY=($(compgen -W "find get insert insert-many update delete create-index indexes" -- "$current"))
        return
    fi

    if [[ $current == -* ]]; then
        case $subcommand in
            find) COMPREPLY=($(compgen -W "--where --fields --limit $client_options" -- "$current")) ;;
            get) COMPREPLY=($(compgen -W "--fields $client_options" -- "$current")) ;;
            insert | insert-many | update) COMPREPLY=($(compgen -W "--file $client_options" -- "$current")) ;;
            *) COMPREPLY=($(compgen -W "$client_options" -- "$current")) ;;
        esac
        return
    fi

    if [[ ${#positional[@]} -eq 0 && $subcommand != indexes ]]; then
        COMPREPLY=($(compgen -W "agents resources traces snapshots" -- "$current"))
    fi
}

_mcpzero_plugin()
{
    if [[ -z $subcommand ]]; then
        COMPREPLY=($(compgen -W "install list show remove keygen sign verify" -- "$current"))
        return
    fi

    if [[ $current == -* ]]; then
        case $subcommand in
            install) COMPREPLY=($(compgen -W "--name --replace $client_options" -- "$current")) ;;
            keygen) COMPREPLY=($(compgen -W "--out --name --json --help" -- "$current")) ;;
            sign) COMPREPLY=($(compgen -W "--key --help" -- "$current")) ;;
            verify) COMPREPLY=($(compgen -W "--trusted-keys --help" -- "$current")) ;;
            *) COMPREPLY=($(compgen -W "$client_options" -- "$current")) ;;
        esac
        return
    fi

    if [[ ${#positional[@]} -gt 0 ]]; then
        return
    fi

    case $subcommand in
        install)
            COMPREPLY=($(compgen -f -X '!*.wasm' -- "$current") $(compgen -f -X '!*.json' -- "$current") \
                $(compgen -f -X '!*.tar' -- "$current") $(compgen -d -- "$current"))
            ;;
        sign)
            COMPREPLY=($(compgen -d -- "$current"))
            ;;
        verify)
            COMPREPLY=($(compgen -f -X '!*.tar' -- "$current") $(compgen -d -- "$current"))
            ;;
        show | remove)
            COMPREPLY=($(compgen -W "$(_mcpzero_plugin_references "$socket")" -- "$current"))
            ;;
    esac
}

_mcpzero_agent()
{
    if [[ -z $subcommand ]]; then
        COMPREPLY=($(compgen -W "spawn list show attach exec snapshot recover snapshot-delete terminate" -- "$current"))
        return
    fi

    if [[ $current == -* ]]; then
        case $subcommand in
            spawn) COMPREPLY=($(compgen -W "--owner --memory-mb --timeout-ms --fuel --config --plugin $client_options" -- "$current")) ;;
            exec) COMPREPLY=($(compgen -W "--plugin $client_options" -- "$current")) ;;
            *) COMPREPLY=($(compgen -W "$client_options" -- "$current")) ;;
        esac
        return
    fi

    local count=${#positional[@]}
    case $subcommand in
        show | snapshot | terminate)
            if [[ $count -eq 0 ]]; then
                COMPREPLY=($(compgen -W "$(_mcpzero_query_names "$socket" agent list)" -- "$current"))
            fi
            ;;
        attach)
            if [[ $count -eq 0 ]]; then
                COMPREPLY=($(compgen -W "$(_mcpzero_query_names "$socket" agent list)" -- "$current"))
            elif [[ $count -eq 1 ]]; then
                COMPREPLY=($(compgen -W "$(_mcpzero_plugin_references "$socket")" -- "$current"))
            fi
            ;;
        exec)
            if [[ $count -eq 0 ]]; then
                COMPREPLY=($(compgen -W "$(_mcpzero_query_names "$socket" agent list)" -- "$current"))
            elif [[ $count -eq 2 && $current == @* ]]; then
                # INPUT as @FILE: complete the file name after the @.
                COMPREPLY=($(compgen -f -P @ -- "${current#@}"))
            fi
            ;;
    esac
}

_mcpzero_pool()
{
    if [[ -z $subcommand ]]; then
        COMPREPLY=($(compgen -W "create list show lease return remove" -- "$current"))
        return
    fi

    if [[ $current == -* ]]; then
        case $subcommand in
            create) COMPREPLY=($(compgen -W "--size --max --owner --memory-mb --timeout-ms --fuel --config --plugin $client_options" -- "$current")) ;;
            lease) COMPREPLY=($(compgen -W "--wait-ms --exec --input --plugin --keep-state $client_options" -- "$current")) ;;
            return) COMPREPLY=($(compgen -W "--keep-state $client_options" -- "$current")) ;;
            remove) COMPREPLY=($(compgen -W "--force $client_options" -- "$current")) ;;
            *) COMPREPLY=($(compgen -W "$client_options" -- "$current")) ;;
        esac
        return
    fi

    local count=${#positional[@]}
    case $subcommand in
        show | lease | remove)
            if [[ $count -eq 0 ]]; then
                COMPREPLY=($(compgen -W "$(_mcpzero_query_names "$socket" pool list)" -- "$current"))
            fi
            ;;
        return)
            if [[ $count -eq 0 ]]; then
                COMPREPLY=($(compgen -W "$(_mcpzero_query_names "$socket" pool list)" -- "$current"))
            elif [[ $count -eq 1 ]]; then
                COMPREPLY=($(compgen -W "$(_mcpzero_query_names "$socket" agent list)" -- "$current"))
            fi
            ;;
    esac
}

complete -o filenames -F _mcpzero mcpzero
