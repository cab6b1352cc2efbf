using System.Diagnostics.Metrics;
using McpZero.Agents;

namespace McpZero.Server.Metrics;

/// <summary>
/// The <see cref="System.Diagnostics.Metrics.Meter"/> named <c>McpZero</c>: the figures of
/// <c>mcpzero stats</c> as .NET instruments, for in-process listeners and, where the runtime's
/// EventPipe is available, tools such as <c>dotnet-counters</c>.
/// </summary>
/// <remarks>
/// The histograms are recorded next to <see cref="DaemonMetrics"/>; with no listener, a record
/// costs a check of an empty subscription list. The observable instruments read their sources only
/// when a listener collects.
/// </remarks>
internal static class McpZeroMeter
{
    public const string Name = "McpZero";

    public static readonly Meter Meter = new(Name, ServerInfo.Version);

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "mcpzero.request.duration", "s", "Latency of requests over the socket, from the arrival of the frame to the flush of the response.");

    public static readonly Histogram<double> PluginExecutionDuration = Meter.CreateHistogram<double>(
        "mcpzero.plugin.execution.duration", "s", "Execution time of plugin calls, measured around the WebAssembly call.");

    private static int _observablesCreated;

    /// <summary>Creates the observable instruments once per process; later calls do nothing.</summary>
    public static void CreateObservables(AgentRuntimeService runtimeService, ServerState state, ProcessCpu cpu, IExecutionQueueDepth queueDepth)
    {
        if (Interlocked.Exchange(ref _observablesCreated, 1) != 0)
        {
            return;
        }

        AgentRuntime Runtime() => runtimeService.Runtime;

        Meter.CreateObservableCounter("mcpzero.process.cpu.time", () => cpu.Sample().TotalMicros / 1_000_000.0, "s", "User and system CPU time of the daemon process.");
        Meter.CreateObservableGauge("mcpzero.process.cpu.percent", () => cpu.Sample().PercentOfOneCore, "%", "CPU use over the latest sampling interval, in percent of one core.");
        Meter.CreateObservableGauge("mcpzero.process.memory.resident", () => ProcessMemory.Read().Resident, "By", "Resident set size of the daemon process.");
        Meter.CreateObservableGauge("mcpzero.gc.heap.size", () => GC.GetTotalMemory(forceFullCollection: false), "By", "Bytes allocated on the GC heap.");
        Meter.CreateObservableGauge("mcpzero.gc.heap.limit", () => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, "By", "The GC heap hard limit.");
        Meter.CreateObservableGauge("mcpzero.wasm.linear_memory", () => Runtime().WasmLinearMemoryBytes, "By", "Linear memory of all live WebAssembly instances.");
        Meter.CreateObservableGauge("mcpzero.wasm.instances", () => Runtime().LiveInstances, "{instance}", "Live WebAssembly instances, idle or running.");
        Meter.CreateObservableGauge("mcpzero.store.memory", () => new Measurement<long>[]
        {
            new(Runtime().StoreLogMemoryBytes, new KeyValuePair<string, object?>("part", "log")),
            new(Runtime().StoreIndexMemoryBytes, new KeyValuePair<string, object?>("part", "index")),
        }, "By", "Memory of the state store by part.");
        Meter.CreateObservableCounter("mcpzero.store.reads", () => Runtime().StoreReads, "{operation}", "State store reads.");
        Meter.CreateObservableCounter("mcpzero.store.writes", () => Runtime().StoreWrites, "{operation}", "State store upserts and deletes.");
        Meter.CreateObservableCounter("mcpzero.store.pending_operations", () => Runtime().StorePendingOperations, "{operation}", "State store operations that FASTER finished later instead of at once.");
        Meter.CreateObservableCounter("mcpzero.store.written", () => Runtime().StoreBytesWritten, "By", "Key and value bytes written to the state store.");
        Meter.CreateObservableCounter("mcpzero.store.checkpoints", () => Runtime().StoreCheckpoints, "{checkpoint}", "State store checkpoints.");
        Meter.CreateObservableCounter("mcpzero.trace.appends", () => Runtime().TraceAppends, "{record}", "Records appended to the trace log.");
        Meter.CreateObservableCounter("mcpzero.trace.appended", () => Runtime().TraceBytesAppended, "By", "Record bytes appended to the trace log.");
        Meter.CreateObservableCounter("mcpzero.trace.commits", () => Runtime().TraceCommits, "{commit}", "Durable commits of the trace log.");
        Meter.CreateObservableGauge("mcpzero.executions.running", () => queueDepth.Running, "{call}", "Plugin calls admitted and not yet finished.");
        Meter.CreateObservableGauge("mcpzero.executions.queued", () => queueDepth.Queued, "{call}", "Exec requests waiting for admission.");
        Meter.CreateObservableCounter("mcpzero.module_cache.hits", () => Runtime().ModulesLoadedFromCache, "{load}", "Module loads served from the compiled-module cache.");
        Meter.CreateObservableCounter("mcpzero.module_cache.misses", () => Runtime().ModuleCacheMisses, "{load}", "Module loads that had to compile.");
        Meter.CreateObservableCounter("mcpzero.instance_pool.hits", () => Runtime().InstancesReused, "{call}", "Plugin calls that reused a warm instance.");
        Meter.CreateObservableCounter("mcpzero.instance_pool.misses", () => Runtime().InstancesCreated, "{call}", "Plugin calls that created an instance.");
        Meter.CreateObservableGauge("mcpzero.connections", () => state.Connections, "{connection}", "Open client connections.");
        Meter.CreateObservableCounter("mcpzero.error_responses", () => state.Metrics.SnapshotErrors().Select(static error =>
            new Measurement<long>(error.Count, new KeyValuePair<string, object?>("reason", error.Code.ToString()))), "{response}", "Error responses sent to clients, by reason.");
        Meter.CreateObservableCounter("mcpzero.permission_denials", () => state.Metrics.SnapshotDenials().Select(static denial =>
            new Measurement<long>(denial.Count, new KeyValuePair<string, object?>("type", denial.Name))), "{request}", "Requests rejected with PermissionDenied, by request type.");
    }
}
