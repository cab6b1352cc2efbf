using MemoryPack;

namespace McpZero.Protocol.Messages;

/// <summary>A message a client sends. The union tag equals <see cref="MessageType"/>.</summary>
[MemoryPackable]
[MemoryPackUnion(MessageTypes.Hello, typeof(HelloRequest))]
[MemoryPackUnion(MessageTypes.Status, typeof(StatusRequest))]
[MemoryPackUnion(MessageTypes.PluginInstall, typeof(PluginInstallRequest))]
[MemoryPackUnion(MessageTypes.PluginList, typeof(PluginListRequest))]
[MemoryPackUnion(MessageTypes.PluginShow, typeof(PluginShowRequest))]
[MemoryPackUnion(MessageTypes.PluginRemove, typeof(PluginRemoveRequest))]
[MemoryPackUnion(MessageTypes.AgentSpawn, typeof(AgentSpawnRequest))]
[MemoryPackUnion(MessageTypes.AgentList, typeof(AgentListRequest))]
[MemoryPackUnion(MessageTypes.AgentShow, typeof(AgentShowRequest))]
[MemoryPackUnion(MessageTypes.AgentAttach, typeof(AgentAttachRequest))]
[MemoryPackUnion(MessageTypes.AgentExec, typeof(AgentExecRequest))]
[MemoryPackUnion(MessageTypes.AgentSnapshot, typeof(AgentSnapshotRequest))]
[MemoryPackUnion(MessageTypes.AgentRecover, typeof(AgentRecoverRequest))]
[MemoryPackUnion(MessageTypes.AgentTerminate, typeof(AgentTerminateRequest))]
[MemoryPackUnion(MessageTypes.AgentSnapshotDelete, typeof(AgentSnapshotDeleteRequest))]
[MemoryPackUnion(MessageTypes.TraceList, typeof(TraceListRequest))]
[MemoryPackUnion(MessageTypes.TraceVerify, typeof(TraceVerifyRequest))]
[MemoryPackUnion(MessageTypes.PoolCreate, typeof(PoolCreateRequest))]
[MemoryPackUnion(MessageTypes.PoolList, typeof(PoolListRequest))]
[MemoryPackUnion(MessageTypes.PoolShow, typeof(PoolShowRequest))]
[MemoryPackUnion(MessageTypes.PoolLease, typeof(PoolLeaseRequest))]
[MemoryPackUnion(MessageTypes.PoolReturn, typeof(PoolReturnRequest))]
[MemoryPackUnion(MessageTypes.PoolRemove, typeof(PoolRemoveRequest))]
[MemoryPackUnion(MessageTypes.Stats, typeof(StatsRequest))]
[MemoryPackUnion(MessageTypes.DbInsert, typeof(DbInsertRequest))]
[MemoryPackUnion(MessageTypes.DbGet, typeof(DbGetRequest))]
[MemoryPackUnion(MessageTypes.DbUpdate, typeof(DbUpdateRequest))]
[MemoryPackUnion(MessageTypes.DbDelete, typeof(DbDeleteRequest))]
[MemoryPackUnion(MessageTypes.DbFind, typeof(DbFindRequest))]
[MemoryPackUnion(MessageTypes.DbCreateIndex, typeof(DbCreateIndexRequest))]
[MemoryPackUnion(MessageTypes.DbIndexList, typeof(DbIndexListRequest))]
[MemoryPackUnion(MessageTypes.Batch, typeof(BatchRequest))]
[MemoryPackUnion(MessageTypes.Cancel, typeof(CancelRequest))]
public partial interface IRequest
{
    ushort MessageType { get; }
}

/// <summary>Opens a connection: the client states the protocol version it speaks.</summary>
[MemoryPackable]
public sealed partial class HelloRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.Hello;
    public int ProtocolVersion { get; set; } = ProtocolInfo.Version;
    public string ClientName { get; set; } = "";

    /// <summary>
    /// Compression codecs the client can read and write, in order of preference, such as <c>"lz4"</c>.
    /// Null only from clients that predate this member, which also cannot read the members appended to
    /// <see cref="HelloResponse"/>. Send an empty array to offer none.
    /// </summary>
    public string[]? CompressionCodecs { get; set; }
}

[MemoryPackable]
public sealed partial class StatusRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.Status;
}

/// <summary>Installs a module. <see cref="ManifestJson"/> is an Extism-shaped manifest when the user gave one.</summary>
[MemoryPackable]
public sealed partial class PluginInstallRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PluginInstall;
    public string? Name { get; set; }
    public byte[] Wasm { get; set; } = [];
    public string? ManifestJson { get; set; }

    /// <summary>Allows a different module under a name that active agents have attached.</summary>
    public bool Replace { get; set; }

    /// <summary>Content of the bundle's signature.bin; null installs the plugin as unsigned.</summary>
    public byte[]? Signature { get; set; }

    /// <summary>The bundle's README.md; the signature covers its UTF-8 bytes.</summary>
    public string? Readme { get; set; }
}

[MemoryPackable]
public sealed partial class PluginListRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PluginList;
}

[MemoryPackable]
public sealed partial class PluginShowRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PluginShow;
    public string Name { get; set; } = "";
}

[MemoryPackable]
public sealed partial class PluginRemoveRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PluginRemove;
    public string Name { get; set; } = "";
}

[MemoryPackable]
public sealed partial class AgentSpawnRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentSpawn;
    public string Owner { get; set; } = "";
    public AgentConstraints Constraints { get; set; } = new();
    public Dictionary<string, string> Config { get; set; } = [];
    public string[] Plugins { get; set; } = [];
}

[MemoryPackable]
public sealed partial class AgentListRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentList;
}

[MemoryPackable]
public sealed partial class AgentShowRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentShow;
    public string AgentId { get; set; } = "";
}

[MemoryPackable]
public sealed partial class AgentAttachRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentAttach;
    public string AgentId { get; set; } = "";
    public string Plugin { get; set; } = "";
}

/// <summary>
/// Calls <see cref="Method"/> on the agent. <see cref="Plugin"/> picks the plugin when several
/// attached plugins export the method; otherwise the first attached plugin with that export runs.
/// </summary>
[MemoryPackable]
public sealed partial class AgentExecRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentExec;
    public string AgentId { get; set; } = "";
    public string Method { get; set; } = "";
    public byte[] Input { get; set; } = [];
    public string? Plugin { get; set; }
}

[MemoryPackable]
public sealed partial class AgentSnapshotRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentSnapshot;
    public string AgentId { get; set; } = "";
}

/// <summary>Restores the snapshot's agent to the state it had when the snapshot was taken.</summary>
[MemoryPackable]
public sealed partial class AgentRecoverRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentRecover;
    public string SnapshotId { get; set; } = "";
}

/// <summary>Deletes a snapshot; the agent and its other snapshots stay.</summary>
[MemoryPackable]
public sealed partial class AgentSnapshotDeleteRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentSnapshotDelete;
    public string SnapshotId { get; set; } = "";
}

[MemoryPackable]
public sealed partial class AgentTerminateRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.AgentTerminate;
    public string AgentId { get; set; } = "";
}

/// <summary>Lists trace records, oldest first: the last <see cref="Limit"/> that match.</summary>
[MemoryPackable]
public sealed partial class TraceListRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.TraceList;
    public string? AgentId { get; set; }
    public long SinceUnixMicros { get; set; }
    public int Limit { get; set; } = 100;

    /// <summary>
    /// Latest start time to list, inclusive, in microseconds since the Unix epoch; 0 (what a client
    /// that predates this member sends) means no upper bound.
    /// </summary>
    public long UntilUnixMicros { get; set; } = long.MaxValue;
}

[MemoryPackable]
public sealed partial class TraceVerifyRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.TraceVerify;
    public long FromSequence { get; set; }
}

/// <summary>
/// Several requests in one frame. The server runs them concurrently, as if each had arrived in its
/// own frame, and replies with one <see cref="BatchResponse"/> whose responses are in the same
/// order. A batch may not contain hello or another batch, and contains at most
/// <see cref="MaxRequests"/> requests.
/// </summary>
[MemoryPackable]
public sealed partial class BatchRequest : IRequest
{
    public const int MaxRequests = 1024;

    [MemoryPackIgnore] public ushort MessageType => MessageTypes.Batch;
    public IRequest[] Requests { get; set; } = [];
}
