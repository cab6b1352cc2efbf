using System.Buffers;
using System.Net.Sockets;
using McpZero.Server.Access;
using McpZero.Server.Systemd;
using McpZero.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpZero.Server;

/// <summary>
/// Listens on the Unix socket and runs one <see cref="ClientConnection"/> per accepted client.
/// Stopping closes the listener, lets in-flight requests finish within the shutdown timeout,
/// then closes every connection and removes the socket file. A socket passed by systemd socket
/// activation is used as it is, and its file is left to systemd.
/// </summary>
internal sealed class UnixSocketServer(
    ServerOptions options,
    RequestDispatcher dispatcher,
    ServerState state,
    AgentRuntimeService runtimeService,
    ILoggerFactory loggerFactory,
    SocketActivation? activation = null) : IHostedService
{
    // Time a cancelled call gets to reach its next epoch check, send its reply and be traced.
    private static readonly TimeSpan CancelledCallGrace = TimeSpan.FromSeconds(3);

    private static readonly LogRateLimiter RejectedConnectionLog = new(maxPerWindow: 10, TimeSpan.FromMinutes(1));

    private readonly ILogger _logger = loggerFactory.CreateLogger<UnixSocketServer>();
    private readonly ILogger _connectionLogger = loggerFactory.CreateLogger<ClientConnection>();
    private readonly CallerResolver _callers = new(options.AdminGroup, loggerFactory.CreateLogger<CallerResolver>());
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<ClientConnection> _connections = [];
    private readonly Lock _connectionsLock = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _nextConnectionId;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _callers.LogConfiguration();
        if (activation is not null)
        {
            _listener = activation.Listener;
            _acceptLoop = AcceptLoopAsync(activation.Listener);
            Log.ListeningActivated(_logger, activation.SocketPath, "set by the .socket unit", options.MaxFrameBytes);
            return Task.CompletedTask;
        }

        // DaemonHost ran SocketPathGuard.PrepareForBind before the host started, so the path is free.
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(options.SocketPath));
            File.SetUnixFileMode(options.SocketPath, options.SocketMode);
            SocketGroup.Apply(options.SocketPath, options.SocketGroup, _logger);
            listener.Listen(backlog: 128);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new ServerStartException($"cannot listen on '{options.SocketPath}': {ex.Message}", ex);
        }

        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
        Log.Listening(_logger, options.SocketPath, Convert.ToString((int)options.SocketMode, 8), options.MaxFrameBytes);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is null)
        {
            return;
        }

        Log.Stopping(_logger, _connections.Count);
        _stopping.Cancel();
        _listener.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        ClientConnection[] open;
        lock (_connectionsLock)
        {
            open = [.. _connections];
        }

        // Each connection stops reading and waits for its in-flight requests. Plugin calls still
        // running when the shutdown timeout passes are cancelled, so they end with a ShuttingDown
        // reply and a trace record. A connection still busy after a short grace is closed.
        using var cancelCalls = new CancellationTokenSource(options.ShutdownTimeout);
        using CancellationTokenRegistration cancelling = cancelCalls.Token.Register(
            static state => ((UnixSocketServer)state!).CancelRunningCalls(),
            this);
        using var deadline = new CancellationTokenSource(options.ShutdownTimeout + CancelledCallGrace);
        await Task.WhenAll(open.Select(connection => connection.DrainAsync(deadline.Token))).ConfigureAwait(false);

        if (activation is not null)
        {
            Log.StoppedActivated(_logger);
            return;
        }

        try
        {
            File.Delete(options.SocketPath);
        }
        catch (IOException ex)
        {
            Log.SocketRemoveFailed(_logger, options.SocketPath, ex);
        }

        Log.Stopped(_logger);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                Log.AcceptFailed(_logger, ex);
                continue;
            }

            // The watchdog's health check connects from this process and is let in above the limit,
            // so a daemon that is merely full is not restarted by systemd.
            PeerCredentials? credentials = PeerCredentials.TryRead(client);
            if (state.Connections >= options.MaxConnections && credentials?.ProcessId != Environment.ProcessId)
            {
                if (RejectedConnectionLog.TryAcquire(out long suppressed))
                {
                    Log.ConnectionRejected(_logger, options.MaxConnections, suppressed);
                }

                RejectBusy(client);
                continue;
            }

            long connectionId = Interlocked.Increment(ref _nextConnectionId);
            var connection = new ClientConnection(
                connectionId,
                client,
                dispatcher,
                state.Metrics,
                options,
                _connectionLogger,
                _stopping.Token);
            lock (_connectionsLock)
            {
                _connections.Add(connection);
            }

            CallerIdentity caller = _callers.Resolve(credentials);
            Log.CallerIdentified(_connectionLogger, connectionId, caller.Uid, caller.Gid, caller.ProcessId, caller.IsAdmin);
            dispatcher.ConnectionOpened(connectionId, caller);
            state.ConnectionOpened();
            _ = RunConnectionAsync(connection, connectionId);
        }
    }

    /// <summary>
    /// Sends a Busy error with request id 0 before closing, so the client reports a full daemon and
    /// not one that is down. The frame is small enough for the socket buffer, so the send does not block.
    /// </summary>
    private void RejectBusy(Socket client)
    {
        state.Metrics.ErrorSent(ErrorCode.Busy);
        try
        {
            var frame = new ArrayBufferWriter<byte>(256);
            FrameWriter.WriteResponse(frame, 0, RequestDispatcher.Error(
                ErrorCode.Busy,
                $"the daemon has {options.MaxConnections} connections open, its maximum (MaxConnections); close idle clients or raise the limit, then retry"));
            client.Blocking = false;
            client.Send(frame.WrittenSpan);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The client is gone already; nothing to tell it.
        }
        finally
        {
            client.Dispose();
        }
    }

    private void CancelRunningCalls()
    {
        Log.CancellingCalls(_logger, options.ShutdownTimeout.TotalSeconds);
        runtimeService.Runtime.CancelRunningCalls();
    }

    private async Task RunConnectionAsync(ClientConnection connection, long connectionId)
    {
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_connectionsLock)
            {
                _connections.Remove(connection);
            }

            dispatcher.ConnectionClosed(connectionId);
            state.ConnectionClosed();
        }
    }
}

/// <summary>The daemon cannot start; the message gives the reason and the fix.</summary>
public sealed class ServerStartException(string message, Exception? inner = null) : Exception(message, inner);
