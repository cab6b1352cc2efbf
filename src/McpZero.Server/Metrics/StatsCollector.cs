using McpZero.Agents;
using McpZero.Protocol.Messages;

namespace McpZero.Server.Metrics;

/// <summary>Builds a <see cref="StatsResponse"/> from the process, the runtime and the recorded metrics.</summary>
internal sealed class StatsCollector(AgentRuntimeService runtimeService, ServerState state, ProcessCpu cpu, IExecutionQueueDepth queueDepth)
{
    public StatsResponse Collect()
    {
        AgentRuntime runtime = runtimeService.Runtime;
        CpuSample cpuSample = cpu.Sample();
        (long resident, long peak) = ProcessMemory.Read();
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        DaemonMetrics metrics = state.Metrics;

        return new StatsResponse
        {
            UptimeMilliseconds = (long)(DateTime.UtcNow - cpu.StartedUtc).TotalMilliseconds,
            CpuTimeMicros = cpuSample.TotalMicros,
            CpuPercent = cpuSample.PercentOfOneCore,
            CpuWindowMilliseconds = (long)cpuSample.Window.TotalMilliseconds,
            ResidentBytes = resident,
            PeakResidentBytes = peak,
            GcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
            GcHeapLimitBytes = gc.TotalAvailableMemoryBytes,
            WasmLinearMemoryBytes = runtime.WasmLinearMemoryBytes,
            WasmInstances = (int)runtime.LiveInstances,
            StoreLogMemoryBytes = runtime.StoreLogMemoryBytes,
            StoreIndexBytes = runtime.StoreIndexMemoryBytes,
            StoreReads = runtime.StoreReads,
            StoreWrites = runtime.StoreWrites,
            StorePendingOperations = runtime.StorePendingOperations,
            StoreBytesWritten = runtime.StoreBytesWritten,
            StoreCheckpoints = runtime.StoreCheckpoints,
            TraceAppends = runtime.TraceAppends,
            TraceBytesAppended = runtime.TraceBytesAppended,
            TraceCommits = runtime.TraceCommits,
            ExecutionsRunning = queueDepth.Running,
            ExecutionsQueued = queueDepth.Queued,
            ModuleCacheHits = runtime.ModulesLoadedFromCache,
            ModuleCacheMisses = runtime.ModuleCacheMisses,
            InstancePoolHits = runtime.InstancesReused,
            InstancePoolMisses = runtime.InstancesCreated,
            Connections = state.Connections,
            Requests = metrics.SnapshotRequests(),
            PluginMethods = metrics.SnapshotPluginMethods(),
            Errors = metrics.SnapshotErrors(),
            Denials = metrics.SnapshotDenials(),
            LoadedModules = runtime.LoadedModules,
            ModulesUnloaded = runtime.ModulesUnloaded,
            ResultCacheHits = runtime.ResultCacheHits,
            ResultCacheMisses = runtime.ResultCacheMisses,
            ResultCacheBytes = runtime.ResultCacheBytes,
            ResultCacheEntries = runtime.ResultCacheEntries,
            ResultCacheEvictions = runtime.ResultCacheEvictions,
        };
    }
}
