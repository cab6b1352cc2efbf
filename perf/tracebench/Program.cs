using System.Diagnostics;
using System.Security.Cryptography;
using McpZero.Client;
using McpZero.Protocol.Messages;
using McpZero.Storage;
using Microsoft.Extensions.Logging.Abstractions;

// Trace log benchmarks: batch append, `list --since` on a large log, and the daemon's start-up time
// on that log. Prints one line per measurement, "name: value unit (detail)".
// Usage: tracebench --work DIR [--binary out/bin/mcpzero] [--records 1000000] [--batch 100000]
var options = Options.Parse(args);
Directory.CreateDirectory(options.Work);

await BenchAppendAsync(options);
var dataDirectory = Path.Combine(options.Work, "data");
var firstTimestamp = await BuildLogAsync(options, Path.Combine(dataDirectory, "traces"));
BenchList(options, Path.Combine(dataDirectory, "traces"), firstTimestamp);
if (options.Binary is not null)
{
    await BenchDaemonStartAsync(options, dataDirectory);
}

static async Task BenchAppendAsync(Options options)
{
    foreach (var memoryBytes in new long[] { 1 << 20, 64 << 20 })
    {
        var directory = Path.Combine(options.Work, $"append-{memoryBytes}");
        await using var log = TraceLog.Open(directory, NullLogger.Instance, new TraceLogOptions { MemoryBytes = memoryBytes });
        for (var round = 1; round <= 3; round++)
        {
            var drafts = Drafts(options.Batch, round * options.Batch, 0);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            log.AppendBatch(drafts);
            var appended = stopwatch.Elapsed;
            await log.CommitAsync();
            stopwatch.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            Report($"batch append round {round}, {memoryBytes >> 20} MiB log memory", options.Batch / stopwatch.Elapsed.TotalSeconds, "records/s",
                $"{options.Batch} records in {stopwatch.Elapsed.TotalMilliseconds:F1} ms: {appended.TotalMilliseconds:F1} ms to append, the rest for the durable commit; " +
                $"process CPU time {cpu.TotalMilliseconds:F0} ms, {options.Batch / cpu.TotalSeconds:F0} records per CPU second");
        }
    }
}

static async Task<long> BuildLogAsync(Options options, string directory)
{
    var first = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds() * 1000;
    var stopwatch = Stopwatch.StartNew();
    await using (var log = TraceLog.Open(directory, NullLogger.Instance))
    {
        for (var written = 0; written < options.Records; written += options.Batch)
        {
            var count = Math.Min(options.Batch, options.Records - written);
            await log.AppendBatchAsync(Drafts(count, written, first));
        }
    }

    Report("build log", stopwatch.Elapsed.TotalSeconds, "s", $"{options.Records} records, timestamps 1 ms apart");
    return first;
}

static void BenchList(Options options, string directory, long firstTimestamp)
{
    var stopwatch = Stopwatch.StartNew();
    using var log = TraceLog.Open(directory, NullLogger.Instance);
    Report("open with index", stopwatch.Elapsed.TotalMilliseconds, "ms", $"{log.Count} records, {log.IndexBlockCount} index blocks");

    long At(long sequence) => firstTimestamp + sequence * 1000;
    var cases = new (string Name, string? Agent, long Since, long Until)[]
    {
        ("list --since near the tail --limit 100", null, At(options.Records - 100), long.MaxValue),
        ("list --since middle --limit 100", null, At(options.Records / 2), long.MaxValue),
        ("list --since middle --until middle+99 --limit 100", null, At(options.Records / 2), At(options.Records / 2 + 99)),
        ("list --agent nobody (reads every block)", "nobody", 0, long.MaxValue),
    };
    foreach (var (name, agent, since, until) in cases)
    {
        var times = new List<double>();
        var found = 0;
        for (var i = 0; i < 5; i++)
        {
            stopwatch.Restart();
            found = log.List(agent, since, until, 100).Count;
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Report(name, times[2], "ms", $"median of 5, {found} records returned, min {times[0]:F2} ms, max {times[4]:F2} ms");
    }
}

static async Task BenchDaemonStartAsync(Options options, string dataDirectory)
{
    for (var round = 1; round <= 3; round++)
    {
        var elapsed = await StartDaemonAsync(options.Binary!, dataDirectory);
        Report($"daemon start to first status reply, round {round}", elapsed.TotalMilliseconds, "ms", $"{options.Records} trace records, index file present");
    }

    File.Delete(Path.Combine(dataDirectory, "traces", "index"));
    var rebuilt = await StartDaemonAsync(options.Binary!, dataDirectory);
    Report("daemon start to first status reply, index file deleted", rebuilt.TotalMilliseconds, "ms", "the open reads the whole log and rewrites the index");
}

static async Task<TimeSpan> StartDaemonAsync(string binary, string dataDirectory)
{
    var socket = Path.Combine(dataDirectory, "bench.sock");
    var start = new ProcessStartInfo(binary, ["serve", "--data", dataDirectory, "--socket", socket])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    var stopwatch = Stopwatch.StartNew();
    using var process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start");
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    TimeSpan elapsed;
    while (true)
    {
        try
        {
            await using var client = await McpZeroClient.ConnectAsync(socket, "tracebench", timeout.Token);
            await client.RequestAsync<StatusResponse>(new StatusRequest(), timeout.Token);
            elapsed = stopwatch.Elapsed;
            break;
        }
        catch (McpZeroConnectionException)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the daemon exited with {process.ExitCode} before it replied");
            }

            await Task.Delay(2, timeout.Token);
        }
    }

    process.Kill(entireProcessTree: false);
    await process.WaitForExitAsync(timeout.Token);

    // A killed daemon leaves its socket file; the next start replaces it.
    return elapsed;
}

static TraceRecordDraft[] Drafts(int count, long firstIndex, long firstTimestamp)
{
    var drafts = new TraceRecordDraft[count];
    for (var i = 0; i < count; i++)
    {
        var index = firstIndex + i;
        drafts[i] = new TraceRecordDraft
        {
            TimestampUnixMicros = firstTimestamp == 0 ? 0 : firstTimestamp + index * 1000,
            AgentId = $"a-{index % 16:D10}",
            Plugin = "data_processing",
            Method = "process",
            InputSha256 = SHA256.HashData(BitConverter.GetBytes(index)),
            OutputSha256 = SHA256.HashData(BitConverter.GetBytes(~index)),
            Status = TraceStatus.Ok,
            DurationMicros = 40 + index % 100,
        };
    }

    return drafts;
}

static void Report(string name, double value, string unit, string detail) =>
    Console.WriteLine($"{name}: {value:F2} {unit} ({detail})");

internal sealed record Options(string Work, string? Binary, int Records, int Batch)
{
    public static Options Parse(string[] args)
    {
        string? work = null;
        string? binary = null;
        var records = 1_000_000;
        var batch = 100_000;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--work": work = value; break;
                case "--binary": binary = Path.GetFullPath(value); break;
                case "--records": records = int.Parse(value); break;
                case "--batch": batch = int.Parse(value); break;
                default: throw new ArgumentException($"unknown option {args[i]}; use --work, --binary, --records or --batch");
            }

            i++;
        }

        return new Options(work ?? throw new ArgumentException("--work DIR is missing"), binary, records, batch);
    }
}
