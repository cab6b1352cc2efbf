using System.Text.Json;
using McpZero.Agents.Trust;

namespace McpZero.Agents;

// The manifest fields of a plugin bundle: version and description. The exports list is parsed
// with the cacheable flags in PluginManifest.cs.
internal sealed partial class PluginManifest
{
    /// <summary>The manifest's <c>version</c>; null for an unversioned plugin.</summary>
    public string? Version { get; private set; }

    public string? Description { get; private set; }

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
    }
}
