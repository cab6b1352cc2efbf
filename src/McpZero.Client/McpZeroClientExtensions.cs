using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>
/// Typed helpers for the common requests, over a <see cref="McpZeroClient"/> or a
/// <see cref="McpZeroConnectionPool"/>, so callers rarely build request objects themselves.
/// </summary>
/// <remarks>
/// Every helper goes through <see cref="IMcpZeroClient.RequestAsync{TResponse}"/>, so it retries
/// Busy under the client's retry policy and throws <see cref="McpZeroServerException"/> when the
/// daemon returns an error and <see cref="McpZeroConnectionException"/> when it cannot be reached.
/// The cancellation token stops the wait for the reply and cancels the request on the daemon, unless it went out inside a batch frame.
/// </remarks>
public static partial class McpZeroClientExtensions
{
    /// <summary>Reads the daemon's version, uptime, counts and memory.</summary>
    public static ValueTask<StatusResponse> GetStatusAsync(this IMcpZeroClient client, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<StatusResponse>(new StatusRequest(), cancellationToken);

    /// <summary>Reads the daemon's metrics: CPU, memory, I/O, latency per request type and per plugin method, errors by code.</summary>
    public static ValueTask<StatsResponse> GetStatsAsync(this IMcpZeroClient client, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<StatsResponse>(new StatsRequest(), cancellationToken);

    private static IMcpZeroClient Checked(IMcpZeroClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client;
    }
}
