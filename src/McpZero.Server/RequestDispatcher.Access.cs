using System.Collections.Concurrent;
using McpZero.Agents;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Server.Access;

namespace McpZero.Server;

// Access control: every request is checked against the uid of its connection before it runs.
internal sealed partial class RequestDispatcher : IOwnershipLookup
{
    private static readonly LogRateLimiter DenialLog = new(maxPerWindow: 20, TimeSpan.FromMinutes(1));

    private readonly ConcurrentDictionary<long, CallerIdentity> _callers = new();

    /// <summary>Records the caller of a new connection; its requests are checked against it until <see cref="ConnectionClosed"/>.</summary>
    public void ConnectionOpened(long connectionId, CallerIdentity caller) => _callers[connectionId] = caller;

    /// <summary>Forgets a connection's caller. Call after its leases were returned.</summary>
    public void ConnectionClosed(long connectionId) => _callers.TryRemove(connectionId, out _);

    bool IOwnershipLookup.TryGetAgentOwnership(string agentId, out AgentOwnership ownership) =>
        runtimeService.Runtime.TryGetAgentOwnership(agentId, out ownership);

    string? IOwnershipLookup.FindSnapshotAgent(string snapshotId) => runtimeService.Runtime.FindSnapshotAgent(snapshotId);

    uint? IOwnershipLookup.FindConnectionUid(long connectionId) =>
        _callers.TryGetValue(connectionId, out CallerIdentity? caller) ? caller.Uid : null;

    private CallerIdentity CallerOf(long connectionId) =>
        _callers.TryGetValue(connectionId, out CallerIdentity? caller) ? caller : CallerIdentity.Unidentified;

    /// <summary>
    /// Returns the uid to store as the owner of what the connection creates, or null for a peer
    /// without credentials, whose agents only admins may then use.
    /// </summary>
    private uint? OwnerUidOf(long connectionId) =>
        _callers.TryGetValue(connectionId, out CallerIdentity? caller) && !ReferenceEquals(caller, CallerIdentity.Unidentified) ? caller.Uid : null;

    /// <summary>Returns a PermissionDenied error when the connection's caller may not send the request, else null.</summary>
    private ErrorResponse? Authorize(IRequest request, long connectionId)
    {
        CallerIdentity caller = CallerOf(connectionId);
        string? denial = AccessCheck.Check(request, caller, options.AdminGroup, this);
        if (denial is null)
        {
            return null;
        }

        state.Metrics.PermissionDenied(request);
        if (DenialLog.TryAcquire(out long suppressed))
        {
            Log.PermissionDenied(logger, connectionId, AccessCheck.RequestName(request), caller.Uid, caller.ProcessId, denial, suppressed);
        }

        return Error(ErrorCode.PermissionDenied, denial);
    }

    /// <summary>
    /// Adds the caller's identity to a status response, and removes from an agent list the agents
    /// that a non-admin caller neither owns nor leases.
    /// </summary>
    private IResponse AdjustForCaller(IResponse response, long connectionId)
    {
        CallerIdentity caller = CallerOf(connectionId);
        if (response is StatusResponse status)
        {
            status.CallerUid = caller.Uid;
            status.CallerIsAdmin = caller.IsAdmin;
            return status;
        }

        if (response is not AgentListResponse list || caller.IsAdmin)
        {
            return response;
        }

        list.Agents = [.. list.Agents.Where(agent => AccessCheck.Check(new AgentShowRequest { AgentId = agent.AgentId }, caller, options.AdminGroup, this) is null)];
        return list;
    }
}
