using McpZero.Protocol.Messages;
using McpZero.Server.Access;
using McpZero.UnitTests.Protocol;

namespace McpZero.UnitTests.Access;

/// <summary>The permission table: one expected rule per request type of the protocol.</summary>
public sealed class AccessRequirementTests
{
    // The same table as the access control section of PROTOCOL.md.
    private static readonly Dictionary<string, AccessRule> ExpectedRules = new()
    {
        [nameof(HelloRequest)] = AccessRule.Anyone,
        [nameof(StatusRequest)] = AccessRule.Anyone,
        [nameof(StatsRequest)] = AccessRule.Anyone,
        [nameof(BatchRequest)] = AccessRule.Anyone,
        [nameof(CancelRequest)] = AccessRule.Anyone,
        [nameof(PluginInstallRequest)] = AccessRule.Admin,
        [nameof(PluginListRequest)] = AccessRule.Anyone,
        [nameof(PluginShowRequest)] = AccessRule.Anyone,
        [nameof(PluginRemoveRequest)] = AccessRule.Admin,
        [nameof(AgentSpawnRequest)] = AccessRule.Anyone,
        [nameof(AgentListRequest)] = AccessRule.Anyone,
        [nameof(AgentShowRequest)] = AccessRule.AgentOwner,
        [nameof(AgentAttachRequest)] = AccessRule.AgentOwner,
        [nameof(AgentExecRequest)] = AccessRule.AgentOwner,
        [nameof(AgentSnapshotRequest)] = AccessRule.AgentOwner,
        [nameof(AgentRecoverRequest)] = AccessRule.SnapshotOwner,
        [nameof(AgentTerminateRequest)] = AccessRule.AgentOwner,
        [nameof(AgentSnapshotDeleteRequest)] = AccessRule.SnapshotOwner,
        [nameof(TraceListRequest)] = AccessRule.AgentOwner,
        [nameof(TraceVerifyRequest)] = AccessRule.Anyone,
        [nameof(PoolCreateRequest)] = AccessRule.Admin,
        [nameof(PoolListRequest)] = AccessRule.Anyone,
        [nameof(PoolShowRequest)] = AccessRule.Anyone,
        [nameof(PoolLeaseRequest)] = AccessRule.Anyone,
        [nameof(PoolReturnRequest)] = AccessRule.LeaseHolder,
        [nameof(PoolRemoveRequest)] = AccessRule.Admin,
        [nameof(DbInsertRequest)] = AccessRule.Admin,
        [nameof(DbUpdateRequest)] = AccessRule.Admin,
        [nameof(DbDeleteRequest)] = AccessRule.Admin,
        [nameof(DbCreateIndexRequest)] = AccessRule.Admin,
        [nameof(DbIndexListRequest)] = AccessRule.Anyone,
    };

    public static TheoryData<string> RequestNames() => [.. MessageSamples.Requests.Keys];

    [Theory]
    [MemberData(nameof(RequestNames))]
    public void EveryRequestHasExpectedRule(string name)
    {
        IRequest request = MessageSamples.Requests[name]();

        // DbGet and DbFind depend on the collection, so DbReadsDependOnCollection covers them.
        if (request is DbGetRequest or DbFindRequest)
        {
            return;
        }

        Assert.True(ExpectedRules.TryGetValue(name, out AccessRule expected), $"{name} has no row in the expected permission table");
        Assert.Equal(expected, AccessRequirement.For(request).Rule);
    }

    [Fact]
    public void AgentRequestsTargetTheirAgent()
    {
        Assert.Equal("a-17", AccessRequirement.For(new AgentExecRequest { AgentId = "a-17" }).Target);
        Assert.Equal("a-18", AccessRequirement.For(new AgentTerminateRequest { AgentId = "a-18" }).Target);
        Assert.Equal("s-1", AccessRequirement.For(new AgentRecoverRequest { SnapshotId = "s-1" }).Target);
        Assert.Equal("a-19", AccessRequirement.For(new PoolReturnRequest { Name = "p", AgentId = "a-19" }).Target);
    }

    [Fact]
    public void TraceListWithoutAgentNeedsAdmin()
    {
        Assert.Equal(AccessRule.Admin, AccessRequirement.For(new TraceListRequest { AgentId = null }).Rule);
        Assert.Equal(AccessRule.Admin, AccessRequirement.For(new TraceListRequest { AgentId = "" }).Rule);
        Assert.Equal(new AccessRequirement(AccessRule.AgentOwner, "a-1"), AccessRequirement.For(new TraceListRequest { AgentId = "a-1" }));
    }

    [Theory]
    [InlineData("agents", true)]
    [InlineData("snapshots", true)]
    [InlineData("traces", true)]
    [InlineData("resources", false)]
    [InlineData("nosuch", false)]
    public void DbReadsDependOnCollection(string collection, bool adminOnly)
    {
        AccessRule expected = adminOnly ? AccessRule.Admin : AccessRule.Anyone;

        Assert.Equal(expected, AccessRequirement.For(new DbGetRequest { Collection = collection, Id = "x" }).Rule);
        Assert.Equal(expected, AccessRequirement.For(new DbFindRequest { Collection = collection }).Rule);
    }

    [Fact]
    public void UnlistedRequestTypeNeedsAdmin()
    {
        Assert.Equal(AccessRule.Admin, AccessRequirement.For(new UnlistedRequest()).Rule);
    }

    private sealed class UnlistedRequest : IRequest
    {
        public ushort MessageType => 999;
    }
}
