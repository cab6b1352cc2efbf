using McpZero.Client;
using McpZero.Server;

namespace McpZero.Cli;

/// <summary>What every client command shares: the socket path, the connection and the --json switch.</summary>
internal static class ClientCommand
{
    /// <summary>Requests that take longer than this fail with exit status 1.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// No retry: a command that gets Busy fails at once with exit status 1, so a script gets the
    /// daemon's load as an exit status and decides itself whether to try again.
    /// </summary>
    private static readonly McpZeroClientOptions CliOptions = new() { ClientName = "mcpzero-cli", Retry = McpZeroRetryPolicy.None };

    /// <summary>
    /// The socket to use: --socket, else <c>MCPZERO__SOCKETPATH</c>, else ./var/mcpzero.sock when it
    /// exists (a developer's <c>make run</c>), else the service's path.
    /// </summary>
    public static string ResolveSocketPath(CommandLine line)
    {
        string? path = line.Option("socket") ?? Environment.GetEnvironmentVariable(DaemonHost.EnvironmentPrefix + "SOCKETPATH");
        if (path is not null)
        {
            return Path.GetFullPath(path);
        }

        // A development data directory (./var with its lock file) means `make run` is, or was,
        // used here, so its socket is the one to try and to name in errors, even while stopped.
        string development = Path.GetFullPath(ServerOptions.DevelopmentSocketPath);
        string developmentLock = Path.Combine(Path.GetFullPath(ServerOptions.DevelopmentDataDirectory), "mcpzero.lock");
        return File.Exists(development) || File.Exists(developmentLock) ? development : ServerOptions.ServiceSocketPath;
    }

    public static async Task<McpZeroClient> ConnectAsync(CommandLine line)
    {
        string socketPath = ResolveSocketPath(line);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await McpZeroClient.ConnectAsync(socketPath, CliOptions, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new McpZeroConnectionException(socketPath, $"the daemon at '{socketPath}' did not reply to hello within 10 seconds");
        }
    }

    public static async Task<TResponse> RequestAsync<TResponse>(McpZeroClient client, Protocol.Messages.IRequest request)
        where TResponse : class, Protocol.Messages.IResponse
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            return await client.RequestAsync<TResponse>(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the daemon did not respond within {RequestTimeout.TotalMinutes} minutes");
        }
    }
}
