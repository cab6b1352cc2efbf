using McpZero.Protocol.Messages;

namespace McpZero.Client;

public static partial class McpZeroClientExtensions
{
    /// <summary>Lists the last <paramref name="limit"/> trace records that match, oldest first.</summary>
    /// <param name="client">The client to send the request with.</param>
    /// <param name="agentId">Only records of this agent; null for all agents.</param>
    /// <param name="since">Earliest start time, inclusive; null for no lower bound.</param>
    /// <param name="until">Latest start time, inclusive; null for no upper bound.</param>
    /// <param name="limit">The maximum number of records returned.</param>
    /// <param name="cancellationToken">Cancels the wait for the reply.</param>
    public static async ValueTask<TraceInfo[]> ListTracesAsync(
        this IMcpZeroClient client,
        string? agentId = null,
        DateTimeOffset? since = null,
        DateTimeOffset? until = null,
        int limit = 100,
        CancellationToken cancellationToken = default)
    {
        var request = new TraceListRequest
        {
            AgentId = agentId,
            SinceUnixMicros = since is { } start ? ToUnixMicros(start) : 0,
            UntilUnixMicros = until is { } end ? ToUnixMicros(end) : long.MaxValue,
            Limit = limit,
        };
        TraceListResponse list = await Checked(client).RequestAsync<TraceListResponse>(request, cancellationToken).ConfigureAwait(false);
        return list.Records;
    }

    /// <summary>Verifies the trace log's hash chain and seals from <paramref name="fromSequence"/> on.</summary>
    /// <returns>The result; <see cref="TraceVerifyResponse.Ok"/> is false with the first bad sequence when the log was changed.</returns>
    public static ValueTask<TraceVerifyResponse> VerifyTracesAsync(this IMcpZeroClient client, long fromSequence = 0, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<TraceVerifyResponse>(new TraceVerifyRequest { FromSequence = fromSequence }, cancellationToken);

    private static long ToUnixMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
