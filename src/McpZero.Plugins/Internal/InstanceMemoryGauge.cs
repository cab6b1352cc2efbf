namespace McpZero.Plugins.Internal;

/// <summary>
/// Live WebAssembly instances of one engine and the sum of their linear memory sizes, for
/// monitoring.
/// </summary>
/// <remarks>
/// Each instance reports its own size when it is instantiated and when a call ends, on the thread
/// that runs it, because a Wasmtime store must not be read from another thread. A call that grows
/// memory is therefore counted when it ends.
/// </remarks>
internal sealed class InstanceMemoryGauge
{
    private long _instances;
    private long _linearMemoryBytes;

    public long Instances => Interlocked.Read(ref _instances);

    public long LinearMemoryBytes => Interlocked.Read(ref _linearMemoryBytes);

    public void InstanceCreated() => Interlocked.Increment(ref _instances);

    public void InstanceDisposed() => Interlocked.Decrement(ref _instances);

    public void AddLinearMemory(long deltaBytes) => Interlocked.Add(ref _linearMemoryBytes, deltaBytes);
}
