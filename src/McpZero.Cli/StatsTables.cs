using System.Globalization;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

/// <summary>The readable form of <c>mcpzero stats</c>: a table of figures, then one table per series.</summary>
internal static class StatsTables
{
    public static void Write(StatsResponse stats, TextWriter output)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        var table = new TextTable("FIELD", "VALUE");
        table.Add("uptime", TimeFormat.Duration(TimeSpan.FromMilliseconds(stats.UptimeMilliseconds)));
        table.Add("cpu", string.Create(invariant,
            $"{stats.CpuPercent:0.0}% of one core over the last {stats.CpuWindowMilliseconds / 1000.0:0.0} s, {stats.CpuTimeMicros / 1_000_000.0:0.00} s in total"));
        table.Add("memory (rss)", $"{TimeFormat.Bytes(stats.ResidentBytes)} now, {TimeFormat.Bytes(stats.PeakResidentBytes)} peak");
        table.Add("gc heap", $"{TimeFormat.Bytes(stats.GcHeapBytes)} of {TimeFormat.Bytes(stats.GcHeapLimitBytes)} limit");
        table.Add("wasm memory", $"{TimeFormat.Bytes(stats.WasmLinearMemoryBytes)} in {stats.WasmInstances} instance(s)");
        table.Add("store memory", $"log {TimeFormat.Bytes(stats.StoreLogMemoryBytes)}, index {TimeFormat.Bytes(stats.StoreIndexBytes)}");
        table.Add("store i/o", string.Create(invariant,
            $"{stats.StoreReads} reads, {stats.StoreWrites} writes ({TimeFormat.Bytes(stats.StoreBytesWritten)}), {stats.StorePendingOperations} pending, {stats.StoreCheckpoints} checkpoints"));
        table.Add("trace log", string.Create(invariant,
            $"{stats.TraceAppends} appends ({TimeFormat.Bytes(stats.TraceBytesAppended)}), {stats.TraceCommits} commits"));
        table.Add("executions", string.Create(invariant, $"{stats.ExecutionsRunning} running, {stats.ExecutionsQueued} queued"));
        table.Add("module cache", string.Create(invariant, $"{stats.ModuleCacheHits} hits, {stats.ModuleCacheMisses} misses"));
        table.Add("instance pool", string.Create(invariant, $"{stats.InstancePoolHits} hits, {stats.InstancePoolMisses} misses"));
        table.Add("connections", stats.Connections.ToString(invariant));
        table.Add("plugin modules", string.Create(invariant, $"{stats.LoadedModules} loaded, {stats.ModulesUnloaded} unloaded"));
        table.Add("result cache", string.Create(invariant,
            $"{stats.ResultCacheHits} hits, {stats.ResultCacheMisses} misses, {stats.ResultCacheEntries} entries ({TimeFormat.Bytes(stats.ResultCacheBytes)}), {stats.ResultCacheEvictions} evictions"));
        table.Write(output);

        RequestStats[] requests = stats.Requests ?? [];
        if (requests.Length > 0)
        {
            output.WriteLine();
            var latency = new TextTable("REQUEST", "COUNT", "P50", "P99", "P99.9", "MAX");
            foreach (RequestStats request in requests)
            {
                LatencySummary summary = request.Latency;
                latency.Add(request.Name, summary.Count.ToString(invariant), Micros(summary.P50Micros), Micros(summary.P99Micros), Micros(summary.P999Micros), Micros(summary.MaxMicros));
            }

            latency.Write(output);
        }

        PluginMethodStats[] methods = stats.PluginMethods ?? [];
        if (methods.Length > 0)
        {
            output.WriteLine();
            var execution = new TextTable("PLUGIN", "METHOD", "CALLS", "FAILED", "P50", "P99", "P99.9", "MAX");
            foreach (PluginMethodStats method in methods)
            {
                LatencySummary summary = method.Duration;
                execution.Add(method.Plugin, method.Method, summary.Count.ToString(invariant), method.Failures.ToString(invariant),
                    Micros(summary.P50Micros), Micros(summary.P99Micros), Micros(summary.P999Micros), Micros(summary.MaxMicros));
            }

            execution.Write(output);
        }

        ErrorStats[] errors = stats.Errors ?? [];
        if (errors.Length > 0)
        {
            output.WriteLine();
            var refusals = new TextTable("ERROR", "CODE", "COUNT");
            foreach (ErrorStats error in errors)
            {
                refusals.Add(error.Code.ToString(), ((ushort)error.Code).ToString(invariant), error.Count.ToString(invariant));
            }

            refusals.Write(output);
        }

        DenialStats[] denials = stats.Denials ?? [];
        if (denials.Length > 0)
        {
            output.WriteLine();
            var denied = new TextTable("DENIED REQUEST", "TYPE", "COUNT");
            foreach (DenialStats denial in denials)
            {
                denied.Add(denial.Name, denial.MessageType.ToString(invariant), denial.Count.ToString(invariant));
            }

            denied.Write(output);
        }
    }

    /// <summary>Formats microseconds in the largest unit that keeps three significant digits: 41 us, 1.25 ms, 2.40 s.</summary>
    internal static string Micros(long micros)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        return micros switch
        {
            < 1_000 => string.Create(invariant, $"{micros} us"),
            < 1_000_000 => string.Create(invariant, $"{micros / 1_000.0:0.00} ms"),
            _ => string.Create(invariant, $"{micros / 1_000_000.0:0.00} s"),
        };
    }
}
