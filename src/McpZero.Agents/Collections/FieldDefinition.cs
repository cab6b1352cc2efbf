using System.Globalization;
using System.Text.Json;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents.Collections;

/// <summary>Value type of a document field, as it appears in JSON and in filters.</summary>
internal enum FieldKind
{
    String,
    Integer,
    StringList,
    Map,
}

/// <summary>
/// One named field of a collection with a typed accessor, so that filters, projections and
/// indexes read documents without reflection.
/// </summary>
internal sealed class FieldDefinition<T>
{
    private readonly Func<T, string>? _readString;
    private readonly Func<T, long>? _readInteger;
    private readonly Func<T, IReadOnlyList<string>>? _readList;
    private readonly Func<T, IReadOnlyDictionary<string, string>>? _readMap;

    private FieldDefinition(
        string name,
        FieldKind kind,
        Func<T, string>? readString = null,
        Func<T, long>? readInteger = null,
        Func<T, IReadOnlyList<string>>? readList = null,
        Func<T, IReadOnlyDictionary<string, string>>? readMap = null)
    {
        Name = name;
        Kind = kind;
        _readString = readString;
        _readInteger = readInteger;
        _readList = readList;
        _readMap = readMap;
    }

    public string Name { get; }

    public FieldKind Kind { get; }

    /// <summary>
    /// Reason the field cannot be indexed, such as a value that changes on every call; null when it can.
    /// </summary>
    public string? NotIndexableReason { get; private init; }

    public static FieldDefinition<T> String(string name, Func<T, string> read, string? notIndexableReason = null) =>
        new(name, FieldKind.String, readString: read) { NotIndexableReason = notIndexableReason };

    public static FieldDefinition<T> Integer(string name, Func<T, long> read, string? notIndexableReason = null) =>
        new(name, FieldKind.Integer, readInteger: read) { NotIndexableReason = notIndexableReason };

    public static FieldDefinition<T> List(string name, Func<T, IReadOnlyList<string>> read) =>
        new(name, FieldKind.StringList, readList: read);

    public static FieldDefinition<T> Map(string name, Func<T, IReadOnlyDictionary<string, string>> read) =>
        new(name, FieldKind.Map, readMap: read) { NotIndexableReason = "it is a map of strings; filter or index on a scalar or list field" };

    /// <summary>Adds the keys this document has in an index on this field: one per value, one per list element.</summary>
    public void AddIndexKeys(T document, ICollection<string> keys)
    {
        switch (Kind)
        {
            case FieldKind.String:
                keys.Add(_readString!(document));
                break;
            case FieldKind.Integer:
                keys.Add(_readInteger!(document).ToString(CultureInfo.InvariantCulture));
                break;
            case FieldKind.StringList:
                foreach (string element in _readList!(document))
                {
                    keys.Add(element);
                }

                break;
            case FieldKind.Map:
                break;
        }
    }

    /// <summary>Tests one condition against the document; the condition was checked against this field before.</summary>
    public bool Matches(T document, FieldCondition<T> condition)
    {
        switch (Kind)
        {
            case FieldKind.String:
                return condition.Values.Contains(_readString!(document), StringComparer.Ordinal);
            case FieldKind.Integer:
                long value = _readInteger!(document);
                return condition.Operator switch
                {
                    DbOperator.GreaterOrEqual => value >= condition.Numbers[0],
                    DbOperator.Less => value < condition.Numbers[0],
                    _ => condition.Numbers.Contains(value),
                };
            case FieldKind.StringList:
                foreach (string element in _readList!(document))
                {
                    if (condition.Values.Contains(element, StringComparer.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    public void WriteJson(Utf8JsonWriter writer, T document)
    {
        writer.WritePropertyName(Name);
        switch (Kind)
        {
            case FieldKind.String:
                writer.WriteStringValue(_readString!(document));
                break;
            case FieldKind.Integer:
                writer.WriteNumberValue(_readInteger!(document));
                break;
            case FieldKind.StringList:
                writer.WriteStartArray();
                foreach (string element in _readList!(document))
                {
                    writer.WriteStringValue(element);
                }

                writer.WriteEndArray();
                break;
            case FieldKind.Map:
                writer.WriteStartObject();
                foreach (KeyValuePair<string, string> pair in _readMap!(document).OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(pair.Key, pair.Value);
                }

                writer.WriteEndObject();
                break;
        }
    }

    /// <summary>Checks a wire condition against this field and parses its values.</summary>
    /// <exception cref="AgentException">InvalidArgument naming the field and what is wrong.</exception>
    public FieldCondition<T> Compile(DbCondition condition, string collection)
    {
        string[] values = condition.Values ?? [];
        if (Kind == FieldKind.Map)
        {
            throw Invalid($"field '{Name}' of '{collection}' is a map and cannot be filtered; filter on a scalar or list field");
        }

        if (values.Length == 0)
        {
            throw Invalid($"condition on field '{Name}' of '{collection}' has no value; give at least one");
        }

        switch (condition.Operator)
        {
            case DbOperator.Equal when values.Length != 1:
                throw Invalid($"equality condition on field '{Name}' has {values.Length} values; use 'in' for several");
            case DbOperator.GreaterOrEqual or DbOperator.Less when Kind != FieldKind.Integer:
                throw Invalid($"field '{Name}' of '{collection}' is not an integer, so it supports only equality and 'in'");
            case DbOperator.GreaterOrEqual or DbOperator.Less when values.Length != 1:
                throw Invalid($"range condition on field '{Name}' takes one value, not {values.Length}");
            case DbOperator.Equal or DbOperator.In or DbOperator.GreaterOrEqual or DbOperator.Less:
                break;
            default:
                throw Invalid($"condition on field '{Name}' has unknown operator {(int)condition.Operator}; use 0 (equal), 1 (in), 2 (>=) or 3 (<)");
        }

        long[] numbers = [];
        if (Kind == FieldKind.Integer)
        {
            numbers = new long[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                if (!long.TryParse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]))
                {
                    throw Invalid($"value '{values[i]}' for integer field '{Name}' of '{collection}' is not an integer");
                }
            }
        }

        return new FieldCondition<T>(this, condition.Operator, values, numbers);
    }

    private static AgentException Invalid(string message) => new(ErrorCode.InvalidArgument, message);
}

/// <summary>A condition checked against its field, with integer values already parsed.</summary>
internal sealed record FieldCondition<T>(FieldDefinition<T> Field, DbOperator Operator, string[] Values, long[] Numbers)
{
    /// <summary>Whether an index on the field can list the candidates: equality and 'in' can, ranges cannot.</summary>
    public bool CanUseIndex => Operator is DbOperator.Equal or DbOperator.In;
}
