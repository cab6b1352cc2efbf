namespace McpZero.Plugins;

/// <summary>
/// Settings of a <see cref="PluginEngine"/>.
/// </summary>
public sealed class PluginEngineOptions
{
    /// <summary>Directory of compiled modules (<c>*.cwasm</c>); created when missing.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Maximum number of idle instances kept warm per loaded module.</summary>
    public int InstancesPerPlugin { get; init; } = 4;

    /// <summary>Period of the epoch tick in milliseconds, so the granularity of call timeouts.</summary>
    public int EpochTickMilliseconds { get; init; } = 5;
}
