using McpZero.Client.Internal;
using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>
/// A fixed number of connections to one daemon, with requests spread over them in turn. A
/// connection that broke is replaced when a request next picks it.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Each connection batches and retries as set in <see cref="McpZeroClientOptions"/>. A
/// request that failed because its connection was closed before it was written is sent again on a
/// new connection, under the same retry policy as Busy.
/// </para>
/// <para>
/// Pool leases belong to one connection: for an <see cref="AgentPool"/>, take a connection with
/// <see cref="GetConnectionAsync"/> and lease over it. Disposing the pool closes every connection.
/// </para>
/// </remarks>
public sealed class McpZeroConnectionPool : IMcpZeroClient, IAsyncDisposable
{
    private readonly McpZeroClient?[] _connections;
    private readonly SemaphoreSlim[] _slotLocks;
    private readonly RetryRunner _retry;
    private readonly CancellationTokenSource _disposed = new();
    private int _next = -1;
    private long _reconnects;

    private McpZeroConnectionPool(string socketPath, McpZeroClientOptions options)
    {
        SocketPath = socketPath;
        Options = options;
        _connections = new McpZeroClient?[options.Connections];
        _slotLocks = new SemaphoreSlim[options.Connections];
        for (int i = 0; i < _slotLocks.Length; i++)
        {
            _slotLocks[i] = new SemaphoreSlim(1, 1);
        }

        _retry = new RetryRunner(options.Retry);
    }

    /// <summary>The path of the daemon's Unix socket.</summary>
    public string SocketPath { get; }

    /// <summary>The options every connection of the pool uses.</summary>
    public McpZeroClientOptions Options { get; }

    /// <summary>The number of connections, <see cref="McpZeroClientOptions.Connections"/>.</summary>
    public int Size => _connections.Length;

    /// <summary>The number of connections that are open now. A closed one is replaced when a request next picks it.</summary>
    public int OpenConnections
    {
        get
        {
            int open = 0;
            for (int i = 0; i < _connections.Length; i++)
            {
                if (Volatile.Read(ref _connections[i]) is { IsConnected: true })
                {
                    open++;
                }
            }

            return open;
        }
    }

    /// <summary>How many broken connections the pool has replaced.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>The batch frames written over all current connections of the pool.</summary>
    public long BatchFramesSent
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _connections.Length; i++)
            {
                total += Volatile.Read(ref _connections[i])?.BatchFramesSent ?? 0;
            }

            return total;
        }
    }

    /// <inheritdoc/>
    public McpZeroDatabase Db => new(this);

    /// <summary>Opens <see cref="McpZeroClientOptions.Connections"/> connections to the daemon.</summary>
    /// <param name="socketPath">The daemon's Unix socket.</param>
    /// <param name="options">The pool size, batching, retry and client name, or null for the defaults.</param>
    /// <param name="cancellationToken">Cancels opening the connections.</param>
    /// <exception cref="McpZeroConnectionException">A connection could not be opened; the others are closed again.</exception>
    public static async ValueTask<McpZeroConnectionPool> ConnectAsync(string socketPath, McpZeroClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        options ??= new McpZeroClientOptions();
        options.Validate();

        var pool = new McpZeroConnectionPool(socketPath, options);
        try
        {
            for (int i = 0; i < pool._connections.Length; i++)
            {
                pool._connections[i] = await McpZeroClient.ConnectAsync(socketPath, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await pool.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return pool;
    }

    /// <summary>
    /// Returns the next connection in turn, open. A connection that broke is replaced by a new one
    /// first.
    /// </summary>
    /// <exception cref="McpZeroConnectionException">A replacement connection could not be opened.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    public ValueTask<McpZeroClient> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        int slot = (int)((uint)Interlocked.Increment(ref _next) % (uint)_connections.Length);
        McpZeroClient? connection = Volatile.Read(ref _connections[slot]);
        return connection is { IsConnected: true }
            ? new ValueTask<McpZeroClient>(connection)
            : ReplaceAsync(slot, cancellationToken);
    }

    /// <summary>
    /// Sends a request on the next connection and returns the server's response, which may be an
    /// <see cref="ErrorResponse"/>. Busy is returned, not retried, but a request whose connection
    /// closed before it was written is sent again on another connection.
    /// </summary>
    /// <exception cref="McpZeroConnectionException">No connection could be opened within the retry policy, or the connection broke after the request was written.</exception>
    public ValueTask<IResponse> SendAsync(IRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _retry.SendAsync(SendOnceAsync, RetryOn.UnsentRequest, cancellationToken);

        async ValueTask<IResponse> SendOnceAsync(int attempt, CancellationToken token)
        {
            McpZeroClient connection = await GetConnectionAsync(token).ConfigureAwait(false);
            return await connection.SendAsync(request, token).ConfigureAwait(false);
        }
    }

    /// <summary>Sends requests in one batch frame on the next connection and returns their responses in order.</summary>
    /// <exception cref="McpZeroServerException">The server rejected the batch as a whole.</exception>
    public async ValueTask<IResponse[]> SendBatchAsync(IReadOnlyList<IRequest> requests, CancellationToken cancellationToken = default)
    {
        McpZeroClient connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.SendBatchAsync(requests, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request and returns its typed response. Busy errors and connection failures before
    /// the request was written are retried under <see cref="McpZeroClientOptions.Retry"/>, each
    /// attempt on the next connection.
    /// </summary>
    /// <exception cref="McpZeroServerException">The server returned an error, or Busy after the last attempt.</exception>
    /// <exception cref="McpZeroConnectionException">The daemon could not be reached within the retry policy.</exception>
    public async ValueTask<TResponse> RequestAsync<TResponse>(IRequest request, CancellationToken cancellationToken = default)
        where TResponse : class, IResponse
    {
        ArgumentNullException.ThrowIfNull(request);
        IResponse response = await _retry.SendAsync(
            async (_, token) =>
            {
                McpZeroClient connection = await GetConnectionAsync(token).ConfigureAwait(false);
                return await connection.SendAsync(request, token).ConfigureAwait(false);
            },
            RetryOn.Busy | RetryOn.UnsentRequest,
            cancellationToken).ConfigureAwait(false);
        return ResponseConverter.Expect<TResponse>(response);
    }

    /// <summary>Closes every connection; requests still waiting fail with <see cref="McpZeroConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        for (int i = 0; i < _connections.Length; i++)
        {
            await _slotLocks[i].WaitAsync().ConfigureAwait(false);
            try
            {
                if (Interlocked.Exchange(ref _connections[i], null) is { } connection)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _slotLocks[i].Release();
            }
        }
    }

    private async ValueTask<McpZeroClient> ReplaceAsync(int slot, CancellationToken cancellationToken)
    {
        await _slotLocks[slot].WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);

            // Another request may have replaced it while this one waited for the lock.
            McpZeroClient? current = _connections[slot];
            if (current is { IsConnected: true })
            {
                return current;
            }

            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
                Interlocked.Increment(ref _reconnects);
            }

            _connections[slot] = null;
            McpZeroClient replacement = await McpZeroClient.ConnectAsync(SocketPath, Options, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _connections[slot], replacement);
            return replacement;
        }
        finally
        {
            _slotLocks[slot].Release();
        }
    }
}
