namespace McpZero.Server.Systemd;

/// <summary>Sizes the daemon's own limits to the <see cref="ResourceLimits"/> it runs under.</summary>
internal static class ResourceSizing
{
    /// <summary>
    /// File descriptors kept free of client connections: the store's log segments and checkpoint
    /// files, the trace log, compiled-module cache files while they load, the lock file, epoll and
    /// the standard streams. An idle daemon had 15 open in a trial run. The rest is an estimate with
    /// headroom for a busy daemon, not a measured maximum.
    /// </summary>
    public const int ReservedDescriptors = 128;

    /// <summary>
    /// Memory kept above the GC heap hard limit for code, thread stacks, FASTER's log buffers and
    /// WebAssembly linear memory, below which memory.max would make the kernel kill the daemon
    /// before the GC limit is reached.
    /// </summary>
    public const long MemoryHeadroomBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Returns the number of connections the daemon accepts: <paramref name="configured"/>, lowered
    /// so that connections plus <see cref="ReservedDescriptors"/> stay below RLIMIT_NOFILE.
    /// </summary>
    /// <exception cref="ServerStartException">The limit leaves no descriptor for a single connection.</exception>
    public static int CapConnections(int configured, long? openFilesSoft)
    {
        if (openFilesSoft is not long limit)
        {
            return configured;
        }

        long available = limit - ReservedDescriptors;
        if (available < 1)
        {
            throw new ServerStartException(
                $"the open-files limit RLIMIT_NOFILE={limit} leaves no descriptor for client connections after {ReservedDescriptors} reserved; raise LimitNOFILE= (or ulimit -n) to at least {ReservedDescriptors + 16}");
        }

        return (int)Math.Min(configured, available);
    }

    /// <summary>
    /// Returns true when the cgroup's memory.max is below the GC heap hard limit plus
    /// <see cref="MemoryHeadroomBytes"/>, so that the kernel would kill the daemon before the GC
    /// reports an out-of-memory error.
    /// </summary>
    /// <summary>
    /// Caps concurrent plugin calls at the whole cores a CPU quota allows, at least one: with
    /// <c>CPUQuota=27%</c> calls run one at a time, so a burst queues instead of being throttled by
    /// the kernel mid-call and missing its deadline.
    /// </summary>
    public static int CapExecutions(int configured, CpuQuota? quota)
    {
        if (quota is null)
        {
            return configured;
        }

        int cores = (int)Math.Max(1, Math.Ceiling((double)quota.QuotaMicros / quota.PeriodMicros));
        return Math.Min(configured, cores);
    }

    // NOTE: the WebAssembly memory budget comes from MemoryCeilingBytes alone. A smaller memory.max
    // only raises this warning, and it does not shrink the budget.
    public static bool IsMemoryMaxTooLow(long? memoryMaxBytes, long heapLimitBytes) =>
        memoryMaxBytes is long max && max < heapLimitBytes + MemoryHeadroomBytes;

    /// <summary>
    /// Returns the CPU budget of executions in percent of one core: <paramref name="configuredPercent"/>,
    /// lowered to a CPU quota when that is smaller.
    /// </summary>
    public static double CapCpuBudget(double configuredPercent, CpuQuota? quota) =>
        quota is null ? configuredPercent : Math.Min(configuredPercent, quota.PercentOfOneCpu);
}
