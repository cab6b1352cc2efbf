using McpZero.Protocol.Messages;

namespace McpZero.Cli;

/// <summary>
/// Parses one <c>--where</c> condition: <c>FIELD=VALUE</c>, <c>FIELD=A,B</c> or <c>FIELD in A,B</c>
/// for 'in', <c>FIELD&gt;=N</c> and <c>FIELD&lt;N</c> for integer ranges.
/// </summary>
internal static class WhereParser
{
    public static DbCondition Parse(string text)
    {
        int inAt = text.IndexOf(" in ", StringComparison.Ordinal);
        if (inAt > 0)
        {
            return Condition(text, text[..inAt], DbOperator.In, text[(inAt + 4)..]);
        }

        int greaterAt = text.IndexOf(">=", StringComparison.Ordinal);
        if (greaterAt > 0)
        {
            return Condition(text, text[..greaterAt], DbOperator.GreaterOrEqual, text[(greaterAt + 2)..]);
        }

        int lessAt = text.IndexOf('<');
        if (lessAt > 0)
        {
            return Condition(text, text[..lessAt], DbOperator.Less, text[(lessAt + 1)..]);
        }

        int equalsAt = text.IndexOf('=');
        if (equalsAt > 0)
        {
            string value = text[(equalsAt + 1)..];
            return Condition(text, text[..equalsAt], value.Contains(',') ? DbOperator.In : DbOperator.Equal, value);
        }

        throw new UsageException($"--where '{text}' is not a condition; use FIELD=VALUE, FIELD=A,B, 'FIELD in A,B', FIELD>=N or FIELD<N");
    }

    private static DbCondition Condition(string text, string field, DbOperator op, string value)
    {
        field = field.Trim();
        string[] values = op == DbOperator.In
            ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [value.Trim()];
        if (field.Length == 0 || values.Length == 0 || values[0].Length == 0)
        {
            throw new UsageException($"--where '{text}' lacks a field or a value");
        }

        return new DbCondition { Field = field, Operator = op, Values = values };
    }
}
