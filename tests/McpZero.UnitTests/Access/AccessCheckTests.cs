using McpZero.Agents;
using McpZero.Protocol.Messages;
using McpZero.Server.Access;

namespace McpZero.UnitTests.Access;

/// <summary>Decisions of <see cref="AccessCheck"/> for owners, other uids, admins, leases and agents without an owner uid.</summary>
public sealed class AccessCheckTests
{
    private const string AdminGroup = "mcpzero-admin";

    private static readonly CallerIdentity Owner = new(1000, 1000, 10, IsAdmin: false);
    private static readonly CallerIdentity Other = new(1001, 1001, 11, IsAdmin: false);
    private static readonly CallerIdentity Admin = new(1002, 1002, 12, IsAdmin: true);

    private readonly FakeLookup _lookup = new();

    public AccessCheckTests()
    {
        _lookup.Agents["a-3"] = new AgentOwnership(1000, null);
        _lookup.Agents["a-old"] = new AgentOwnership(null, null);
        _lookup.Agents["a-pool"] = new AgentOwnership(0, LeaseOwner: 7);
        _lookup.Snapshots["s-1"] = "a-3";
        _lookup.Connections[7] = 1001;
    }

    [Fact]
    public void OwnerMayExecOwnAgent()
    {
        Assert.Null(AccessCheck.Check(new AgentExecRequest { AgentId = "a-3" }, Owner, AdminGroup, _lookup));
    }

    [Fact]
    public void OtherUidIsDeniedWithReason()
    {
        string? denial = AccessCheck.Check(new AgentExecRequest { AgentId = "a-3" }, Other, AdminGroup, _lookup);

        Assert.Equal("uid 1001 is not the owner (uid 1000) of agent a-3 and is not in group mcpzero-admin", denial);
    }

    [Fact]
    public void AdminMayUseAnyAgent()
    {
        Assert.Null(AccessCheck.Check(new AgentTerminateRequest { AgentId = "a-3" }, Admin, AdminGroup, _lookup));
        Assert.Null(AccessCheck.Check(new AgentTerminateRequest { AgentId = "a-old" }, Admin, AdminGroup, _lookup));
    }

    [Fact]
    public void AgentWithoutOwnerUidIsForAdmins()
    {
        string? denial = AccessCheck.Check(new AgentExecRequest { AgentId = "a-old" }, Owner, AdminGroup, _lookup);

        Assert.NotNull(denial);
        Assert.Contains("agent a-old was stored before owner uids were recorded", denial);
        Assert.Contains("uid 1000 is neither", denial);
    }

    [Fact]
    public void SnapshotFollowsItsAgent()
    {
        Assert.Null(AccessCheck.Check(new AgentRecoverRequest { SnapshotId = "s-1" }, Owner, AdminGroup, _lookup));

        string? denial = AccessCheck.Check(new AgentSnapshotDeleteRequest { SnapshotId = "s-1" }, Other, AdminGroup, _lookup);
        Assert.Equal("uid 1001 is not the owner (uid 1000) of agent a-3, which snapshot s-1 belongs to, and is not in group mcpzero-admin", denial);
    }

    [Fact]
    public void LeasedAgentBelongsToLessee()
    {
        Assert.Null(AccessCheck.Check(new AgentExecRequest { AgentId = "a-pool" }, Other, AdminGroup, _lookup));
        Assert.Null(AccessCheck.Check(new PoolReturnRequest { Name = "p", AgentId = "a-pool" }, Other, AdminGroup, _lookup));

        string? denial = AccessCheck.Check(new AgentExecRequest { AgentId = "a-pool" }, Owner, AdminGroup, _lookup);
        Assert.Equal("uid 1000 does not hold the lease of pool agent a-pool (leased by uid 1001) and is not in group mcpzero-admin", denial);
    }

    [Fact]
    public void LeaseOfClosedConnectionIsNobodys()
    {
        _lookup.Connections.Remove(7);

        string? denial = AccessCheck.Check(new PoolReturnRequest { Name = "p", AgentId = "a-pool" }, Other, AdminGroup, _lookup);

        Assert.NotNull(denial);
        Assert.Contains("leased by a connection that has closed", denial);
    }

    [Fact]
    public void AdminRequestIsDeniedToOthers()
    {
        string? denial = AccessCheck.Check(new PluginInstallRequest { Name = "x" }, Owner, AdminGroup, _lookup);

        Assert.Equal("uid 1000 is not root and is not in group mcpzero-admin; PluginInstall requests are for admins only", denial);
        Assert.Null(AccessCheck.Check(new PluginInstallRequest { Name = "x" }, Admin, AdminGroup, _lookup));
    }

    [Fact]
    public void TraceListDenialNamesAgentOption()
    {
        string? denial = AccessCheck.Check(new TraceListRequest(), Owner, AdminGroup, _lookup);

        Assert.Equal("uid 1000 is not root and is not in group mcpzero-admin; TraceList requests are for admins only; list one agent you own with --agent AGENT", denial);
    }

    [Fact]
    public void MissingAgentIsLeftToHandler()
    {
        Assert.Null(AccessCheck.Check(new AgentExecRequest { AgentId = "a-none" }, Other, AdminGroup, _lookup));
        Assert.Null(AccessCheck.Check(new AgentRecoverRequest { SnapshotId = "s-none" }, Other, AdminGroup, _lookup));
    }

    [Fact]
    public void UnidentifiedPeerOwnsNothing()
    {
        Assert.NotNull(AccessCheck.Check(new AgentExecRequest { AgentId = "a-3" }, CallerIdentity.Unidentified, AdminGroup, _lookup));
        Assert.Null(AccessCheck.Check(new StatusRequest(), CallerIdentity.Unidentified, AdminGroup, _lookup));
    }

    private sealed class FakeLookup : IOwnershipLookup
    {
        public Dictionary<string, AgentOwnership> Agents { get; } = [];

        public Dictionary<string, string> Snapshots { get; } = [];

        public Dictionary<long, uint> Connections { get; } = [];

        public bool TryGetAgentOwnership(string agentId, out AgentOwnership ownership) => Agents.TryGetValue(agentId, out ownership);

        public string? FindSnapshotAgent(string snapshotId) => Snapshots.GetValueOrDefault(snapshotId);

        public uint? FindConnectionUid(long connectionId) => Connections.TryGetValue(connectionId, out uint uid) ? uid : null;
    }
}
