using McpZero.Agents;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Server;

// Agent pool requests. They need the connection id, because a lease belongs to the connection
// that took it.
internal sealed partial class RequestDispatcher
{
    /// <summary>Returns and resets the pool agents leased by a connection that has closed.</summary>
    public async Task ReturnLeasesAsync(long connectionId)
    {
        try
        {
            await runtimeService.Runtime.ReturnLeasesAsync(connectionId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The connection is gone, so no client can receive this error.
            Log.LeaseReturnFailed(logger, connectionId, ex);
        }
    }

    private static bool IsPoolRequest(IRequest request) =>
        request is PoolCreateRequest or PoolListRequest or PoolShowRequest or PoolLeaseRequest or PoolReturnRequest or PoolRemoveRequest;

    private async Task<IResponse> HandlePoolAsync(AgentRuntime runtime, IRequest request, long connectionId, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case PoolCreateRequest create:
                return runtime.CreatePool(
                    create.Name ?? "",
                    create.Owner ?? "",
                    create.Constraints ?? new AgentConstraints(),
                    create.Config ?? [],
                    create.Plugins ?? [],
                    create.Size,
                    create.Max,
                    OwnerUidOf(connectionId));

            case PoolListRequest:
                return new PoolListResponse { Pools = runtime.ListPools() };

            case PoolShowRequest show:
                return runtime.ShowPool(show.Name ?? "");

            case PoolLeaseRequest lease:
                return await runtime.LeaseAsync(lease.Name ?? "", connectionId, lease.WaitMs, cancellationToken).ConfigureAwait(false);

            case PoolReturnRequest pooled:
                await runtime.ReturnAsync(pooled.Name ?? "", pooled.AgentId ?? "", pooled.KeepState).ConfigureAwait(false);
                string reset = pooled.KeepState ? "with its state kept" : "reset to the pool's template";
                return new OkResponse { Message = $"returned agent '{pooled.AgentId}' to pool '{pooled.Name}', {reset}" };

            case PoolRemoveRequest remove:
                int deleted = await runtime.RemovePoolAsync(remove.Name ?? "", remove.Force).ConfigureAwait(false);
                return new OkResponse { Message = $"removed pool '{remove.Name}' and deleted its {deleted} agents" };

            default:
                return Error(ErrorCode.UnknownMessageType, $"message type {request.MessageType} has no handler");
        }
    }
}
