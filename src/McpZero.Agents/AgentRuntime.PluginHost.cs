using System.Text;
using McpZero.Agents.Collections;
using McpZero.Plugins;
using McpZero.Protocol.Messages;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    private PluginHostServices? _pluginHostServices;

    /// <summary>The runtime's services behind the plugins' <c>extism:host/user</c> functions.</summary>
    private PluginHostServices HostServices => _pluginHostServices ??= new PluginHostServices(this);

    private static IReadOnlyList<PluginPathGrant> PathGrants(PluginRecord plugin)
    {
        if (plugin.AllowedPaths.Count == 0)
        {
            return [];
        }

        return [.. plugin.AllowedPaths.Select(grant => new PluginPathGrant(grant.HostPath, grant.GuestPath, grant.Writable))];
    }

    private static List<StoredPathGrant> ToStoredGrants(IReadOnlyList<PluginPathGrant> grants) =>
        [.. grants.Select(grant => new StoredPathGrant { HostPath = grant.HostPath, GuestPath = grant.GuestPath, Writable = grant.Writable })];

    /// <summary>Finds resources for <c>find_resources</c> with the same query as <c>mcpzero resource find --capability</c>.</summary>
    private sealed class PluginHostServices(AgentRuntime runtime) : IPluginHostServices
    {
        public byte[] FindResources(string agentId, string capability, int limit)
        {
            DbCondition[] conditions = [new DbCondition { Field = "capabilities", Operator = DbOperator.Equal, Values = [capability] }];
            DbDocumentsResponse found = runtime.FindDocuments(CollectionNames.Resources, conditions, [], limit);

            // Each document is already one JSON object, so the array is built by joining them.
            var json = new StringBuilder("[");
            json.AppendJoin(',', found.Documents);
            json.Append(']');
            return Encoding.UTF8.GetBytes(json.ToString());
        }
    }
}
