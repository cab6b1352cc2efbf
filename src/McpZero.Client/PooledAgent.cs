using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>
/// An agent leased from an <see cref="AgentPool"/>. Disposing it returns it to the pool, reset to
/// the template, unless it was returned already.
/// </summary>
/// <remarks>The lease also ends when the client's connection closes. The daemon then returns the agent itself.</remarks>
public sealed class PooledAgent : IAsyncDisposable
{
    private int _returned;

    internal PooledAgent(AgentPool pool, string agentId)
    {
        Pool = pool;
        AgentId = agentId;
    }

    /// <summary>The pool the agent was leased from.</summary>
    public AgentPool Pool { get; }

    /// <summary>The agent's id, such as <c>a-4af218d542</c>.</summary>
    public string AgentId { get; }

    /// <summary>Whether the agent has been returned, by <see cref="ReturnAsync"/> or by disposing.</summary>
    public bool IsReturned => Volatile.Read(ref _returned) != 0;

    /// <summary>Runs <paramref name="method"/> on the agent with <paramref name="input"/> encoded as UTF-8.</summary>
    /// <param name="method">The plugin export to call.</param>
    /// <param name="input">The call's input text.</param>
    /// <param name="plugin">The plugin to run when several attached plugins export the method; null runs the first that does.</param>
    /// <param name="cancellationToken">Cancels the wait for the result and the call on the daemon, unless the call went out inside a batch frame.</param>
    /// <exception cref="ObjectDisposedException">The agent was returned.</exception>
    /// <exception cref="McpZeroServerException">The call failed, and its <see cref="McpZeroServerException.Code"/> is the reason.</exception>
    public ValueTask<ExecResponse> ExecuteAsync(string method, string input, string? plugin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ExecuteAsync(method, System.Text.Encoding.UTF8.GetBytes(input), plugin, cancellationToken);
    }

    /// <summary>Runs <paramref name="method"/> on the agent with the normal exec request.</summary>
    /// <param name="method">The plugin export to call.</param>
    /// <param name="input">The call's input bytes.</param>
    /// <param name="plugin">The plugin to run when several attached plugins export the method; null runs the first that does.</param>
    /// <param name="cancellationToken">Cancels the wait for the result and the call on the daemon, unless the call went out inside a batch frame.</param>
    /// <exception cref="ObjectDisposedException">The agent was returned.</exception>
    /// <exception cref="McpZeroServerException">The call failed, and its <see cref="McpZeroServerException.Code"/> is the reason.</exception>
    public async ValueTask<ExecResponse> ExecuteAsync(string method, ReadOnlyMemory<byte> input, string? plugin = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsReturned, this);
        return await Pool.Client.RequestAsync<ExecResponse>(
            new AgentExecRequest { AgentId = AgentId, Method = method, Input = input.ToArray(), Plugin = plugin },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the agent to its pool; a second call does nothing.</summary>
    /// <param name="keepState">Keep the agent's variables and config instead of resetting it to the pool's template.</param>
    /// <param name="cancellationToken">Cancels the wait for the daemon's reply.</param>
    public async ValueTask ReturnAsync(bool keepState = false, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _returned, 1) != 0)
        {
            return;
        }

        await Pool.Client.RequestAsync<OkResponse>(
            new PoolReturnRequest { Name = Pool.Name, AgentId = AgentId, KeepState = keepState },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the agent, reset to the template, unless it was returned already.</summary>
    /// <exception cref="McpZeroServerException">The daemon rejected the return, for example because the pool was removed.</exception>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReturnAsync().ConfigureAwait(false);
        }
        catch (McpZeroConnectionException)
        {
            // The connection is closed, and the daemon returns the leases of a closed connection itself.
        }
    }
}
