using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>
/// Sends requests to the daemon: one connection (<see cref="McpZeroClient"/>) or several
/// (<see cref="McpZeroConnectionPool"/>). The typed helpers in <see cref="McpZeroClientExtensions"/>
/// and <see cref="Db"/> work over either.
/// </summary>
/// <remarks>Implementations are thread-safe: many requests may be in flight at once.</remarks>
public interface IMcpZeroClient
{
    /// <summary>The daemon's document collections.</summary>
    McpZeroDatabase Db { get; }

    /// <summary>Sends a request and returns the server's response, which may be an <see cref="ErrorResponse"/>.</summary>
    ValueTask<IResponse> SendAsync(IRequest request, CancellationToken cancellationToken = default);

    /// <summary>Sends requests in one batch frame and returns their responses in the same order.</summary>
    ValueTask<IResponse[]> SendBatchAsync(IReadOnlyList<IRequest> requests, CancellationToken cancellationToken = default);

    /// <summary>Sends a request under the retry policy and returns its typed response.</summary>
    /// <exception cref="McpZeroServerException">The server returned an error.</exception>
    /// <exception cref="McpZeroConnectionException">The daemon could not be reached.</exception>
    ValueTask<TResponse> RequestAsync<TResponse>(IRequest request, CancellationToken cancellationToken = default)
        where TResponse : class, IResponse;
}
