using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Server.Metrics;
using McpZero.Tests.Shared;

namespace McpZero.UnitTests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void OutputParsesUnderFormatRules()
    {
        string text = PrometheusText.Format(SampleStats());

        (List<PrometheusSample> samples, Dictionary<string, string> types) = PrometheusTextParser.Parse(text);

        Assert.NotEmpty(samples);
        Assert.All(samples, sample => Assert.StartsWith("mcpzero_", sample.Name));
        Assert.All(types.Keys, name => Assert.Contains($"# HELP {name} ", text));
    }

    [Fact]
    public void ValuesUseSecondsAndBytes()
    {
        (List<PrometheusSample> samples, Dictionary<string, string> types) = PrometheusTextParser.Parse(PrometheusText.Format(SampleStats()));

        Assert.Equal(125.5, Single(samples, "mcpzero_uptime_seconds").Value);
        Assert.Equal(2.5, Single(samples, "mcpzero_process_cpu_seconds_total").Value);
        Assert.Equal(0.27, Single(samples, "mcpzero_process_cpu_ratio").Value, precision: 12);
        Assert.Equal(50_000_000, Single(samples, "mcpzero_process_resident_memory_bytes").Value);
        Assert.Equal(4096, samples.Single(sample => sample.Name == "mcpzero_store_memory_bytes" && sample.Label("part") == "index").Value);
        Assert.Equal("counter", types["mcpzero_store_reads_total"]);
        Assert.Equal("gauge", types["mcpzero_executions_queued"]);
        Assert.Equal(3, Single(samples, "mcpzero_executions_queued").Value);
    }

    [Fact]
    public void RequestLatencyIsSummaryPerType()
    {
        (List<PrometheusSample> samples, Dictionary<string, string> types) = PrometheusTextParser.Parse(PrometheusText.Format(SampleStats()));

        Assert.Equal("summary", types["mcpzero_request_duration_seconds"]);
        PrometheusSample p99 = samples.Single(sample =>
            sample.Name == "mcpzero_request_duration_seconds" && sample.Label("type") == "AgentExec" && sample.Label("quantile") == "0.99");
        Assert.Equal(0.000250, p99.Value, precision: 12);
        PrometheusSample count = samples.Single(sample => sample.Name == "mcpzero_request_duration_seconds_count" && sample.Label("type") == "AgentExec");
        Assert.Equal(1000, count.Value);
        PrometheusSample sum = samples.Single(sample => sample.Name == "mcpzero_request_duration_seconds_sum" && sample.Label("type") == "AgentExec");
        Assert.Equal(0.05, sum.Value, precision: 12);
        PrometheusSample max = samples.Single(sample => sample.Name == "mcpzero_request_duration_max_seconds" && sample.Label("type") == "AgentExec");
        Assert.Equal(0.002, max.Value, precision: 12);
    }

    [Fact]
    public void PluginLabelsAreEscaped()
    {
        (List<PrometheusSample> samples, _) = PrometheusTextParser.Parse(PrometheusText.Format(SampleStats()));

        PrometheusSample failures = samples.Single(sample =>
            sample.Name == "mcpzero_plugin_execution_failures_total" && sample.Label("plugin") == "odd\"name\\with\nbreak");
        Assert.Equal("run", failures.Label("method"));
        Assert.Equal(2, failures.Value);
    }

    [Fact]
    public void ErrorsCarryReasonAndCode()
    {
        (List<PrometheusSample> samples, _) = PrometheusTextParser.Parse(PrometheusText.Format(SampleStats()));

        PrometheusSample trap = samples.Single(sample => sample.Name == "mcpzero_error_responses_total" && sample.Label("reason") == "PluginTrap");
        Assert.Equal("30", trap.Label("code"));
        Assert.Equal(4, trap.Value);
    }

    [Fact]
    public void DenialsAreCountedByType()
    {
        (List<PrometheusSample> samples, Dictionary<string, string> types) = PrometheusTextParser.Parse(PrometheusText.Format(SampleStats()));

        PrometheusSample exec = samples.Single(sample => sample.Name == "mcpzero_permission_denials_total" && sample.Label("type") == "AgentExec");
        Assert.Equal(6, exec.Value);
        Assert.Equal("counter", types["mcpzero_permission_denials_total"]);
    }

    [Fact]
    public void EmptySnapshotStillParses()
    {
        (List<PrometheusSample> samples, Dictionary<string, string> types) = PrometheusTextParser.Parse(PrometheusText.Format(new StatsResponse()));

        Assert.Contains("mcpzero_request_duration_seconds", types.Keys);
        Assert.DoesNotContain(samples, sample => sample.Name.StartsWith("mcpzero_request_duration", StringComparison.Ordinal));
    }

    [Fact]
    public void ParserRejectsBrokenText()
    {
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("mcpzero_x 1"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("mcpzero_x{a=\"b} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# TYPE mcpzero_x gauge\n# TYPE mcpzero_x gauge\nmcpzero_x 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("mcpzero_x 1\nmcpzero_x 2\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("mcpzero_x one\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("mcpzero_x{a=\"\\t\"} 1\n"));
    }

    private static PrometheusSample Single(List<PrometheusSample> samples, string name) => samples.Single(sample => sample.Name == name);

    private static StatsResponse SampleStats() => new()
    {
        UptimeMilliseconds = 125_500,
        CpuTimeMicros = 2_500_000,
        CpuPercent = 27,
        CpuWindowMilliseconds = 2000,
        ResidentBytes = 50_000_000,
        PeakResidentBytes = 60_000_000,
        GcHeapBytes = 10_000_000,
        GcHeapLimitBytes = 268_435_456,
        WasmLinearMemoryBytes = 131_072,
        WasmInstances = 2,
        StoreLogMemoryBytes = 4_194_304,
        StoreIndexBytes = 4096,
        StoreReads = 10,
        StoreWrites = 20,
        StorePendingOperations = 1,
        StoreBytesWritten = 3000,
        StoreCheckpoints = 2,
        TraceAppends = 1000,
        TraceBytesAppended = 200_000,
        TraceCommits = 30,
        ExecutionsRunning = 1,
        ExecutionsQueued = 3,
        ModuleCacheHits = 1,
        ModuleCacheMisses = 2,
        InstancePoolHits = 998,
        InstancePoolMisses = 2,
        Connections = 1,
        Requests =
        [
            new RequestStats { MessageType = MessageTypes.AgentExec, Name = "AgentExec", Latency = Latency(1000, 50_000, 40, 250, 900, 2000) },
            new RequestStats { MessageType = MessageTypes.Status, Name = "Status", Latency = Latency(1, 100, 100, 100, 100, 100) },
        ],
        PluginMethods =
        [
            new PluginMethodStats { Plugin = "data_processing", Method = "process", Failures = 0, Duration = Latency(1000, 30_000, 25, 120, 400, 800) },
            new PluginMethodStats { Plugin = "odd\"name\\with\nbreak", Method = "run", Failures = 2, Duration = Latency(2, 10, 5, 5, 5, 5) },
        ],
        Errors =
        [
            new ErrorStats { Code = ErrorCode.MethodNotFound, Count = 1 },
            new ErrorStats { Code = ErrorCode.PluginTrap, Count = 4 },
        ],
        Denials = [new DenialStats { MessageType = MessageTypes.AgentExec, Name = "AgentExec", Count = 6 }],
    };

    private static LatencySummary Latency(long count, long sum, long p50, long p99, long p999, long max) =>
        new() { Count = count, SumMicros = sum, P50Micros = p50, P99Micros = p99, P999Micros = p999, MaxMicros = max };
}
