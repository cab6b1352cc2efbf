using System.Globalization;

namespace McpZero.Perf.Load;

/// <summary>Command-line options of the form <c>--name value</c>; a name may repeat.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, List<string>> _values = [];

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new FormatException($"expected '--name value' but found '{args[i]}'");
            }

            string name = args[i][2..];
            if (!options._values.TryGetValue(name, out List<string>? list))
            {
                list = [];
                options._values[name] = list;
            }

            list.Add(args[++i]);
        }

        return options;
    }

    public string? Get(string name) => _values.TryGetValue(name, out List<string>? list) ? list[^1] : null;

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out List<string>? list) ? list : [];

    public string Required(string name) => Get(name) ?? throw new FormatException($"--{name} is missing");

    public double Number(string name, double defaultValue, double min, double max)
    {
        string? text = Get(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < min || value > max)
        {
            throw new FormatException($"--{name} '{text}' is invalid; expected a number from {min} to {max}");
        }

        return value;
    }
}
