using MemoryPack;

namespace McpZero.Protocol.Messages;

/// <summary>A message the server sends. The union tag equals <see cref="MessageType"/>.</summary>
[MemoryPackable]
[MemoryPackUnion(MessageTypes.HelloResult, typeof(HelloResponse))]
[MemoryPackUnion(MessageTypes.StatusResult, typeof(StatusResponse))]
[MemoryPackUnion(MessageTypes.Error, typeof(ErrorResponse))]
[MemoryPackUnion(MessageTypes.Ok, typeof(OkResponse))]
[MemoryPackUnion(MessageTypes.PluginInfo, typeof(PluginInfo))]
[MemoryPackUnion(MessageTypes.PluginListResult, typeof(PluginListResponse))]
[MemoryPackUnion(MessageTypes.AgentInfo, typeof(AgentInfo))]
[MemoryPackUnion(MessageTypes.AgentListResult, typeof(AgentListResponse))]
[MemoryPackUnion(MessageTypes.ExecResult, typeof(ExecResponse))]
[MemoryPackUnion(MessageTypes.SnapshotResult, typeof(SnapshotResponse))]
[MemoryPackUnion(MessageTypes.TraceListResult, typeof(TraceListResponse))]
[MemoryPackUnion(MessageTypes.TraceVerifyResult, typeof(TraceVerifyResponse))]
[MemoryPackUnion(MessageTypes.PoolInfo, typeof(PoolInfo))]
[MemoryPackUnion(MessageTypes.PoolListResult, typeof(PoolListResponse))]
[MemoryPackUnion(MessageTypes.PoolLeaseResult, typeof(PoolLeaseResponse))]
[MemoryPackUnion(MessageTypes.StatsResult, typeof(StatsResponse))]
[MemoryPackUnion(MessageTypes.DbDocuments, typeof(DbDocumentsResponse))]
[MemoryPackUnion(MessageTypes.DbWriteResult, typeof(DbWriteResponse))]
[MemoryPackUnion(MessageTypes.DbIndexListResult, typeof(DbIndexListResponse))]
[MemoryPackUnion(MessageTypes.BatchResult, typeof(BatchResponse))]
public partial interface IResponse
{
    ushort MessageType { get; }
}

[MemoryPackable]
public sealed partial class HelloResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.HelloResult;
    public int ProtocolVersion { get; set; }
    public string ServerVersion { get; set; } = "";
    public uint MaxFrameBytes { get; set; }

    /// <summary>
    /// The codec both sides use for bodies above <see cref="CompressionThresholdBytes"/>. It is empty
    /// when frames are not compressed, and null from servers that predate compression.
    /// </summary>
    public string? CompressionCodec { get; set; } = "";

    /// <summary>Serialized body size in bytes above which a sender compresses a body, or 0 when <see cref="CompressionCodec"/> is empty.</summary>
    public int CompressionThresholdBytes { get; set; }
}

[MemoryPackable]
public sealed partial class StatusResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.StatusResult;
    public string ServerVersion { get; set; } = "";
    public string WasmtimeVersion { get; set; } = "";
    public string DataDirectory { get; set; } = "";
    public string SocketPath { get; set; } = "";
    public int ProcessId { get; set; }
    public long UptimeMilliseconds { get; set; }
    public int Agents { get; set; }
    public int Plugins { get; set; }
    public long Executions { get; set; }
    public long TraceRecords { get; set; }
    public long ResidentBytes { get; set; }
    public long PeakResidentBytes { get; set; }
    public long GcHeapBytes { get; set; }
    public long GcHeapHardLimitBytes { get; set; }
    public long ModulesCompiled { get; set; }
    public long ModulesLoadedFromCache { get; set; }
    public int Connections { get; set; }

    // Resource governance.
    public long MemoryCeilingBytes { get; set; }
    public long WasmMemoryBudgetBytes { get; set; }
    public long WasmMemoryReservedBytes { get; set; }
    public double CpuBudgetPercent { get; set; }
    public int QueuedExecutions { get; set; }

    /// <summary>Uid of the client on this connection, as the server read it from the socket.</summary>
    public long CallerUid { get; set; }

    /// <summary>True when the server treats this connection's client as an admin.</summary>
    public bool CallerIsAdmin { get; set; }
    // Plugin loading and the result cache.

    /// <summary>Compiled plugin modules held in memory now; idle ones are unloaded after PluginIdleUnloadSeconds.</summary>
    public int LoadedModules { get; set; }

    /// <summary>Modules unloaded since the daemon started, after being idle or when their plugin was removed or replaced.</summary>
    public long ModulesUnloaded { get; set; }

    /// <summary>Calls of cacheable exports served from the result cache without running the plugin.</summary>
    public long ResultCacheHits { get; set; }

    /// <summary>Calls of cacheable exports that ran the plugin because no result was cached.</summary>
    public long ResultCacheMisses { get; set; }

    /// <summary>Bytes charged for cached results now: outputs plus a fixed overhead per entry.</summary>
    public long ResultCacheBytes { get; set; }

    /// <summary>Cached results held now.</summary>
    public int ResultCacheEntries { get; set; }

    /// <summary>The result cache's capacity in bytes (ResultCacheBytes); 0 when it is off.</summary>
    public long ResultCacheCapacityBytes { get; set; }
    /// <summary>True when the daemon installs plugins without a signature (development mode).</summary>
    public bool AllowUnsignedPlugins { get; set; }

    /// <summary>Folder whose <c>*.pub</c> keys the daemon trusts for plugin signatures.</summary>
    public string TrustedKeysDirectory { get; set; } = "";
}

[MemoryPackable]
public sealed partial class ErrorResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.Error;
    public ErrorCode Code { get; set; }
    public string Message { get; set; } = "";

    /// <summary>An estimate of when a retry may succeed, in milliseconds, for Busy, or 0 when there is none.</summary>
    public int RetryAfterMilliseconds { get; set; }
}

[MemoryPackable]
public sealed partial class OkResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.Ok;
    public string Message { get; set; } = "";
}

[MemoryPackable]
public sealed partial class PluginInfo : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PluginInfo;
    public string Name { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public long SizeBytes { get; set; }
    public string[] Exports { get; set; } = [];
    public Dictionary<string, string> Config { get; set; } = [];
    public long InstalledUnixMicros { get; set; }
    public int AttachedAgents { get; set; }

    /// <summary>Manifest version; empty for an unversioned plugin.</summary>
    public string Version { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>Id of the trusted key that signed the bundle; empty when unsigned.</summary>
    public string SignerKeyId { get; set; } = "";
    public string Readme { get; set; } = "";

    /// <summary>Manifest capabilities as declared.</summary>
    public string[] Capabilities { get; set; } = [];

    /// <summary>Every installed version of this plugin name, oldest first; "" stands for an unversioned install.</summary>
    public string[] InstalledVersions { get; set; } = [];
    /// <summary>Host name patterns the plugin's <c>http_request</c> may reach; empty allows none.</summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>
    /// Directories preopened for the plugin: each host directory, prefixed <c>ro:</c> or <c>rw:</c>, mapped to
    /// the guest path.
    /// </summary>
    public Dictionary<string, string> AllowedPaths { get; set; } = [];

    /// <summary>The manifest's <c>memory.max_http_response_bytes</c>; 0 means the default of 4 MiB.</summary>
    public long MaxHttpResponseBytes { get; set; }
}

[MemoryPackable]
public sealed partial class PluginListResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PluginListResult;
    public PluginInfo[] Plugins { get; set; } = [];
}

/// <summary>Per-agent limits. Zero means the server's default.</summary>
/// <remarks>Version tolerant because agent records in the store embed it.</remarks>
[MemoryPackable(GenerateType.VersionTolerant)]
public sealed partial class AgentConstraints
{
    [MemoryPackOrder(0)] public int MemoryMb { get; set; }
    [MemoryPackOrder(1)] public int TimeoutMs { get; set; }
    [MemoryPackOrder(2)] public long Fuel { get; set; }
}

[MemoryPackable]
public sealed partial class VariableInfo
{
    public string Name { get; set; } = "";
    public int SizeBytes { get; set; }
}

[MemoryPackable]
public sealed partial class AgentInfo : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentInfo;
    public string AgentId { get; set; } = "";
    public string Owner { get; set; } = "";
    public string Status { get; set; } = "";
    public AgentConstraints Constraints { get; set; } = new();
    public Dictionary<string, string> Config { get; set; } = [];
    public string[] Plugins { get; set; } = [];
    public long CreatedUnixMicros { get; set; }
    public long Executions { get; set; }
    public VariableInfo[] Variables { get; set; } = [];
    public string[] Snapshots { get; set; } = [];

    /// <summary>
    /// Uid of the process that spawned the agent, or of the pool's creator for a pool agent. It is
    /// -1 for an agent stored before owner uids were recorded, which only admins may use.
    /// </summary>
    public long OwnerUid { get; set; } = -1;
}

[MemoryPackable]
public sealed partial class AgentListResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentListResult;
    public AgentInfo[] Agents { get; set; } = [];
}

[MemoryPackable]
public sealed partial class ExecResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.ExecResult;
    public byte[] Output { get; set; } = [];
    public string Plugin { get; set; } = "";
    public long DurationMicros { get; set; }
    public ulong FuelConsumed { get; set; }
    public long TraceSequence { get; set; }
}

[MemoryPackable]
public sealed partial class SnapshotResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.SnapshotResult;
    public string SnapshotId { get; set; } = "";
    public string AgentId { get; set; } = "";
    public long CreatedUnixMicros { get; set; }
    public int Variables { get; set; }
}

[MemoryPackable]
public sealed partial class TraceInfo
{
    public long Sequence { get; set; }
    public long TimestampUnixMicros { get; set; }
    public string AgentId { get; set; } = "";
    public string Plugin { get; set; } = "";
    public string Method { get; set; } = "";
    public string InputSha256 { get; set; } = "";
    public string OutputSha256 { get; set; } = "";
    public ErrorCode Status { get; set; }
    public long DurationMicros { get; set; }
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";

    /// <summary>True when the result came from the result cache and the plugin did not run; <see cref="Status"/> is then Ok.</summary>
    public bool Cached { get; set; }
}

[MemoryPackable]
public sealed partial class TraceListResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.TraceListResult;
    public TraceInfo[] Records { get; set; } = [];
}

[MemoryPackable]
public sealed partial class TraceVerifyResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.TraceVerifyResult;
    public bool Ok { get; set; }
    public long RecordsChecked { get; set; }
    public long FirstBadSequence { get; set; }
    public string Message { get; set; } = "";
    public string HeadHash { get; set; } = "";

    /// <summary>Sequence of the last record retention removed, or -1; verification starts after it.</summary>
    public long AnchorSequence { get; set; } = -1;

    /// <summary>Hash of the anchor record in lowercase hex; empty when nothing was removed.</summary>
    public string AnchorHash { get; set; } = "";
}

/// <summary>The reply to a <see cref="BatchRequest"/>: one response per request, in request order. A request that failed has an <see cref="ErrorResponse"/> in its place.</summary>
[MemoryPackable]
public sealed partial class BatchResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.BatchResult;
    public IResponse[] Responses { get; set; } = [];
}
