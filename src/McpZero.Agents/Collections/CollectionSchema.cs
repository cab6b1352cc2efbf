using System.Buffers;
using System.Text;
using System.Text.Json;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents.Collections;

/// <summary>The named fields of one collection, which filters, projections and indexes are checked against.</summary>
internal sealed class CollectionSchema<T>
{
    private readonly Dictionary<string, FieldDefinition<T>> _byName;

    public CollectionSchema(string name, IReadOnlyList<FieldDefinition<T>> fields)
    {
        Name = name;
        Fields = fields;
        _byName = fields.ToDictionary(field => field.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>Every field, in the order documents are written.</summary>
    public IReadOnlyList<FieldDefinition<T>> Fields { get; }

    /// <exception cref="AgentException">InvalidArgument naming the unknown field and listing the known ones.</exception>
    public FieldDefinition<T> Field(string name)
    {
        if (_byName.TryGetValue(name, out FieldDefinition<T>? field))
        {
            return field;
        }

        throw new AgentException(
            ErrorCode.InvalidArgument,
            $"collection '{Name}' has no field '{name}'; its fields are: {string.Join(", ", Fields.Select(field => field.Name))}");
    }

    public List<FieldCondition<T>> CompileFilter(IReadOnlyList<DbCondition>? conditions)
    {
        var compiled = new List<FieldCondition<T>>();
        foreach (DbCondition condition in conditions ?? [])
        {
            compiled.Add(Field(condition.Field ?? "").Compile(condition, Name));
        }

        return compiled;
    }

    /// <summary>Returns the requested fields, or every field when none is requested.</summary>
    public IReadOnlyList<FieldDefinition<T>> CompileProjection(IReadOnlyList<string>? fields)
    {
        if (fields is null || fields.Count == 0)
        {
            return Fields;
        }

        return [.. fields.Distinct(StringComparer.Ordinal).Select(Field)];
    }

    public static bool Matches(T document, List<FieldCondition<T>> conditions)
    {
        foreach (FieldCondition<T> condition in conditions)
        {
            if (!condition.Field.Matches(document, condition))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the projected fields of <paramref name="document"/> as one JSON object.</summary>
    public static string ToJson(T document, IReadOnlyList<FieldDefinition<T>> projection)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (FieldDefinition<T> field in projection)
            {
                field.WriteJson(writer, document);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
