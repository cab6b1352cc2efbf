namespace McpZero.Cli;

/// <summary>A command line split into positional arguments and <c>--name value</c> options.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandLine(List<string> positional) => Positional = positional;

    public List<string> Positional { get; }

    /// <summary>
    /// Parses <paramref name="args"/>. Names in <paramref name="flagNames"/> take no value; every
    /// other <c>--name</c> takes the next argument, or the text after <c>=</c>.
    /// </summary>
    public static CommandLine Parse(IEnumerable<string> args, params string[] flagNames)
    {
        var positional = new List<string>();
        var line = new CommandLine(positional);
        using IEnumerator<string> enumerator = args.GetEnumerator();
        bool onlyPositional = false;
        while (enumerator.MoveNext())
        {
            string arg = enumerator.Current;
            if (onlyPositional || !arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                if (arg == "--" && !onlyPositional)
                {
                    onlyPositional = true;
                    continue;
                }

                positional.Add(arg);
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

            if (flagNames.Contains(name))
            {
                if (value is not null)
                {
                    throw new UsageException($"option --{name} takes no value");
                }

                line._flags.Add(name);
                continue;
            }

            if (value is null)
            {
                if (!enumerator.MoveNext())
                {
                    throw new UsageException($"option --{name} needs a value");
                }

                value = enumerator.Current;
            }

            if (!line._options.TryGetValue(name, out List<string>? values))
            {
                values = [];
                line._options[name] = values;
            }

            values.Add(value);
        }

        return line;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _flags.Contains(name);
    }

    public string? Option(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out List<string>? values) ? values[^1] : null;
    }

    public IReadOnlyList<string> Options(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out List<string>? values) ? values : [];
    }

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

    /// <summary>Rejects options the command did not read, and extra positional arguments.</summary>
    public void EnsureNoExtras(int maxPositional)
    {
        foreach (string name in _options.Keys.Concat(_flags))
        {
            if (!_used.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
        }

        if (Positional.Count > maxPositional)
        {
            throw new UsageException($"unexpected argument '{Positional[maxPositional]}'");
        }
    }
}

/// <summary>The command line is wrong; exit status 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
