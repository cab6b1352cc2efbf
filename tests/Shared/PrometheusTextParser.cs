using System.Globalization;
using System.Text.RegularExpressions;

namespace McpZero.Tests.Shared;

/// <summary>One sample line of the Prometheus text format: a metric name, its labels and a value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out string? value) ? value : null;
}

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, for tests. It checks the rules
/// listed below and throws on the first line that breaks one.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>HELP, TYPE and sample lines have the format's syntax, with valid metric and label names.</item>
/// <item>Label values use only the escapes \\, \" and \n, and values use Go's float syntax.</item>
/// <item>A family has at most one TYPE line, and it comes before the family's samples.</item>
/// <item>A summary's samples carry a quantile label, except name_sum and name_count.</item>
/// <item>The lines of a family are contiguous, no series appears twice, and the text ends with a line feed.</item>
/// </list>
/// </remarks>
internal static partial class PrometheusTextParser
{
    /// <summary>Parses <paramref name="text"/> and returns its samples and family types.</summary>
    /// <exception cref="FormatException">A rule is broken; the message names the line.</exception>
    public static (List<PrometheusSample> Samples, Dictionary<string, string> Types) Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the text does not end with a line feed");
        }

        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new HashSet<string>(StringComparer.Ordinal);
        var finishedFamilies = new HashSet<string>(StringComparer.Ordinal);
        var seriesSeen = new HashSet<string>(StringComparer.Ordinal);
        string? currentFamily = null;

        string[] lines = text.Split('\n');
        for (int number = 1; number <= lines.Length - 1; number++)
        {
            string line = lines[number - 1];
            if (line.Length == 0)
            {
                continue;
            }

            string family;
            if (line.StartsWith('#'))
            {
                Match comment = CommentLine().Match(line);
                if (!comment.Success)
                {
                    // Other comments are allowed and ignored.
                    if (line.StartsWith("# HELP", StringComparison.Ordinal) || line.StartsWith("# TYPE", StringComparison.Ordinal))
                    {
                        throw new FormatException($"line {number}: malformed {line[2..6]} line: {line}");
                    }

                    continue;
                }

                family = comment.Groups["name"].Value;
                string keyword = comment.Groups["keyword"].Value;
                string rest = comment.Groups["rest"].Value;
                if (keyword == "TYPE")
                {
                    if (rest is not ("counter" or "gauge" or "summary" or "histogram" or "untyped"))
                    {
                        throw new FormatException($"line {number}: unknown type '{rest}'");
                    }

                    if (!types.TryAdd(family, rest))
                    {
                        throw new FormatException($"line {number}: a second TYPE line for {family}");
                    }

                    if (samples.Any(sample => FamilyOf(sample.Name, types) == family))
                    {
                        throw new FormatException($"line {number}: the TYPE line of {family} follows its samples");
                    }
                }
                else
                {
                    CheckEscapes(rest, allowQuote: false, number);
                    if (!helps.Add(family))
                    {
                        throw new FormatException($"line {number}: a second HELP line for {family}");
                    }
                }
            }
            else
            {
                PrometheusSample sample = ParseSample(line, number);
                family = FamilyOf(sample.Name, types);
                if (types.TryGetValue(family, out string? type) && type == "summary" && family != sample.Name && !sample.Labels.ContainsKey("quantile"))
                {
                    // name_sum and name_count of a summary carry no quantile label; accepted.
                }
                else if (types.TryGetValue(family, out type) && type == "summary" && family == sample.Name && !sample.Labels.ContainsKey("quantile"))
                {
                    throw new FormatException($"line {number}: a summary sample of {family} without a quantile label");
                }

                string series = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}")) + "}";
                if (!seriesSeen.Add(series))
                {
                    throw new FormatException($"line {number}: series {series} appears twice");
                }

                samples.Add(sample);
            }

            if (family != currentFamily)
            {
                if (currentFamily is not null)
                {
                    finishedFamilies.Add(currentFamily);
                }

                if (finishedFamilies.Contains(family))
                {
                    throw new FormatException($"line {number}: the lines of {family} are not contiguous");
                }

                currentFamily = family;
            }
        }

        return (samples, types);
    }

    private static string FamilyOf(string sampleName, Dictionary<string, string> types)
    {
        foreach (string suffix in new[] { "_sum", "_count", "_bucket" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal))
            {
                string baseName = sampleName[..^suffix.Length];
                if (types.TryGetValue(baseName, out string? type) && (type == "summary" || type == "histogram"))
                {
                    return baseName;
                }
            }
        }

        return sampleName;
    }

    private static PrometheusSample ParseSample(string line, int number)
    {
        Match match = SampleLine().Match(line);
        if (!match.Success)
        {
            throw new FormatException($"line {number}: not a sample line: {line}");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        string labelText = match.Groups["labels"].Value;
        int position = 0;
        while (position < labelText.Length)
        {
            Match label = LabelPair().Match(labelText, position);
            if (!label.Success || label.Index != position)
            {
                throw new FormatException($"line {number}: malformed labels: {labelText}");
            }

            string raw = label.Groups["value"].Value;
            CheckEscapes(raw, allowQuote: true, number);
            string value = raw.Replace("\\\\", "\u0000").Replace("\\\"", "\"").Replace("\\n", "\n").Replace("\u0000", "\\");
            if (!labels.TryAdd(label.Groups["name"].Value, value))
            {
                throw new FormatException($"line {number}: label {label.Groups["name"].Value} appears twice");
            }

            position += label.Length;
            if (position < labelText.Length)
            {
                if (labelText[position] != ',')
                {
                    throw new FormatException($"line {number}: expected ',' between labels: {labelText}");
                }

                position++;
            }
        }

        string valueText = match.Groups["value"].Value;
        double sampleValue = valueText switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ when double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
            _ => throw new FormatException($"line {number}: value '{valueText}' is not a float"),
        };

        return new PrometheusSample(match.Groups["name"].Value, labels, sampleValue);
    }

    private static void CheckEscapes(string text, bool allowQuote, int number)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                continue;
            }

            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (next is not ('\\' or 'n') && !(allowQuote && next == '"'))
            {
                throw new FormatException($"line {number}: invalid escape '\\{next}'");
            }

            i++;
        }
    }

    [GeneratedRegex(@"^# (?<keyword>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex CommentLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>(?:[^""}]|""(?:[^""\\]|\\.)*"")*)\})? (?<value>\S+)( -?[0-9]+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
