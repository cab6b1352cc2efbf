using System.Text.Json;
using McpZero.Agents.Trust;

namespace McpZero.Agents;

// The manifest fields of a plugin bundle: version, description and the declared exports.
internal sealed partial class PluginManifest
{
    /// <summary>The manifest's <c>version</c>; null for an unversioned plugin.</summary>
    public string? Version { get; private set; }

    public string? Description { get; private set; }

    /// <summary>Method names from the manifest's <c>exports</c> array; empty when it has none.</summary>
    public IReadOnlyList<string> DeclaredExports { get; private set; } = [];

    // Maximum description length in characters, so that listings can show it on one line.
    private const int MaxDescriptionLength = 1024;

    private void ReadBundleFields(JsonElement root)
    {
        if (OptionalString(root, "version") is { } version)
        {
            Version = PluginVersion.Parse(version).Text;
        }
        else if (root.TryGetProperty("version", out JsonElement other) && other.ValueKind != JsonValueKind.Null)
        {
            throw Invalid("\"version\" must be a string such as \"1.2.0\"");
        }

        Description = OptionalString(root, "description");
        if (Description is { Length: > MaxDescriptionLength })
        {
            throw Invalid($"\"description\" has {Description.Length} characters; the maximum is {MaxDescriptionLength}");
        }

        DeclaredExports = ReadExports(root);
    }

    // Each entry is a method name or an object with a "name" and further per-export settings.
    private static List<string> ReadExports(JsonElement root)
    {
        var exports = new List<string>();
        if (!root.TryGetProperty("exports", out JsonElement array) || array.ValueKind == JsonValueKind.Null)
        {
            return exports;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("\"exports\" must be an array of method names or objects with a \"name\"");
        }

        foreach (JsonElement entry in array.EnumerateArray())
        {
            string? name = entry.ValueKind switch
            {
                JsonValueKind.String => entry.GetString(),
                JsonValueKind.Object => OptionalString(entry, "name"),
                _ => null,
            };
            if (string.IsNullOrEmpty(name))
            {
                throw Invalid("each \"exports\" entry must be a non-empty method name or an object with a non-empty \"name\"");
            }

            if (exports.Contains(name))
            {
                throw Invalid($"\"exports\" lists '{name}' twice");
            }

            exports.Add(name);
        }

        return exports;
    }
}
