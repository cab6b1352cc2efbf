using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.Agents;

// Documents kept in the state store. Every type is version tolerant so that a newer build can add
// members and still read what an older one wrote.

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class AgentRecord
{
    [MemoryPackOrder(0)] public string AgentId { get; set; } = "";
    [MemoryPackOrder(1)] public string Owner { get; set; } = "";
    [MemoryPackOrder(2)] public string Status { get; set; } = AgentStatus.Active;
    [MemoryPackOrder(3)] public AgentConstraints Constraints { get; set; } = new();
    [MemoryPackOrder(4)] public Dictionary<string, string> Config { get; set; } = [];
    [MemoryPackOrder(5)] public List<string> Plugins { get; set; } = [];
    [MemoryPackOrder(6)] public long CreatedUnixMicros { get; set; }
    [MemoryPackOrder(7)] public long Executions { get; set; }
    [MemoryPackOrder(8)] public List<string> Snapshots { get; set; } = [];

    // The owner uid is stored as a flag and a value, because MemoryPack copies a uint? with its
    // padding bytes uninitialized, which makes the stored bytes differ between writes.
    [MemoryPackOrder(9)] public bool HasOwnerUid { get; set; }
    [MemoryPackOrder(10)] public uint OwnerUidValue { get; set; }

    /// <summary>
    /// Uid of the process that spawned the agent, or of the pool's creator for a pool agent. Null
    /// for an agent stored before owner uids were recorded, which only admins may use.
    /// </summary>
    [MemoryPackIgnore]
    public uint? OwnerUid
    {
        get => HasOwnerUid ? OwnerUidValue : null;
        set
        {
            HasOwnerUid = value.HasValue;
            OwnerUidValue = value ?? 0;
        }
    }
}

internal static class AgentStatus
{
    public const string Active = "active";
    public const string Terminated = "terminated";
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class PluginRecord
{
    [MemoryPackOrder(0)] public string Name { get; set; } = "";
    [MemoryPackOrder(1)] public string Sha256 { get; set; } = "";
    [MemoryPackOrder(2)] public long SizeBytes { get; set; }
    [MemoryPackOrder(3)] public string[] Exports { get; set; } = [];
    [MemoryPackOrder(4)] public Dictionary<string, string> Config { get; set; } = [];
    [MemoryPackOrder(5)] public long InstalledUnixMicros { get; set; }

    /// <summary>Manifest <c>memory.max_pages</c>; 0 when the manifest set none.</summary>
    [MemoryPackOrder(6)] public int MaxPages { get; set; }

    /// <summary>Manifest <c>timeout_ms</c>; 0 when the manifest set none.</summary>
    [MemoryPackOrder(7)] public int TimeoutMs { get; set; }

    /// <summary>Manifest <c>memory.max_var_bytes</c>; 0 when the manifest set none.</summary>
    [MemoryPackOrder(8)] public long MaxVariableBytes { get; set; }

    /// <summary>Manifest <c>version</c>; empty for an unversioned plugin, which sorts below every version.</summary>
    [MemoryPackOrder(9)] public string Version { get; set; } = "";

    [MemoryPackOrder(10)] public string Description { get; set; } = "";

    /// <summary>Key id of the trusted key that signed the bundle; empty for an unsigned plugin.</summary>
    [MemoryPackOrder(11)] public string SignerKeyId { get; set; } = "";

    /// <summary>The bundle's README.md; empty when it had none.</summary>
    [MemoryPackOrder(12)] public string Readme { get; set; } = "";

    /// <summary>Manifest <c>capabilities</c> as declared.</summary>
    [MemoryPackOrder(13)] public string[] Capabilities { get; set; } = [];

    /// <summary>Exports the manifest marks <c>"cacheable": true</c>; their successful results go to the result cache.</summary>
    /// <remarks>A record written before this member existed reads it as null, which the setter turns into an empty array.</remarks>
    [MemoryPackOrder(14)] public string[] CacheableExports { get; set => field = value ?? []; } = [];

    /// <summary>Manifest <c>allowed_hosts</c>: host name patterns the plugin's <c>http_request</c> may reach.</summary>
    [MemoryPackOrder(15)] public string[] AllowedHosts { get; set; } = [];

    /// <summary>Manifest <c>allowed_paths</c>: directories preopened for WASI.</summary>
    [MemoryPackOrder(16)] public List<StoredPathGrant> AllowedPaths { get; set; } = [];

    /// <summary>Manifest <c>memory.max_http_response_bytes</c>; 0 when the manifest set none.</summary>
    [MemoryPackOrder(17)] public long MaxHttpResponseBytes { get; set; }

    // MemoryPack sets members missing from an older document to null, not to their initial values.
    [MemoryPackOnDeserialized]
    private void ReplaceMissingGrants()
    {
        AllowedHosts ??= [];
        AllowedPaths ??= [];
    }
}

/// <summary>One <c>allowed_paths</c> entry of a plugin.</summary>
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class StoredPathGrant
{
    [MemoryPackOrder(0)] public string HostPath { get; set; } = "";
    [MemoryPackOrder(1)] public string GuestPath { get; set; } = "";
    [MemoryPackOrder(2)] public bool Writable { get; set; }
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class VariableSet
{
    [MemoryPackOrder(0)] public Dictionary<string, byte[]> Values { get; set; } = [];
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class SnapshotRecord
{
    [MemoryPackOrder(0)] public string SnapshotId { get; set; } = "";
    [MemoryPackOrder(1)] public string AgentId { get; set; } = "";
    [MemoryPackOrder(2)] public long CreatedUnixMicros { get; set; }
    [MemoryPackOrder(3)] public Dictionary<string, string> Config { get; set; } = [];
    [MemoryPackOrder(4)] public List<string> Plugins { get; set; } = [];
    [MemoryPackOrder(5)] public AgentConstraints Constraints { get; set; } = new();
    /// <summary>Variable values stored inline; only snapshots taken before <see cref="VariableBlobs"/> existed use it.</summary>
    [MemoryPackOrder(6)] public Dictionary<string, byte[]> Variables { get; set; } = [];

    /// <summary>Each variable name with the SHA-256 of its value, which <see cref="SnapshotBlobs"/> stores once.</summary>
    [MemoryPackOrder(7)] public Dictionary<string, string> VariableBlobs { get; set; } = [];
}

/// <summary>The ids of every document of one kind, since the store is read by key only.</summary>
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class IdIndex
{
    [MemoryPackOrder(0)] public List<string> Ids { get; set; } = [];
}

/// <summary>Key layout of the state store.</summary>
internal static class StoreKeys
{
    public const string AgentIndex = "index/agents";
    public const string PluginIndex = "index/plugins";

    public static string Agent(string agentId) => "agent/" + agentId;

    public static string Variables(string agentId) => "vars/" + agentId;

    public static string Plugin(string name) => "plugin/" + name;

    public static string Snapshot(string snapshotId) => "snapshot/" + snapshotId;
}
