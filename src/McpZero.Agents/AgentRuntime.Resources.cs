using System.Collections.Concurrent;
using McpZero.Agents.Collections;
using McpZero.Protocol;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    // The runtime registers plugins and active agents as resources under these id prefixes, and
    // only the runtime changes them.
    private const string PluginResourcePrefix = "plugin:";
    private const string AgentResourcePrefix = "agent:";

    // Membership value of every resource id in _resourceIds.
    private const string AllResources = "*";

    private readonly ConcurrentDictionary<string, ResourceRecord> _resources = new(StringComparer.Ordinal);

    // Serializes resource writes so that a document, its id list entry and its index entries change together.
    private readonly Lock _resourceLock = new();

    // The ids of every resource, persisted in the same sharded form as an index.
    private PostingIndex _resourceIds = null!;

    private void LoadResources()
    {
        _resourceIds = new PostingIndex(_store, CollectionKeys.ResourceIdsCollection, "all");
        _resourceIds.Load();
        foreach (string resourceId in _resourceIds.Lookup([AllResources]))
        {
            ResourceRecord? record = _store.ReadDocument<ResourceRecord>(CollectionKeys.Resource(resourceId));
            if (record is null)
            {
                Log.CatalogEntryMissing(_logger, "resource", resourceId);
                continue;
            }

            _resources[resourceId] = record;
        }
    }

    /// <summary>Registers an installed plugin with its manifest capabilities and its exports, and updates the agents that use it.</summary>
    private void RegisterPluginResource(PluginRecord plugin, IReadOnlyList<string> manifestCapabilities)
    {
        var record = new ResourceRecord
        {
            ResourceId = PluginResourcePrefix + PluginId(plugin),
            ResourceType = "plugin",
            Owner = "system",
            Capabilities = [.. manifestCapabilities.Concat(plugin.Exports).Distinct(StringComparer.Ordinal)],
            Location = "modules/" + plugin.Sha256 + ".wasm",
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["sha256"] = plugin.Sha256 },
            CreatedUnixMicros = plugin.InstalledUnixMicros,
        };
        PutResource(record);

        foreach (AgentState agent in _agents.Values)
        {
            if (agent.Record.Plugins.Any(held => SplitReference(held).Name == plugin.Name))
            {
                SyncAgentResource(agent.Record);
            }
        }
    }

    private void UnregisterPluginResource(string pluginName) => DeleteResource(PluginResourcePrefix + pluginName);

    /// <summary>
    /// Registers an active agent with the capabilities of its plugins, or unregisters a terminated
    /// one. Writes nothing when the entry is already current.
    /// </summary>
    private void SyncAgentResource(AgentRecord agent)
    {
        string resourceId = AgentResourcePrefix + agent.AgentId;
        if (agent.Status != AgentStatus.Active)
        {
            DeleteResource(resourceId);
            return;
        }

        var capabilities = new List<string>();
        foreach (string plugin in agent.Plugins)
        {
            if (TryResolvePlugin(plugin, out PluginState resolved)
                && _resources.TryGetValue(PluginResourcePrefix + PluginId(resolved.Record), out ResourceRecord? pluginResource))
            {
                capabilities.AddRange(pluginResource.Capabilities.Where(capability => !capabilities.Contains(capability)));
            }
        }

        string plugins = string.Join(",", agent.Plugins);
        if (_resources.TryGetValue(resourceId, out ResourceRecord? current)
            && current.Owner == agent.Owner
            && current.Capabilities.SequenceEqual(capabilities)
            && current.Metadata.GetValueOrDefault("plugins") == plugins)
        {
            return;
        }

        PutResource(new ResourceRecord
        {
            ResourceId = resourceId,
            ResourceType = "agent",
            Owner = agent.Owner,
            Capabilities = capabilities,
            Location = "agent/" + agent.AgentId,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["plugins"] = plugins },
            CreatedUnixMicros = agent.CreatedUnixMicros,
        });
    }

    /// <summary>
    /// Makes the registry match the plugins and agents after a start: registers those without an
    /// entry (for example in a data directory from before the registry existed) and removes
    /// entries whose plugin or agent is gone.
    /// </summary>
    private void SyncRuntimeResources()
    {
        foreach (PluginState plugin in _plugins.Values)
        {
            if (!_resources.ContainsKey(PluginResourcePrefix + PluginId(plugin.Record)))
            {
                RegisterPluginResource(plugin.Record, plugin.Record.Capabilities);
            }
        }

        foreach (AgentState agent in _agents.Values)
        {
            SyncAgentResource(agent.Record);
        }

        foreach (string resourceId in _resources.Keys)
        {
            bool stale =
                (resourceId.StartsWith(PluginResourcePrefix, StringComparison.Ordinal) && !_plugins.ContainsKey(resourceId[PluginResourcePrefix.Length..]))
                || (resourceId.StartsWith(AgentResourcePrefix, StringComparison.Ordinal)
                    && !(_agents.TryGetValue(resourceId[AgentResourcePrefix.Length..], out AgentState? agent) && agent.Record.Status == AgentStatus.Active));
            if (stale)
            {
                DeleteResource(resourceId);
            }
        }
    }

    /// <summary>Stores a new or changed resource with its id list and index entries.</summary>
    private void PutResource(ResourceRecord record)
    {
        lock (_resourceLock)
        {
            _resources.TryGetValue(record.ResourceId, out ResourceRecord? before);
            _store.UpsertDocument(CollectionKeys.Resource(record.ResourceId), record, waitForCommit: false);
            if (before is null)
            {
                _resourceIds.Update(record.ResourceId, new HashSet<string>(), new HashSet<string> { AllResources });
            }

            _resourceIndexes.Apply(before, record);
            _resources[record.ResourceId] = record;
        }

        Log.ResourceRegistered(_logger, record.ResourceId, record.ResourceType, record.Capabilities.Count);
    }

    /// <summary>Stores many new resources with one write per changed id list or posting bucket.</summary>
    private void PutNewResources(IReadOnlyList<ResourceRecord> records)
    {
        lock (_resourceLock)
        {
            foreach (ResourceRecord record in records)
            {
                if (_resources.ContainsKey(record.ResourceId))
                {
                    throw new AgentException(ErrorCode.AlreadyExists, $"resource '{record.ResourceId}' already exists; update it or choose another resource_id");
                }
            }

            foreach (ResourceRecord record in records)
            {
                _store.UpsertDocument(CollectionKeys.Resource(record.ResourceId), record, waitForCommit: false);
            }

            _resourceIds.AddMany(records.Select(record => (record.ResourceId, (IReadOnlySet<string>)new HashSet<string> { AllResources })));
            _resourceIndexes.AddMany(records);
            foreach (ResourceRecord record in records)
            {
                _resources[record.ResourceId] = record;
            }
        }
    }

    /// <returns>False when no such resource exists.</returns>
    private bool DeleteResource(string resourceId)
    {
        lock (_resourceLock)
        {
            if (!_resources.TryGetValue(resourceId, out ResourceRecord? before))
            {
                return false;
            }

            _store.Delete(CollectionKeys.Resource(resourceId), waitForCommit: false);
            _resourceIds.Update(resourceId, new HashSet<string> { AllResources }, new HashSet<string>());
            _resourceIndexes.Apply(before, null);
            _resources.TryRemove(resourceId, out _);
        }

        Log.ResourceUnregistered(_logger, resourceId);
        return true;
    }

    private static bool IsRuntimeResource(string resourceId) =>
        resourceId.StartsWith(PluginResourcePrefix, StringComparison.Ordinal) || resourceId.StartsWith(AgentResourcePrefix, StringComparison.Ordinal);
}
