using McpZero.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpZero.StateBench;

/// <summary>
/// Agent variables on the product's StateStore, stored the way AgentRuntime stores them: one
/// VariableSet document per agent under "vars/AGENT".
/// </summary>
/// <remarks>
/// A read loads the agent's document and looks the variable up, which is what AgentRuntime does the
/// first time an agent runs after a start. An upsert changes the agent's in-memory set and writes a
/// copy of the whole set back, which is what AgentRuntime does after every call that changed a
/// variable. Between calls AgentRuntime serves reads from memory, so this read path is its cold path.
/// </remarks>
internal sealed class FasterDocumentBackend : IStateBackend
{
    private readonly StateStore _store;
    private readonly Workload _workload;
    private readonly string[] _documentKeys;
    private readonly Dictionary<string, byte[]>?[] _variables;

    public FasterDocumentBackend(Workload workload, string directory)
    {
        _workload = workload;
        _store = StateStore.Open(FasterOptions.For(directory), NullLogger.Instance);
        _documentKeys = workload.AgentIds.Select(agentId => "vars/" + agentId).ToArray();
        _variables = new Dictionary<string, byte[]>?[workload.AgentIds.Length];
    }

    public byte[]? Read(int key)
    {
        VariableSet? set = _store.ReadDocument<VariableSet>(_documentKeys[_workload.AgentOf(key)]);
        return set?.Values.GetValueOrDefault(_workload.VariableOf(key));
    }

    public void Upsert(int key, byte[] value)
    {
        int agent = _workload.AgentOf(key);
        Dictionary<string, byte[]> variables = _variables[agent] ??= LoadVariables(agent);
        variables[_workload.VariableOf(key)] = value;

        // AgentRuntime serializes a copy of the set (PluginVariables.Snapshot), so the copy is part of
        // the measured cost.
        var document = new VariableSet { Values = new Dictionary<string, byte[]>(variables, StringComparer.Ordinal) };
        _store.UpsertDocument(_documentKeys[agent], document);
    }

    public ValueTask CommitAsync() => _store.CheckpointAsync();

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private Dictionary<string, byte[]> LoadVariables(int agent)
    {
        VariableSet? stored = _store.ReadDocument<VariableSet>(_documentKeys[agent]);
        return stored is null ? new Dictionary<string, byte[]>(StringComparer.Ordinal) : stored.Values;
    }
}
