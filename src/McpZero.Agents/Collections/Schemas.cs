using McpZero.Protocol;
using McpZero.Storage;

namespace McpZero.Agents.Collections;

/// <summary>The field schema of each collection. JSON names are snake_case and times are Unix microseconds (UTC).</summary>
internal static class Schemas
{
    public static readonly CollectionSchema<AgentDocument> Agents = new(CollectionNames.Agents,
    [
        FieldDefinition<AgentDocument>.String("agent_id", agent => agent.Record.AgentId),
        FieldDefinition<AgentDocument>.String("owner", agent => agent.Record.Owner),
        FieldDefinition<AgentDocument>.String("status", agent => agent.Record.Status),
        FieldDefinition<AgentDocument>.List("plugins", agent => agent.Record.Plugins),
        FieldDefinition<AgentDocument>.Integer("created_unix_micros", agent => agent.Record.CreatedUnixMicros),
        FieldDefinition<AgentDocument>.Integer(
            "executions", agent => agent.Record.Executions, notIndexableReason: "it changes on every call"),
        FieldDefinition<AgentDocument>.Integer("memory_mb", agent => agent.Record.Constraints.MemoryMb),
        FieldDefinition<AgentDocument>.Integer("timeout_ms", agent => agent.Record.Constraints.TimeoutMs),
        FieldDefinition<AgentDocument>.Integer("fuel", agent => agent.Record.Constraints.Fuel),
        FieldDefinition<AgentDocument>.Map("config", agent => agent.Record.Config),
        FieldDefinition<AgentDocument>.List("snapshots", agent => agent.Record.Snapshots),
        FieldDefinition<AgentDocument>.Map("metadata", agent => agent.Metadata),
    ]);

    public static readonly CollectionSchema<ResourceRecord> Resources = new(CollectionNames.Resources,
    [
        FieldDefinition<ResourceRecord>.String("resource_id", resource => resource.ResourceId),
        FieldDefinition<ResourceRecord>.String("resource_type", resource => resource.ResourceType),
        FieldDefinition<ResourceRecord>.String("owner", resource => resource.Owner),
        FieldDefinition<ResourceRecord>.List("capabilities", resource => resource.Capabilities),
        FieldDefinition<ResourceRecord>.String("location", resource => resource.Location),
        FieldDefinition<ResourceRecord>.Map("metadata", resource => resource.Metadata),
        FieldDefinition<ResourceRecord>.Integer("created_unix_micros", resource => resource.CreatedUnixMicros),
    ]);

    public static readonly CollectionSchema<TraceRecord> Traces = new(CollectionNames.Traces,
    [
        FieldDefinition<TraceRecord>.Integer("sequence", trace => trace.Sequence),
        FieldDefinition<TraceRecord>.Integer("timestamp_unix_micros", trace => trace.TimestampUnixMicros),
        FieldDefinition<TraceRecord>.String("agent_id", trace => trace.AgentId),
        FieldDefinition<TraceRecord>.String("plugin", trace => trace.Plugin),
        FieldDefinition<TraceRecord>.String("method", trace => trace.Method),
        FieldDefinition<TraceRecord>.String("status", trace => TraceStatusName(trace.Status)),
        FieldDefinition<TraceRecord>.String("error", trace => ((ErrorCode)trace.ErrorCode).ToString()),
        FieldDefinition<TraceRecord>.Integer("duration_micros", trace => trace.DurationMicros),
        FieldDefinition<TraceRecord>.String("input_sha256", trace => Convert.ToHexStringLower(trace.InputSha256)),
        FieldDefinition<TraceRecord>.String("output_sha256", trace => Convert.ToHexStringLower(trace.OutputSha256)),
        FieldDefinition<TraceRecord>.String("previous_hash", trace => Convert.ToHexStringLower(trace.PreviousHash)),
        FieldDefinition<TraceRecord>.String("hash", trace => Convert.ToHexStringLower(trace.Hash)),
    ]);

    public static readonly CollectionSchema<SnapshotRecord> Snapshots = new(CollectionNames.Snapshots,
    [
        FieldDefinition<SnapshotRecord>.String("snapshot_id", snapshot => snapshot.SnapshotId),
        FieldDefinition<SnapshotRecord>.String("agent_id", snapshot => snapshot.AgentId),
        FieldDefinition<SnapshotRecord>.Integer("created_unix_micros", snapshot => snapshot.CreatedUnixMicros),
        FieldDefinition<SnapshotRecord>.List("plugins", snapshot => snapshot.Plugins),
        FieldDefinition<SnapshotRecord>.Map("config", snapshot => snapshot.Config),
        // Older snapshots keep their values inline, newer ones as references to shared blobs.
        FieldDefinition<SnapshotRecord>.List("variables", snapshot => [.. snapshot.Variables.Keys.Concat((IEnumerable<string>?)snapshot.VariableBlobs?.Keys ?? []).Distinct().Order(StringComparer.Ordinal)]),
    ]);

    public static string TraceStatusName(TraceStatus status) => status switch
    {
        TraceStatus.Ok => "ok",
        TraceStatus.Cached => "cached",
        _ => "failed",
    };
}
