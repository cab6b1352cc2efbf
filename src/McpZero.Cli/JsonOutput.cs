using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

/// <summary>Writes responses as JSON for scripts (<c>--json</c>), with snake_case names.</summary>
internal static class JsonOutput
{
    /// <summary>Writes <paramref name="value"/>; pass type information from <see cref="CliJsonContext.Relaxed"/>.</summary>
    public static void Write<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        Output.Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(PluginInfo))]
[JsonSerializable(typeof(PluginListResponse))]
[JsonSerializable(typeof(AgentInfo))]
[JsonSerializable(typeof(AgentListResponse))]
[JsonSerializable(typeof(ExecResponse))]
[JsonSerializable(typeof(SnapshotResponse))]
[JsonSerializable(typeof(OkResponse))]
[JsonSerializable(typeof(TraceListResponse))]
[JsonSerializable(typeof(TraceVerifyResponse))]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(PoolInfo))]
[JsonSerializable(typeof(PoolListResponse))]
[JsonSerializable(typeof(PoolLeaseResponse))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(DbWriteResponse))]
[JsonSerializable(typeof(DbIndexListResponse))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The generated metadata with the attribute's settings, and an encoder that leaves '+', '&lt;',
    /// '&gt;', '&amp;', apostrophes and non-ASCII letters unescaped. The output goes to terminals and
    /// scripts, never into HTML.
    /// </summary>
    public static CliJsonContext Relaxed => RelaxedHolder.Instance;

    // A nested class, because static initializers in two files of a partial class run in an
    // unspecified order, and this one needs Default.
    private static class RelaxedHolder
    {
        public static readonly CliJsonContext Instance = new(new JsonSerializerOptions(Default.Options)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }
}
