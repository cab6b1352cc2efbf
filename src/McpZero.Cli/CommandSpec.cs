namespace McpZero.Cli;

/// <summary>
/// What one command accepts: options that take a value, flags that take none, and the maximum
/// number of positional arguments.
/// </summary>
internal sealed class CommandSpec
{
    public CommandSpec(string name, int maxPositional, string[] valueOptions, string[] flags)
    {
        Name = name;
        MaxPositional = maxPositional;
        ValueOptions = valueOptions;
        Flags = flags;
    }

    /// <summary>The command as the user types it, for example <c>agent list</c>.</summary>
    public string Name { get; }

    public int MaxPositional { get; }

    public string[] ValueOptions { get; }

    public string[] Flags { get; }

    /// <summary>A client command: its own value options plus --socket PATH and the --json flag.</summary>
    public static CommandSpec Client(string name, int maxPositional, params string[] valueOptions) =>
        new(name, maxPositional, [.. valueOptions, "socket"], ["json"]);

    /// <summary>Returns the accepted option nearest to <paramref name="name"/>, or null when none is close.</summary>
    public string? Suggest(string name)
    {
        string[] accepted = [.. ValueOptions, .. Flags];
        string[] extensions = [.. accepted.Where(option => option.StartsWith(name, StringComparison.Ordinal))];
        if (name.Length >= 2 && extensions.Length == 1)
        {
            return extensions[0];
        }

        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string option in accepted)
        {
            int distance = EditDistance(name, option);
            if (distance < bestDistance)
            {
                best = option;
                bestDistance = distance;
            }
        }

        // Up to two edits is a typo, unless they change more than a third of the name.
        return bestDistance <= 2 && bestDistance * 3 <= Math.Max(name.Length, 3) ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
