namespace McpZero.Cli;

/// <summary>A command line split into positional arguments, <c>--name value</c> options and flags.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandLine(List<string> positional) => Positional = positional;

    public List<string> Positional { get; }

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="spec"/>. A value option takes the next
    /// argument, or the text after <c>=</c>; everything after <c>--</c> is positional.
    /// </summary>
    /// <exception cref="UsageException">An option is unknown or lacks its value, or there are too many arguments.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, CommandSpec spec)
    {
        var positional = new List<string>();
        var line = new CommandLine(positional);
        bool onlyPositional = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (onlyPositional || !arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                onlyPositional = true;
                continue;
            }

            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (spec.Flags.Contains(name))
            {
                if (value is not null)
                {
                    throw new UsageException($"option --{name} takes no value");
                }

                line._flags.Add(name);
                continue;
            }

            if (!spec.ValueOptions.Contains(name))
            {
                throw UnknownOption(spec, name);
            }

            if (value is null)
            {
                // An option name in the value's place means the value is missing; --name=VALUE passes
                // a value that starts with "--".
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"option --{name} needs a value");
                }

                value = args[++i];
            }

            if (!line._options.TryGetValue(name, out List<string>? values))
            {
                values = [];
                line._options[name] = values;
            }

            values.Add(value);
        }

        if (positional.Count > spec.MaxPositional)
        {
            throw new UsageException($"unexpected argument '{positional[spec.MaxPositional]}' for `{spec.Name}`");
        }

        return line;
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Option(string name) => _options.TryGetValue(name, out List<string>? values) ? values[^1] : null;

    public IReadOnlyList<string> Options(string name) => _options.TryGetValue(name, out List<string>? values) ? values : [];

    public long? LongOption(string name, long min, long max)
    {
        string? text = Option(name);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, out long value) || value < min || value > max)
        {
            throw new UsageException($"option --{name} must be an integer from {min} to {max}, not '{text}'");
        }

        return value;
    }

    public string Argument(int index, string what)
    {
        return index < Positional.Count ? Positional[index] : throw new UsageException($"missing {what}");
    }

    private static UsageException UnknownOption(CommandSpec spec, string name)
    {
        string? suggestion = spec.Suggest(name);
        string hint = suggestion is null ? "" : $"; did you mean --{suggestion}?";
        return new UsageException($"unknown option --{name} for `{spec.Name}`{hint}");
    }
}

/// <summary>The command line is wrong; exit status 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
