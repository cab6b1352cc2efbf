namespace McpZero.Plugins;

/// <summary>
/// Settings of a <see cref="PluginEngine"/>.
/// </summary>
public sealed class PluginEngineOptions
{
    /// <summary>Directory of compiled modules (<c>*.cwasm</c>); created when missing.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Maximum number of idle instances kept warm per loaded module.</summary>
    /// <remarks>
    /// Instances in use are not counted: a call whose agent has no idle instance creates one, so concurrent
    /// calls are never blocked and the number of live instances is not bounded by this value.
    /// </remarks>
    public int InstancesPerPlugin { get; init; } = 4;

    /// <summary>
    /// Period of the epoch tick in milliseconds, which is the granularity of call timeouts: a call stops
    /// within about one tick after <see cref="PluginLimits.TimeoutMs"/>. The tick runs only while a call does.
    /// </summary>
    public int EpochTickMilliseconds { get; init; } = 5;

    /// <summary>
    /// The linear memory all instances may reserve together; null reserves nothing and leaves only
    /// each call's <see cref="PluginLimits.MaxMemoryBytes"/>.
    /// </summary>
    public MemoryBudget? MemoryBudget { get; init; }

    /// <summary>
    /// Time after which a module that no call used is unloaded with its warm instances, which gives
    /// its compiled code and linear memory back. Zero keeps modules loaded until they are disposed.
    /// </summary>
    /// <remarks>
    /// <see cref="PluginEngine.Call"/> on an unloaded module throws <see cref="ObjectDisposedException"/>
    /// before it runs anything, so the owner loads the module again (from the compiled-module cache)
    /// and repeats the call.
    /// </remarks>
    public TimeSpan IdleUnloadAfter { get; init; }
}
