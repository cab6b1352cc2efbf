using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>
/// A pool of ready agents that the daemon keeps for one template. <see cref="GetAsync"/> leases an
/// agent to this client's connection and <see cref="ReturnAsync"/> gives it back.
/// </summary>
/// <remarks>
/// Leases belong to the connection of <see cref="Client"/>: when it closes, the daemon returns every
/// agent it still holds and resets them. Create the pool on the daemon first, with
/// <see cref="O:McpZero.Client.AgentPool.CreateAsync"/> or <c>mcpzero pool create</c>. Thread-safe, like <see cref="McpZeroClient"/>.
/// </remarks>
public sealed class AgentPool
{
    /// <summary>Uses the existing pool <paramref name="name"/> over <paramref name="client"/>.</summary>
    public AgentPool(McpZeroClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Client = client;
        Name = name;
    }

    /// <summary>The connection that leases and returns agents. Leases end when it closes.</summary>
    public McpZeroClient Client { get; }

    /// <summary>The pool's name on the daemon.</summary>
    public string Name { get; }

    /// <summary>How long <see cref="GetAsync"/> lets the daemon wait for a returned agent when the pool is at its max: 5 seconds.</summary>
    public TimeSpan LeaseWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Creates the pool on the daemon and returns a handle to it.</summary>
    /// <exception cref="McpZeroServerException">The request is invalid or the name is taken (<c>AlreadyExists</c>).</exception>
    public static async ValueTask<AgentPool> CreateAsync(McpZeroClient client, PoolCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        await client.RequestAsync<PoolInfo>(request, cancellationToken).ConfigureAwait(false);
        return new AgentPool(client, request.Name);
    }

    /// <summary>
    /// Creates a pool of <paramref name="size"/> ready agents with <paramref name="plugins"/>
    /// attached, and returns a handle to it.
    /// </summary>
    /// <param name="client">The connection that leases and returns agents.</param>
    /// <param name="name">The pool's name, unique on the daemon.</param>
    /// <param name="size">The number of ready agents the daemon keeps, at least 1.</param>
    /// <param name="plugins">Installed plugins to attach to every agent of the pool.</param>
    /// <param name="max">The maximum number of agents, ready and leased together, or 0 for no maximum.</param>
    /// <param name="owner">The owner recorded on the pool's agents; null takes the user name of this process, as the CLI does.</param>
    /// <param name="cancellationToken">Cancels the wait for the daemon's reply.</param>
    /// <exception cref="McpZeroServerException">The name is taken (<c>AlreadyExists</c>), a plugin is not installed, or a value is invalid.</exception>
    public static ValueTask<AgentPool> CreateAsync(
        McpZeroClient client,
        string name,
        int size,
        IReadOnlyList<string> plugins,
        int max = 0,
        string? owner = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentNullException.ThrowIfNull(plugins);
        var request = new PoolCreateRequest { Name = name, Size = size, Max = max, Owner = owner ?? Environment.UserName, Plugins = [.. plugins] };
        return CreateAsync(client, request, cancellationToken);
    }

    /// <summary>Leases an agent. Dispose it, or pass it to <see cref="ReturnAsync"/>, to return it.</summary>
    /// <exception cref="McpZeroServerException">
    /// <c>Busy</c> when no agent became free within <see cref="LeaseWait"/>; <c>PoolNotFound</c> when the pool does not exist.
    /// </exception>
    public async ValueTask<PooledAgent> GetAsync(CancellationToken cancellationToken = default)
    {
        int waitMs = (int)Math.Clamp(LeaseWait.TotalMilliseconds, 0, int.MaxValue);
        PoolLeaseResponse lease = await Client.RequestAsync<PoolLeaseResponse>(
            new PoolLeaseRequest { Name = Name, WaitMs = waitMs },
            cancellationToken).ConfigureAwait(false);
        return new PooledAgent(this, lease.AgentId);
    }

    /// <summary>
    /// Returns a leased agent. The daemon resets it to the pool's template (variables cleared,
    /// config, constraints and plugins restored) unless <paramref name="keepState"/> is true.
    /// </summary>
    /// <exception cref="McpZeroServerException"><c>Conflict</c> when the agent is not leased from this pool.</exception>
    public async ValueTask ReturnAsync(PooledAgent agent, bool keepState = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (agent.Pool.Name != Name)
        {
            throw new ArgumentException($"agent '{agent.AgentId}' was leased from pool '{agent.Pool.Name}', not '{Name}'", nameof(agent));
        }

        await agent.ReturnAsync(keepState, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the pool's definition and its ready and leased agents.</summary>
    public async ValueTask<PoolInfo> ShowAsync(CancellationToken cancellationToken = default) =>
        await Client.RequestAsync<PoolInfo>(new PoolShowRequest { Name = Name }, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes the pool and deletes its agents. The daemon rejects this while agents are leased, unless <paramref name="force"/>.</summary>
    public async ValueTask RemoveAsync(bool force = false, CancellationToken cancellationToken = default) =>
        await Client.RequestAsync<OkResponse>(new PoolRemoveRequest { Name = Name, Force = force }, cancellationToken).ConfigureAwait(false);
}
