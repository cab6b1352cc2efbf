using MemoryPack;

namespace McpZero.Protocol.Messages;

/// <summary>
/// Creates a pool of agents spawned from one template: <see cref="Owner"/>, <see cref="Constraints"/>,
/// <see cref="Config"/> and <see cref="Plugins"/> mean what they mean in <see cref="AgentSpawnRequest"/>.
/// </summary>
[MemoryPackable]
public sealed partial class PoolCreateRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolCreate;
    public string Name { get; set; } = "";
    public string Owner { get; set; } = "";
    public AgentConstraints Constraints { get; set; } = new();
    public Dictionary<string, string> Config { get; set; } = [];
    public string[] Plugins { get; set; } = [];

    /// <summary>Ready agents the pool keeps.</summary>
    public int Size { get; set; }

    /// <summary>Maximum agents of the pool at once, leased and ready together, or 0 for no maximum.</summary>
    public int Max { get; set; }
}

[MemoryPackable]
public sealed partial class PoolListRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolList;
}

[MemoryPackable]
public sealed partial class PoolShowRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolShow;
    public string Name { get; set; } = "";
}

/// <summary>
/// Leases a ready agent of the pool to this connection. When none is ready and the pool is at its
/// maximum, the server waits up to <see cref="WaitMs"/> milliseconds for a returned agent and then
/// replies <see cref="ErrorCode.Busy"/>.
/// </summary>
/// <remarks>The lease ends when the connection closes: the server then returns the agent and resets it.</remarks>
[MemoryPackable]
public sealed partial class PoolLeaseRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolLease;
    public string Name { get; set; } = "";
    public int WaitMs { get; set; }
}

/// <summary>
/// Returns a leased agent to its pool. The server resets it to the pool's template (variables
/// cleared, config, constraints and plugins restored) unless <see cref="KeepState"/> is set.
/// </summary>
[MemoryPackable]
public sealed partial class PoolReturnRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolReturn;
    public string Name { get; set; } = "";
    public string AgentId { get; set; } = "";
    public bool KeepState { get; set; }
}

/// <summary>Removes a pool and deletes its agents. The server rejects it while agents are leased, unless <see cref="Force"/> is set.</summary>
[MemoryPackable]
public sealed partial class PoolRemoveRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolRemove;
    public string Name { get; set; } = "";
    public bool Force { get; set; }
}

[MemoryPackable]
public sealed partial class PoolInfo : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolInfo;
    public string Name { get; set; } = "";
    public string Owner { get; set; } = "";
    public AgentConstraints Constraints { get; set; } = new();
    public Dictionary<string, string> Config { get; set; } = [];
    public string[] Plugins { get; set; } = [];
    public int Size { get; set; }
    public int Max { get; set; }
    public long CreatedUnixMicros { get; set; }
    public string[] ReadyAgents { get; set; } = [];
    public string[] LeasedAgents { get; set; } = [];
}

[MemoryPackable]
public sealed partial class PoolListResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolListResult;
    public PoolInfo[] Pools { get; set; } = [];
}

[MemoryPackable]
public sealed partial class PoolLeaseResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.PoolLeaseResult;
    public string Pool { get; set; } = "";
    public string AgentId { get; set; } = "";
}
