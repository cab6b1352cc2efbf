using McpZero.Protocol.Messages;

namespace McpZero.Server.Access;

/// <summary>Who may send a request.</summary>
internal enum AccessRule
{
    /// <summary>Any uid that can open the socket.</summary>
    Anyone,

    /// <summary>Root, the daemon's uid, or a member of the admin group.</summary>
    Admin,

    /// <summary>The owner uid of the target agent, its lessee while leased from a pool, or an admin.</summary>
    AgentOwner,

    /// <summary>Like <see cref="AgentOwner"/>, for the agent that the target snapshot was taken of.</summary>
    SnapshotOwner,

    /// <summary>The uid holding the lease of the target pool agent, or an admin.</summary>
    LeaseHolder,
}

/// <summary>The rule for one request and the agent, snapshot or leased agent it targets.</summary>
internal readonly record struct AccessRequirement(AccessRule Rule, string Target = "")
{
    /// <summary>
    /// Returns the rule of <paramref name="request"/>. A message type without a row here needs an
    /// admin, so a request type added later is closed until it gets its own row.
    /// </summary>
    public static AccessRequirement For(IRequest request) => request switch
    {
        HelloRequest or StatusRequest or StatsRequest or BatchRequest or CancelRequest => new(AccessRule.Anyone),
        PluginListRequest or PluginShowRequest => new(AccessRule.Anyone),
        PluginInstallRequest or PluginRemoveRequest => new(AccessRule.Admin),

        // A spawned agent belongs to the caller's uid, and agent list shows non-admins only their own agents.
        AgentSpawnRequest or AgentListRequest => new(AccessRule.Anyone),
        AgentShowRequest show => new(AccessRule.AgentOwner, show.AgentId ?? ""),
        AgentAttachRequest attach => new(AccessRule.AgentOwner, attach.AgentId ?? ""),
        AgentExecRequest exec => new(AccessRule.AgentOwner, exec.AgentId ?? ""),
        AgentSnapshotRequest snapshot => new(AccessRule.AgentOwner, snapshot.AgentId ?? ""),
        AgentTerminateRequest terminate => new(AccessRule.AgentOwner, terminate.AgentId ?? ""),
        AgentRecoverRequest recover => new(AccessRule.SnapshotOwner, recover.SnapshotId ?? ""),
        AgentSnapshotDeleteRequest delete => new(AccessRule.SnapshotOwner, delete.SnapshotId ?? ""),

        // The trace records of one agent belong to its owner, and the whole log is for admins.
        // Verify returns only counts and the head hash.
        TraceListRequest list => string.IsNullOrEmpty(list.AgentId) ? new(AccessRule.Admin) : new(AccessRule.AgentOwner, list.AgentId),
        TraceVerifyRequest => new(AccessRule.Anyone),

        PoolListRequest or PoolShowRequest or PoolLeaseRequest => new(AccessRule.Anyone),
        PoolReturnRequest pooled => new(AccessRule.LeaseHolder, pooled.AgentId ?? ""),
        PoolCreateRequest or PoolRemoveRequest => new(AccessRule.Admin),

        // The agents, snapshots and traces collections contain every uid's data, so only admins
        // read them directly. Resources are shared, and every write changes the shared catalog.
        DbGetRequest get => ForDbRead(get.Collection),
        DbFindRequest find => ForDbRead(find.Collection),
        DbIndexListRequest => new(AccessRule.Anyone),
        DbInsertRequest or DbUpdateRequest or DbDeleteRequest or DbCreateIndexRequest => new(AccessRule.Admin),

        _ => new(AccessRule.Admin),
    };

    private static AccessRequirement ForDbRead(string? collection) =>
        collection is "agents" or "snapshots" or "traces" ? new(AccessRule.Admin) : new(AccessRule.Anyone);
}
