using System.Text;
using McpZero.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpZero.StateBench;

/// <summary>
/// Agent variables on the product's StateStore with one record per variable under
/// "vars/AGENT/NAME": the same layout as the SQLite table, so the two engines do the same work.
/// </summary>
internal sealed class FasterKeyBackend : IStateBackend
{
    private readonly StateStore _store;
    private readonly byte[][] _keys;

    public FasterKeyBackend(Workload workload, string directory)
    {
        _store = StateStore.Open(FasterOptions.For(directory), NullLogger.Instance);
        _keys = new byte[workload.Options.KeyCount][];
        for (int key = 0; key < _keys.Length; key++)
        {
            _keys[key] = Encoding.UTF8.GetBytes($"vars/{workload.AgentIds[workload.AgentOf(key)]}/{workload.VariableOf(key)}");
        }
    }

    public byte[]? Read(int key) => _store.Read(_keys[key]);

    public void Upsert(int key, byte[] value) => _store.Upsert(_keys[key], value);

    public ValueTask CommitAsync() => _store.CheckpointAsync();

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
