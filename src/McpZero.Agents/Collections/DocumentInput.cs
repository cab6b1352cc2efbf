using System.Text.Json;
using McpZero.Protocol;

namespace McpZero.Agents.Collections;

/// <summary>Reads a JSON object from a db request, with errors that name the collection and the field.</summary>
internal sealed class DocumentInput : IDisposable
{
    private readonly JsonDocument _document;

    // The document as errors name it: the collection, and its position when it is part of a batch.
    private readonly string _source;

    private DocumentInput(JsonDocument document, string source)
    {
        _document = document;
        _source = source;
    }

    public JsonElement Root => _document.RootElement;

    /// <param name="position">Index of the document in a batch insert; null for an update.</param>
    /// <exception cref="AgentException">InvalidArgument when the text is not one JSON object.</exception>
    public static DocumentInput Parse(string? json, string collection, int? position)
    {
        string source = position is null ? $"'{collection}'" : $"document {position} for '{collection}'";
        string whole = position is null ? $"the changes for '{collection}'" : source;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json ?? "");
        }
        catch (JsonException ex)
        {
            throw Invalid($"{whole} is not valid JSON: {ex.Message}");
        }

        JsonValueKind kind = document.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Invalid($"{whole} is a JSON {kind}, not an object");
        }

        return new DocumentInput(document, source);
    }

    /// <summary>Rejects any property that is not in <paramref name="allowed"/>, naming it and the reason.</summary>
    public void RejectOtherFields(IReadOnlyCollection<string> allowed, string? reason = null)
    {
        foreach (JsonProperty property in Root.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw Invalid(reason is null
                    ? $"field '{property.Name}' cannot be written in {_source}; writable fields: {string.Join(", ", allowed)}"
                    : $"field '{property.Name}' cannot be written in {_source}: {reason}");
            }
        }
    }

    public bool Has(string field) => Root.TryGetProperty(field, out _);

    public string? String(string field)
    {
        if (!Root.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Invalid($"field '{field}' of {_source} must be a string, not a JSON {value.ValueKind}");
    }

    public string RequiredString(string field) =>
        String(field) is { Length: > 0 } text ? text : throw Invalid($"field '{field}' of {_source} is missing; give a non-empty string");

    public long? Integer(string field)
    {
        if (!Root.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number)
            ? number
            : throw Invalid($"field '{field}' of {_source} must be an integer");
    }

    public List<string>? StringList(string field)
    {
        if (!Root.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"field '{field}' of {_source} must be an array of strings");
        }

        var list = new List<string>();
        foreach (JsonElement element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 } text)
            {
                throw Invalid($"field '{field}' of {_source} must be an array of non-empty strings");
            }

            if (!list.Contains(text, StringComparer.Ordinal))
            {
                list.Add(text);
            }
        }

        return list;
    }

    public Dictionary<string, string>? Map(string field)
    {
        if (!Root.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"field '{field}' of {_source} must be an object of strings");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw Invalid($"value '{property.Name}' of field '{field}' in {_source} must be a string");
        }

        return map;
    }

    public void Dispose() => _document.Dispose();

    private static AgentException Invalid(string message) => new(ErrorCode.InvalidArgument, message);
}
