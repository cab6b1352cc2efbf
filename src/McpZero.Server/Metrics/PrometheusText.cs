using System.Globalization;
using System.Text;
using McpZero.Protocol.Messages;

namespace McpZero.Server.Metrics;

/// <summary>
/// Writes a <see cref="StatsResponse"/> in the Prometheus text exposition format, version 0.0.4:
/// a <c># HELP</c> and a <c># TYPE</c> line per metric family, then its samples.
/// </summary>
/// <remarks>
/// Names carry the <c>mcpzero_</c> prefix and base units: seconds and bytes. Latency distributions
/// are summaries with the quantiles 0.5, 0.99 and 0.999 plus <c>_sum</c> and <c>_count</c>, and a
/// separate <c>_max_seconds</c> gauge. Quantiles come from log-linear histograms, so they are
/// within about 1% of the true value.
/// NOTE: the quantiles cover every value since the daemon started, not a recent window as most
/// client libraries' summaries do, so a change in latency shows slowly in them after a long uptime.
/// </remarks>
public static class PrometheusText
{
    /// <summary>The Content-Type of this format, for an HTTP endpoint that serves it.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Returns the exposition text of <paramref name="stats"/>; it ends with a newline.</summary>
    public static string Format(StatsResponse stats)
    {
        var writer = new Writer();

        writer.Gauge("mcpzero_uptime_seconds", "Time since the daemon process started.", Seconds(stats.UptimeMilliseconds * 1000));
        writer.Counter("mcpzero_process_cpu_seconds_total", "User and system CPU time the daemon process has used.", Seconds(stats.CpuTimeMicros));
        writer.Gauge("mcpzero_process_cpu_ratio", "CPU use over the latest sampling interval, as a fraction of one core.", stats.CpuPercent / 100);
        writer.Gauge("mcpzero_process_resident_memory_bytes", "Resident set size of the daemon process (VmRSS).", stats.ResidentBytes);
        writer.Gauge("mcpzero_process_resident_memory_peak_bytes", "Peak resident set size of the daemon process (VmHWM).", stats.PeakResidentBytes);
        writer.Gauge("mcpzero_gc_heap_bytes", "Bytes allocated on the GC heap.", stats.GcHeapBytes);
        writer.Gauge("mcpzero_gc_heap_limit_bytes", "The GC heap hard limit.", stats.GcHeapLimitBytes);
        writer.Gauge("mcpzero_wasm_linear_memory_bytes", "Linear memory of all live WebAssembly instances, as of the end of each one's latest call.", stats.WasmLinearMemoryBytes);
        writer.Gauge("mcpzero_wasm_instances", "Live WebAssembly instances, idle or running.", stats.WasmInstances);

        writer.Header("mcpzero_store_memory_bytes", "Memory of the state store by part: hybrid log pages and hash index.", "gauge");
        writer.Sample("mcpzero_store_memory_bytes", [("part", "log")], stats.StoreLogMemoryBytes);
        writer.Sample("mcpzero_store_memory_bytes", [("part", "index")], stats.StoreIndexBytes);
        writer.Counter("mcpzero_store_reads_total", "State store reads.", stats.StoreReads);
        writer.Counter("mcpzero_store_writes_total", "State store upserts and deletes.", stats.StoreWrites);
        writer.Counter("mcpzero_store_pending_operations_total", "State store operations that FASTER finished later instead of at once, such as reads of records on disk.", stats.StorePendingOperations);
        writer.Counter("mcpzero_store_written_bytes_total", "Key and value bytes written to the state store.", stats.StoreBytesWritten);
        writer.Counter("mcpzero_store_checkpoints_total", "State store checkpoints taken.", stats.StoreCheckpoints);
        writer.Counter("mcpzero_trace_appends_total", "Records appended to the trace log.", stats.TraceAppends);
        writer.Counter("mcpzero_trace_appended_bytes_total", "Serialized record bytes appended to the trace log.", stats.TraceBytesAppended);
        writer.Counter("mcpzero_trace_commits_total", "Durable commits of the trace log.", stats.TraceCommits);

        writer.Gauge("mcpzero_executions_running", "Plugin calls admitted and not yet finished.", stats.ExecutionsRunning);
        writer.Gauge("mcpzero_executions_queued", "Exec requests waiting for admission.", stats.ExecutionsQueued);
        writer.Counter("mcpzero_module_cache_hits_total", "Module loads served from the compiled-module cache.", stats.ModuleCacheHits);
        writer.Counter("mcpzero_module_cache_misses_total", "Module loads that had to compile.", stats.ModuleCacheMisses);
        writer.Counter("mcpzero_instance_pool_hits_total", "Plugin calls that reused their agent's warm instance.", stats.InstancePoolHits);
        writer.Counter("mcpzero_instance_pool_misses_total", "Plugin calls that created a new instance.", stats.InstancePoolMisses);
        writer.Gauge("mcpzero_connections", "Open client connections.", stats.Connections);
        writer.Gauge("mcpzero_modules_loaded", "Compiled plugin modules held in memory.", stats.LoadedModules);
        writer.Counter("mcpzero_modules_unloaded_total", "Plugin modules unloaded after being idle, removed or replaced.", stats.ModulesUnloaded);
        writer.Counter("mcpzero_result_cache_hits_total", "Calls of cacheable exports served from the result cache.", stats.ResultCacheHits);
        writer.Counter("mcpzero_result_cache_misses_total", "Calls of cacheable exports that ran the plugin.", stats.ResultCacheMisses);
        writer.Counter("mcpzero_result_cache_evictions_total", "Cached results evicted to make room.", stats.ResultCacheEvictions);
        writer.Gauge("mcpzero_result_cache_bytes", "Bytes charged for cached results.", stats.ResultCacheBytes);
        writer.Gauge("mcpzero_result_cache_entries", "Cached results held.", stats.ResultCacheEntries);

        WriteRequests(writer, stats.Requests ?? []);
        WritePluginMethods(writer, stats.PluginMethods ?? []);
        WriteErrors(writer, stats.Errors ?? []);
        WriteDenials(writer, stats.Denials ?? []);
        return writer.ToString();
    }

    private static void WriteRequests(Writer writer, RequestStats[] requests)
    {
        const string Name = "mcpzero_request_duration_seconds";
        writer.Header(Name, "Latency of requests over the socket by message type, from the arrival of the frame to the flush of the response, since the daemon started.", "summary");
        foreach (RequestStats request in requests)
        {
            writer.Summary(Name, [("type", request.Name)], request.Latency);
        }

        const string MaxName = "mcpzero_request_duration_max_seconds";
        writer.Header(MaxName, "Longest request latency by message type since the daemon started.", "gauge");
        foreach (RequestStats request in requests)
        {
            writer.Sample(MaxName, [("type", request.Name)], Seconds(request.Latency.MaxMicros));
        }
    }

    private static void WritePluginMethods(Writer writer, PluginMethodStats[] methods)
    {
        const string Name = "mcpzero_plugin_execution_duration_seconds";
        writer.Header(Name, "Execution time of plugin calls by plugin and method, measured around the WebAssembly call, since the daemon started.", "summary");
        foreach (PluginMethodStats method in methods)
        {
            writer.Summary(Name, [("plugin", method.Plugin), ("method", method.Method)], method.Duration);
        }

        const string MaxName = "mcpzero_plugin_execution_duration_max_seconds";
        writer.Header(MaxName, "Longest plugin call by plugin and method since the daemon started.", "gauge");
        foreach (PluginMethodStats method in methods)
        {
            writer.Sample(MaxName, [("plugin", method.Plugin), ("method", method.Method)], Seconds(method.Duration.MaxMicros));
        }

        const string FailuresName = "mcpzero_plugin_execution_failures_total";
        writer.Header(FailuresName, "Plugin calls that failed, by plugin and method.", "counter");
        foreach (PluginMethodStats method in methods)
        {
            writer.Sample(FailuresName, [("plugin", method.Plugin), ("method", method.Method)], method.Failures);
        }
    }

    private static void WriteErrors(Writer writer, ErrorStats[] errors)
    {
        const string Name = "mcpzero_error_responses_total";
        writer.Header(Name, "Error responses sent to clients, by reason (the error code's name) and numeric code.", "counter");
        foreach (ErrorStats error in errors)
        {
            writer.Sample(Name, [("reason", error.Code.ToString()), ("code", ((ushort)error.Code).ToString(CultureInfo.InvariantCulture))], error.Count);
        }
    }

    private static void WriteDenials(Writer writer, DenialStats[] denials)
    {
        const string Name = "mcpzero_permission_denials_total";
        writer.Header(Name, "Requests rejected with PermissionDenied because the caller's uid lacked ownership or the admin group, by message type.", "counter");
        foreach (DenialStats denial in denials)
        {
            writer.Sample(Name, [("type", denial.Name)], denial.Count);
        }
    }

    private static double Seconds(long micros) => micros / 1_000_000.0;

    private sealed class Writer
    {
        private readonly StringBuilder _text = new();

        public override string ToString() => _text.ToString();

        public void Gauge(string name, string help, double value)
        {
            Header(name, help, "gauge");
            Sample(name, [], value);
        }

        public void Counter(string name, string help, double value)
        {
            Header(name, help, "counter");
            Sample(name, [], value);
        }

        public void Header(string name, string help, string type)
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }

        public void Summary(string name, (string Name, string Value)[] labels, LatencySummary latency)
        {
            Sample(name, [.. labels, ("quantile", "0.5")], Seconds(latency.P50Micros));
            Sample(name, [.. labels, ("quantile", "0.99")], Seconds(latency.P99Micros));
            Sample(name, [.. labels, ("quantile", "0.999")], Seconds(latency.P999Micros));
            Sample(name + "_sum", labels, Seconds(latency.SumMicros));
            Sample(name + "_count", labels, latency.Count);
        }

        public void Sample(string name, (string Name, string Value)[] labels, double value)
        {
            _text.Append(name);
            if (labels.Length > 0)
            {
                _text.Append('{');
                for (int i = 0; i < labels.Length; i++)
                {
                    if (i > 0)
                    {
                        _text.Append(',');
                    }

                    _text.Append(labels[i].Name).Append("=\"").Append(EscapeLabelValue(labels[i].Value)).Append('"');
                }

                _text.Append('}');
            }

            _text.Append(' ').Append(FormatValue(value)).Append('\n');
        }

        // The format's float syntax is Go's ParseFloat, which accepts the round-trip form and +Inf, -Inf, NaN.
        private static string FormatValue(double value) => value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            _ when double.IsNaN(value) => "NaN",
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };

        // In HELP text only backslash and line feed are escaped; in label values double quotes too.
        private static string EscapeHelp(string text) => text.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

        private static string EscapeLabelValue(string text) => EscapeHelp(text).Replace("\"", "\\\"", StringComparison.Ordinal);
    }
}
