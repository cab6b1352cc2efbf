using System.Globalization;
using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>Conditions of a find, all of which a document must match; built with chained calls.</summary>
/// <example><c>new DbFilter().Equal("status", "active").In("owner", "ada", "grace")</c></example>
public sealed class DbFilter
{
    private readonly List<DbCondition> _conditions = [];

    /// <summary>The field equals <paramref name="value"/>, or a list field contains it.</summary>
    public DbFilter Equal(string field, string value) => Add(field, DbOperator.Equal, [value]);

    /// <summary>The field equals any of <paramref name="values"/>, or a list field contains any of them.</summary>
    public DbFilter In(string field, params string[] values) => Add(field, DbOperator.In, values);

    /// <summary>An integer field is at least <paramref name="value"/>.</summary>
    public DbFilter GreaterOrEqual(string field, long value) => Add(field, DbOperator.GreaterOrEqual, [value.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>An integer field is below <paramref name="value"/>.</summary>
    public DbFilter Less(string field, long value) => Add(field, DbOperator.Less, [value.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Returns a copy of the conditions, as a find request carries them.</summary>
    public DbCondition[] ToConditions() => [.. _conditions];

    private DbFilter Add(string field, DbOperator op, string[] values)
    {
        _conditions.Add(new DbCondition { Field = field, Operator = op, Values = values });
        return this;
    }
}
