using System.Text.Json;
using System.Text.Json.Serialization;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

/// <summary>Writes responses as JSON for scripts (<c>--json</c>), with snake_case names.</summary>
internal static class JsonOutput
{
    public static void Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));
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
internal sealed partial class CliJsonContext : JsonSerializerContext;
