using MemoryPack;

namespace McpZero.Protocol.Messages;

/// <summary>Asks for a snapshot of the daemon's monitoring metrics.</summary>
[MemoryPackable]
public sealed partial class StatsRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.Stats;
}

/// <summary>
/// A snapshot of the daemon's monitoring metrics. Counters count from the daemon's start; gauges
/// are the value at the time of the snapshot.
/// </summary>
[MemoryPackable]
public sealed partial class StatsResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.StatsResult;

    public long UptimeMilliseconds { get; set; }

    /// <summary>User plus system CPU time of the process since it started, in microseconds.</summary>
    public long CpuTimeMicros { get; set; }

    /// <summary>CPU use over <see cref="CpuWindowMilliseconds"/> before the snapshot, in percent of one core.</summary>
    public double CpuPercent { get; set; }

    /// <summary>The interval that <see cref="CpuPercent"/> covers: since the previous sample, or since the start.</summary>
    public long CpuWindowMilliseconds { get; set; }

    public long ResidentBytes { get; set; }
    public long PeakResidentBytes { get; set; }
    public long GcHeapBytes { get; set; }
    public long GcHeapLimitBytes { get; set; }

    /// <summary>Linear memory of every live WebAssembly instance, idle or running, in bytes.</summary>
    public long WasmLinearMemoryBytes { get; set; }
    public int WasmInstances { get; set; }

    /// <summary>Memory of the state store's hybrid log pages, in bytes.</summary>
    public long StoreLogMemoryBytes { get; set; }

    /// <summary>Memory of the state store's hash index, overflow buckets included, in bytes.</summary>
    public long StoreIndexBytes { get; set; }
    public long StoreReads { get; set; }
    public long StoreWrites { get; set; }

    /// <summary>Store operations that FASTER finished later instead of at once, such as reads of records on disk.</summary>
    public long StorePendingOperations { get; set; }

    /// <summary>Key and value bytes written by upserts.</summary>
    public long StoreBytesWritten { get; set; }
    public long StoreCheckpoints { get; set; }
    public long TraceAppends { get; set; }
    public long TraceBytesAppended { get; set; }

    /// <summary>Completed trace log commits, each of which made every earlier append durable.</summary>
    public long TraceCommits { get; set; }

    /// <summary>Plugin calls running now.</summary>
    public int ExecutionsRunning { get; set; }

    /// <summary>Exec requests waiting for a free execution slot now.</summary>
    public int ExecutionsQueued { get; set; }
    public long ModuleCacheHits { get; set; }
    public long ModuleCacheMisses { get; set; }

    /// <summary>Calls that reused their agent's warm instance.</summary>
    public long InstancePoolHits { get; set; }

    /// <summary>Calls that had to create a new instance.</summary>
    public long InstancePoolMisses { get; set; }
    public int Connections { get; set; }
    public RequestStats[] Requests { get; set; } = [];
    public PluginMethodStats[] PluginMethods { get; set; } = [];
    public ErrorStats[] Errors { get; set; } = [];

    /// <summary>Requests rejected with PermissionDenied, per message type, ordered by type.</summary>
    public DenialStats[] Denials { get; set; } = [];
    // Plugin loading and the result cache.

    /// <summary>Compiled plugin modules held in memory now; idle ones are unloaded after PluginIdleUnloadSeconds.</summary>
    public int LoadedModules { get; set; }

    /// <summary>Modules unloaded since the daemon started, after being idle or when their plugin was removed or replaced.</summary>
    public long ModulesUnloaded { get; set; }

    /// <summary>Calls of cacheable exports served from the result cache without running the plugin.</summary>
    public long ResultCacheHits { get; set; }

    /// <summary>Calls of cacheable exports that ran the plugin because no result was cached.</summary>
    public long ResultCacheMisses { get; set; }

    /// <summary>Bytes charged for cached results now: outputs plus a fixed overhead per entry.</summary>
    public long ResultCacheBytes { get; set; }

    /// <summary>Cached results held now.</summary>
    public int ResultCacheEntries { get; set; }

    /// <summary>Cached results evicted, least recently used first, to make room since the daemon started.</summary>
    public long ResultCacheEvictions { get; set; }
}

/// <summary>A latency distribution in microseconds.</summary>
[MemoryPackable]
public sealed partial class LatencySummary
{
    public long Count { get; set; }
    public long SumMicros { get; set; }
    public long P50Micros { get; set; }
    public long P99Micros { get; set; }
    public long P999Micros { get; set; }
    public long MaxMicros { get; set; }
}

/// <summary>Latency of one request type, from the frame's arrival to its response's flush.</summary>
[MemoryPackable]
public sealed partial class RequestStats
{
    public ushort MessageType { get; set; }
    public string Name { get; set; } = "";
    public LatencySummary Latency { get; set; } = new();
}

/// <summary>Execution time of one plugin export, as measured around the WebAssembly call.</summary>
[MemoryPackable]
public sealed partial class PluginMethodStats
{
    public string Plugin { get; set; } = "";
    public string Method { get; set; } = "";
    public long Failures { get; set; }
    public LatencySummary Duration { get; set; } = new();
}

/// <summary>How many error responses with one code the daemon sent.</summary>
[MemoryPackable]
public sealed partial class ErrorStats
{
    public ErrorCode Code { get; set; }
    public long Count { get; set; }
}

/// <summary>How many requests of one message type were rejected with PermissionDenied.</summary>
[MemoryPackable]
public sealed partial class DenialStats
{
    public ushort MessageType { get; set; }
    public string Name { get; set; } = "";
    public long Count { get; set; }
}
