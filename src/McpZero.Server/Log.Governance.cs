using Microsoft.Extensions.Logging;

namespace McpZero.Server;

internal static partial class Log
{
    [LoggerMessage(70, LogLevel.Information,
        "Memory ceiling {CeilingBytes} bytes: GC heap hard limit {GcHeapLimitBytes} (state store {StoreBytes} inside it), native reserve {NativeReserveBytes}, WebAssembly memory budget {WasmBudgetBytes}",
        EventName = "MemoryPlan")]
    public static partial void MemoryPlan(ILogger logger, long ceilingBytes, long gcHeapLimitBytes, long storeBytes, long nativeReserveBytes, long wasmBudgetBytes);

    [LoggerMessage(71, LogLevel.Information,
        "Execution admission: CPU budget {CpuBudgetPercent:0.#}% of one core ({CpuSource}), {Workers} workers, queues of {MaxQueuedPerAgent} per agent and {MaxQueuedExecutions} or {MaxQueuedInputBytes} bytes of input in all, queue timeout {QueueTimeoutMs} ms",
        EventName = "ExecutionAdmission")]
    public static partial void ExecutionAdmission(ILogger logger, double cpuBudgetPercent, string cpuSource, int workers, int maxQueuedPerAgent, int maxQueuedExecutions, long maxQueuedInputBytes, long queueTimeoutMs);

    [LoggerMessage(72, LogLevel.Warning,
        "Execution admission is off (AdmissionControl=false): no per-agent queues and no CPU budget; up to {Workers} executions run at once",
        EventName = "AdmissionControlOff")]
    public static partial void AdmissionControlOff(ILogger logger, int workers);

    [LoggerMessage(73, LogLevel.Warning,
        "The cgroup's memory.max of {MemoryMaxBytes} bytes is below MemoryCeilingBytes={CeilingBytes}; the kernel may kill the daemon before the WebAssembly memory budget applies. Lower MemoryCeilingBytes or raise MemoryMax=",
        EventName = "MemoryMaxBelowCeiling")]
    public static partial void MemoryMaxBelowCeiling(ILogger logger, long memoryMaxBytes, long ceilingBytes);
}
