using System.Diagnostics;
using McpZero.Agents.Caching;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Storage;

namespace McpZero.Agents;

/// <summary>
/// The result cache of exports that a plugin's manifest marks <c>"cacheable": true</c>.
/// </summary>
/// <remarks>
/// A hit returns the stored output without running the plugin, so the call reads and writes no
/// variables, consumes no fuel and loads no module. It is still an execution: it counts in the
/// agent's executions and appends a trace record with status <see cref="TraceStatus.Cached"/>, the
/// input and output hashes a run would have recorded, and the time of the lookup.
/// </remarks>
public sealed partial class AgentRuntime
{
    /// <summary>Calls served from the result cache since the daemon started.</summary>
    public long ResultCacheHits => _resultCache?.Hits ?? 0;

    /// <summary>Calls of cacheable exports that found no cached result and ran the plugin.</summary>
    public long ResultCacheMisses => _resultCache?.Misses ?? 0;

    /// <summary>Bytes charged for the cached results held now, outputs plus a fixed overhead per entry.</summary>
    public long ResultCacheBytes => _resultCache?.Bytes ?? 0;

    /// <summary>Cached results held now.</summary>
    public int ResultCacheEntries => _resultCache?.Count ?? 0;

    /// <summary>Cached results evicted to make room since the daemon started.</summary>
    public long ResultCacheEvictions => _resultCache?.Evictions ?? 0;

    /// <summary>The configured capacity of the result cache in bytes; 0 when it is off.</summary>
    public long ResultCacheCapacityBytes => _options.ResultCacheBytes;

    private ResultKey? GetResultCacheKey(PluginRecord plugin, string method, Dictionary<string, string> config, byte[] inputSha256)
    {
        if (_resultCache is null || !plugin.CacheableExports.Contains(method))
        {
            return null;
        }

        return ResultCache.CreateKey(plugin.Sha256, method, config, inputSha256);
    }

    // Runs under the agent's gate, like a plugin call, so the trace order matches the call order.
    // The duration covers the key's hash and the lookup, from lookupStarted.
    private ExecResponse ExecuteFromCache(AgentState agent, string plugin, string method, byte[] inputSha256, byte[] output, long lookupStarted)
    {
        long durationMicros = (long)Stopwatch.GetElapsedTime(lookupStarted).TotalMicroseconds;
        _options.ExecutionObserver?.Executed(plugin, method, ErrorCode.Ok, durationMicros);
        TraceRecord trace = RecordExecution(agent, plugin, method, inputSha256, output, TraceStatus.Cached, ErrorCode.Ok, durationMicros);
        return new ExecResponse
        {
            Output = output,
            Plugin = plugin,
            DurationMicros = durationMicros,
            FuelConsumed = 0,
            TraceSequence = trace.Sequence,
        };
    }
}
