using McpZero.Agents;
using McpZero.Protocol.Messages;

namespace McpZero.Server.Access;

/// <summary>What <see cref="AccessCheck"/> needs to know about agents, snapshots and connections.</summary>
internal interface IOwnershipLookup
{
    /// <summary>Reads an agent's owner uid and lease. Returns false when no agent has that id.</summary>
    bool TryGetAgentOwnership(string agentId, out AgentOwnership ownership);

    /// <summary>Returns the agent a snapshot was taken of, or null when the snapshot does not exist.</summary>
    string? FindSnapshotAgent(string snapshotId);

    /// <summary>Returns the uid of an open connection, or null once it has closed.</summary>
    uint? FindConnectionUid(long connectionId);
}

/// <summary>Decides whether a caller may send a request, by the rules of <see cref="AccessRequirement.For"/>.</summary>
/// <remarks>
/// A request that names an agent or snapshot that does not exist is allowed, so that its handler
/// returns the usual not-found error.
/// </remarks>
internal static class AccessCheck
{
    /// <summary>Returns null when <paramref name="caller"/> may send <paramref name="request"/>, else the reason it may not.</summary>
    /// <param name="adminGroup">Name of the admin group, for the message.</param>
    public static string? Check(IRequest request, CallerIdentity caller, string adminGroup, IOwnershipLookup lookup)
    {
        AccessRequirement requirement = AccessRequirement.For(request);
        if (requirement.Rule == AccessRule.Anyone || caller.IsAdmin)
        {
            return null;
        }

        switch (requirement.Rule)
        {
            case AccessRule.Admin:
                return $"uid {caller.Uid} is not root and is not in group {adminGroup}; {RequestName(request)} requests are for admins only" + AdminOnlyHint(request);

            case AccessRule.AgentOwner:
                return CheckAgent(requirement.Target, caller, adminGroup, lookup, snapshotId: null);

            case AccessRule.SnapshotOwner:
                string? agentId = lookup.FindSnapshotAgent(requirement.Target);
                return agentId is null ? null : CheckAgent(agentId, caller, adminGroup, lookup, requirement.Target);

            case AccessRule.LeaseHolder:
                if (!lookup.TryGetAgentOwnership(requirement.Target, out AgentOwnership ownership) || ownership.LeaseOwner is not long lease)
                {
                    return null;
                }

                return CheckLease(requirement.Target, lease, caller, adminGroup, lookup);

            default:
                return $"message type {request.MessageType} has no access rule, so only root and group {adminGroup} may send it";
        }
    }

    private static string? CheckAgent(string agentId, CallerIdentity caller, string adminGroup, IOwnershipLookup lookup, string? snapshotId)
    {
        if (!lookup.TryGetAgentOwnership(agentId, out AgentOwnership ownership))
        {
            return null;
        }

        // While a pool agent is leased it belongs to the lessee, not to the pool's creator.
        if (ownership.LeaseOwner is long lease)
        {
            return CheckLease(agentId, lease, caller, adminGroup, lookup);
        }

        string snapshotPart = snapshotId is null ? "" : $", which snapshot {snapshotId} belongs to,";
        return ownership.OwnerUid switch
        {
            uint owner when owner == caller.Uid => null,
            uint owner => $"uid {caller.Uid} is not the owner (uid {owner}) of agent {agentId}{snapshotPart} and is not in group {adminGroup}",
            null => $"agent {agentId}{snapshotPart} was stored before owner uids were recorded, so only root and group {adminGroup} may use it; uid {caller.Uid} is neither",
        };
    }

    private static string? CheckLease(string agentId, long lease, CallerIdentity caller, string adminGroup, IOwnershipLookup lookup)
    {
        uint? lessee = lookup.FindConnectionUid(lease);
        if (lessee == caller.Uid)
        {
            return null;
        }

        string holder = lessee is uint uid ? $"uid {uid}" : "a connection that has closed";
        return $"uid {caller.Uid} does not hold the lease of pool agent {agentId} (leased by {holder}) and is not in group {adminGroup}";
    }

    // Requests whose non-admin form exists get a pointer to it.
    private static string AdminOnlyHint(IRequest request) => request switch
    {
        TraceListRequest => "; list one agent you own with --agent AGENT",
        DbGetRequest or DbFindRequest => "; the resources collection and `agent list` are open to every uid",
        _ => "",
    };

    /// <summary>Returns the request's type name without "Request", as the stats tables name it.</summary>
    public static string RequestName(IRequest request)
    {
        string name = request.GetType().Name;
        return name.EndsWith("Request", StringComparison.Ordinal) && name.Length > "Request".Length ? name[..^"Request".Length] : name;
    }
}
