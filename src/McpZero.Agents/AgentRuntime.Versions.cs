using McpZero.Agents.Trust;
using McpZero.Protocol;

namespace McpZero.Agents;

// Plugin versions. The catalog keys each installed module by its plugin id: NAME for an unversioned
// plugin and NAME@VERSION for a versioned one. An agent's plugin list holds references: NAME follows
// the newest installed version of NAME, NAME@VERSION pins one version.
// NOTE: a build from before versions reads these records but registers each under its id, so
// after a downgrade agents that follow NAME find no plugin unless an unversioned NAME exists.
public sealed partial class AgentRuntime
{
    private static readonly Comparer<string> VersionComparer = Comparer<string>.Create(PluginVersion.CompareText);

    private static string PluginId(string name, string version) => version.Length == 0 ? name : name + "@" + version;

    private static string PluginId(PluginRecord record) => PluginId(record.Name, record.Version);

    /// <summary>
    /// Sets the members that a record written before versions existed lacks, which MemoryPack leaves
    /// at null rather than at their initializers.
    /// </summary>
    private static PluginRecord WithVersionDefaults(PluginRecord record)
    {
        record.Version ??= "";
        record.Description ??= "";
        record.SignerKeyId ??= "";
        record.Readme ??= "";
        record.Capabilities ??= [];
        return record;
    }

    /// <summary>Splits a reference into its name and its version, which is null when the reference has none.</summary>
    private static (string Name, string? Version) SplitReference(string reference)
    {
        int at = reference.IndexOf('@');
        return at < 0 ? (reference, null) : (reference[..at], reference[(at + 1)..]);
    }

    /// <summary>Returns every installed version of a plugin name, oldest first.</summary>
    private List<PluginState> VersionsOf(string name) =>
        [.. _plugins.Values
            .Where(state => state.Record.Name == name)
            .OrderBy(state => state.Record.Version, VersionComparer)];

    /// <summary>Resolves <c>NAME@VERSION</c> to that version and <c>NAME</c> to its newest installed version.</summary>
    private bool TryResolvePlugin(string reference, out PluginState plugin)
    {
        (string name, string? version) = SplitReference(reference);
        if (version is not null)
        {
            return _plugins.TryGetValue(reference, out plugin!);
        }

        plugin = null!;
        foreach (PluginState candidate in _plugins.Values)
        {
            if (candidate.Record.Name == name && (plugin is null || VersionComparer.Compare(candidate.Record.Version, plugin.Record.Version) > 0))
            {
                plugin = candidate;
            }
        }

        return plugin is not null;
    }

    private PluginState GetPlugin(string reference)
    {
        if (TryResolvePlugin(reference, out PluginState plugin))
        {
            return plugin;
        }

        (string name, string? version) = SplitReference(reference);
        List<PluginState> versions = VersionsOf(name);
        if (version is not null && versions.Count > 0)
        {
            throw new AgentException(
                ErrorCode.PluginNotFound,
                $"plugin '{name}' has no version '{version}'; installed versions: {string.Join(", ", versions.Select(state => DisplayVersion(state.Record.Version)))}");
        }

        throw new AgentException(ErrorCode.PluginNotFound, $"plugin '{reference}' not found; list plugins with `mcpzero plugin list`");
    }

    private static string DisplayVersion(string version) => version.Length == 0 ? "(unversioned)" : version;

    /// <summary>Returns the active agents whose references resolve to this plugin version now.</summary>
    private string[] AgentsUsing(PluginState plugin) =>
        ActiveAgentsWhere(reference => TryResolvePlugin(reference, out PluginState resolved) && ReferenceEquals(resolved, plugin));

    /// <summary>Returns the active agents that hold exactly this reference.</summary>
    private string[] AgentsReferencingExactly(string reference) =>
        ActiveAgentsWhere(held => held == reference);

    /// <summary>Returns the active agents that hold NAME or any NAME@VERSION.</summary>
    private string[] AgentsReferencingName(string name) =>
        ActiveAgentsWhere(held => SplitReference(held).Name == name);

    private string[] ActiveAgentsWhere(Func<string, bool> matches) =>
        [.. _agents.Values
            .Where(agent => agent.Record.Status == AgentStatus.Active && agent.Record.Plugins.Any(matches))
            .Select(agent => agent.Record.AgentId)
            .Order(StringComparer.Ordinal)];

    /// <summary>Updates the registry entries of agents that use any version of <paramref name="name"/>.</summary>
    private void ResyncAgentResources(string name)
    {
        foreach (AgentState agent in _agents.Values)
        {
            if (agent.Record.Plugins.Any(held => SplitReference(held).Name == name))
            {
                SyncAgentResource(agent.Record);
            }
        }
    }
}
