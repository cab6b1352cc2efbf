using System.Text;
using McpZero.Protocol.Messages;

namespace McpZero.Client;

public static partial class McpZeroClientExtensions
{
    /// <summary>Spawns an agent with <paramref name="plugins"/> attached.</summary>
    /// <param name="client">The client to send the request with.</param>
    /// <param name="owner">The agent's owner.</param>
    /// <param name="plugins">Installed plugins to attach.</param>
    /// <param name="constraints">Memory, timeout and fuel limits; null takes the daemon's defaults.</param>
    /// <param name="config">Configuration values the plugins read; null for none.</param>
    /// <param name="cancellationToken">Cancels the wait for the reply.</param>
    public static ValueTask<AgentInfo> SpawnAgentAsync(
        this IMcpZeroClient client,
        string owner,
        IReadOnlyList<string>? plugins = null,
        AgentConstraints? constraints = null,
        IReadOnlyDictionary<string, string>? config = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var request = new AgentSpawnRequest
        {
            Owner = owner,
            Plugins = [.. plugins ?? []],
            Constraints = constraints ?? new AgentConstraints(),
            Config = config is null ? [] : new Dictionary<string, string>(config),
        };
        return Checked(client).RequestAsync<AgentInfo>(request, cancellationToken);
    }

    /// <summary>Lists every agent.</summary>
    public static async ValueTask<AgentInfo[]> ListAgentsAsync(this IMcpZeroClient client, CancellationToken cancellationToken = default)
    {
        AgentListResponse list = await Checked(client).RequestAsync<AgentListResponse>(new AgentListRequest(), cancellationToken).ConfigureAwait(false);
        return list.Agents;
    }

    /// <summary>Reads one agent; throws <c>AgentNotFound</c> when there is none with that id.</summary>
    public static ValueTask<AgentInfo> GetAgentAsync(this IMcpZeroClient client, string agentId, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<AgentInfo>(new AgentShowRequest { AgentId = agentId }, cancellationToken);

    /// <summary>Attaches an installed plugin to an agent.</summary>
    public static ValueTask<AgentInfo> AttachPluginAsync(this IMcpZeroClient client, string agentId, string plugin, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<AgentInfo>(new AgentAttachRequest { AgentId = agentId, Plugin = plugin }, cancellationToken);

    /// <summary>Runs <paramref name="method"/> on an agent with <paramref name="input"/> and returns the output and its trace sequence.</summary>
    /// <param name="client">The client to send the request with.</param>
    /// <param name="agentId">The agent to run on.</param>
    /// <param name="method">The plugin export to call.</param>
    /// <param name="input">The call's input bytes.</param>
    /// <param name="plugin">The plugin to run when several attached plugins export the method; null runs the first that does.</param>
    /// <param name="cancellationToken">Cancels the wait for the result.</param>
    public static ValueTask<ExecResponse> ExecuteAsync(
        this IMcpZeroClient client,
        string agentId,
        string method,
        ReadOnlyMemory<byte> input,
        string? plugin = null,
        CancellationToken cancellationToken = default)
    {
        var request = new AgentExecRequest { AgentId = agentId, Method = method, Input = input.ToArray(), Plugin = plugin };
        return Checked(client).RequestAsync<ExecResponse>(request, cancellationToken);
    }

    /// <summary>Runs <paramref name="method"/> on an agent with <paramref name="input"/> encoded as UTF-8.</summary>
    public static ValueTask<ExecResponse> ExecuteAsync(
        this IMcpZeroClient client,
        string agentId,
        string method,
        string input,
        string? plugin = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return client.ExecuteAsync(agentId, method, Encoding.UTF8.GetBytes(input), plugin, cancellationToken);
    }

    /// <summary>Terminates an agent and deletes its variables; its traces and snapshots stay.</summary>
    public static async ValueTask TerminateAgentAsync(this IMcpZeroClient client, string agentId, CancellationToken cancellationToken = default) =>
        await Checked(client).RequestAsync<OkResponse>(new AgentTerminateRequest { AgentId = agentId }, cancellationToken).ConfigureAwait(false);
}
