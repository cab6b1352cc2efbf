namespace McpZero.StateBench;

/// <summary>A store of agent variables under test, addressed by the workload's key index.</summary>
internal interface IStateBackend : IAsyncDisposable
{
    /// <summary>Returns the value of variable <paramref name="key"/>, or null when it has none.</summary>
    byte[]? Read(int key);

    void Upsert(int key, byte[] value);

    /// <summary>Makes every upsert so far durable.</summary>
    ValueTask CommitAsync();
}
