using System.Diagnostics;

namespace McpZero.StateBench;

/// <summary>Figures of one backend over the timed operations.</summary>
internal sealed record BackendResult(
    string Name,
    double OpsPerSecond,
    double OpsPerSecondWithoutCommits,
    LatencySummary All,
    LatencySummary Reads,
    LatencySummary Upserts,
    int Commits,
    double CommitP50Ms,
    double CommitMaxMs,
    double LoadSeconds,
    long DiskBytes);

/// <summary>Nearest-rank percentiles of operation latencies, in microseconds.</summary>
internal sealed record LatencySummary(int Count, double AverageUs, double P50Us, double P99Us, double P999Us)
{
    public static LatencySummary FromTicks(List<long> ticks)
    {
        if (ticks.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0);
        }

        long[] sorted = [.. ticks];
        Array.Sort(sorted);
        double total = 0;
        foreach (long value in sorted)
        {
            total += value;
        }

        return new LatencySummary(
            sorted.Length,
            ToMicroseconds(total / sorted.Length),
            ToMicroseconds(Percentile(sorted, 0.50)),
            ToMicroseconds(Percentile(sorted, 0.99)),
            ToMicroseconds(Percentile(sorted, 0.999)));
    }

    public static double ToMicroseconds(double ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static long Percentile(long[] sorted, double fraction)
    {
        int rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

/// <summary>
/// Runs the workload against one backend: load, warm-up, timed operations, close, then a reopen
/// that checks every variable against what the workload wrote.
/// </summary>
internal sealed class BackendRunner
{
    private readonly Workload _workload;
    private readonly string _name;
    private readonly Func<IStateBackend> _open;
    private readonly string _directory;

    // Value index last written to each key, to check every read and the reopened store.
    private readonly int[] _expected;
    private int _writesSinceCommit;

    public BackendRunner(Workload workload, string name, string directory, Func<IStateBackend> open)
    {
        _workload = workload;
        _name = name;
        _directory = directory;
        _open = open;
        _expected = new int[workload.Options.KeyCount];
    }

    public async Task<BackendResult> RunAsync()
    {
        double loadSeconds;
        var all = new List<long>(_workload.Measured.Length);
        var reads = new List<long>(_workload.Measured.Length);
        var upserts = new List<long>(_workload.Measured.Length);
        var commits = new List<long>();
        long elapsedTicks;

        await using (IStateBackend backend = _open())
        {
            Progress($"loading {_workload.Options.KeyCount} variables");
            long loadStart = Stopwatch.GetTimestamp();
            for (int key = 0; key < _expected.Length; key++)
            {
                _expected[key] = Workload.InitialValueIndex(key);
                backend.Upsert(key, _workload.Values[_expected[key]]);
            }

            await backend.CommitAsync();
            loadSeconds = Stopwatch.GetElapsedTime(loadStart).TotalSeconds;

            Progress($"{_workload.Warmup.Length} warm-up operations");
            await RunOperationsAsync(backend, _workload.Warmup, latencies: null);
            await backend.CommitAsync();
            _writesSinceCommit = 0;

            Progress($"{_workload.Measured.Length} timed operations");
            GC.Collect();
            long start = Stopwatch.GetTimestamp();
            await RunOperationsAsync(backend, _workload.Measured, (all, reads, upserts, commits));
            commits.Add(await TimeCommitAsync(backend));
            elapsedTicks = Stopwatch.GetTimestamp() - start;
        }

        long diskBytes = MeasureDiskBytes(_directory);
        await VerifyReopenedAsync();

        long commitTicks = commits.Sum();
        long[] sortedCommits = [.. commits];
        Array.Sort(sortedCommits);
        int count = _workload.Measured.Length;
        return new BackendResult(
            _name,
            count / (elapsedTicks / (double)Stopwatch.Frequency),
            count / ((elapsedTicks - commitTicks) / (double)Stopwatch.Frequency),
            LatencySummary.FromTicks(all),
            LatencySummary.FromTicks(reads),
            LatencySummary.FromTicks(upserts),
            commits.Count,
            LatencySummary.ToMicroseconds(sortedCommits[(sortedCommits.Length - 1) / 2]) / 1000,
            LatencySummary.ToMicroseconds(sortedCommits[^1]) / 1000,
            loadSeconds,
            diskBytes);
    }

    private async Task RunOperationsAsync(
        IStateBackend backend,
        Operation[] operations,
        (List<long> All, List<long> Reads, List<long> Upserts, List<long> Commits)? latencies)
    {
        int progressStep = Math.Max(1, operations.Length / 10);
        for (int i = 0; i < operations.Length; i++)
        {
            Operation operation = operations[i];
            if (operation.IsWrite)
            {
                byte[] value = _workload.Values[operation.ValueIndex];
                long start = Stopwatch.GetTimestamp();
                backend.Upsert(operation.Key, value);
                long ticks = Stopwatch.GetTimestamp() - start;

                _expected[operation.Key] = operation.ValueIndex;
                latencies?.All.Add(ticks);
                latencies?.Upserts.Add(ticks);

                _writesSinceCommit++;
                if (_writesSinceCommit == _workload.Options.CommitEveryWrites)
                {
                    long commitTicks = await TimeCommitAsync(backend);
                    latencies?.Commits.Add(commitTicks);
                }
            }
            else
            {
                long start = Stopwatch.GetTimestamp();
                byte[]? value = backend.Read(operation.Key);
                long ticks = Stopwatch.GetTimestamp() - start;

                CheckValue(operation.Key, value);
                latencies?.All.Add(ticks);
                latencies?.Reads.Add(ticks);
            }

            if (latencies is not null && (i + 1) % progressStep == 0)
            {
                Progress($"{i + 1} of {operations.Length} operations");
            }
        }
    }

    private async Task<long> TimeCommitAsync(IStateBackend backend)
    {
        long start = Stopwatch.GetTimestamp();
        await backend.CommitAsync();
        _writesSinceCommit = 0;
        return Stopwatch.GetTimestamp() - start;
    }

    private async Task VerifyReopenedAsync()
    {
        Progress("reopening to check every variable");
        await using IStateBackend backend = _open();
        for (int key = 0; key < _expected.Length; key++)
        {
            CheckValue(key, backend.Read(key));
        }
    }

    private void CheckValue(int key, byte[]? value)
    {
        byte[] expected = _workload.Values[_expected[key]];
        if (value is null || !value.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException(
                $"{_name}: variable '{_workload.VariableOf(key)}' of agent '{_workload.AgentIds[_workload.AgentOf(key)]}' " +
                $"read back {(value is null ? "missing" : $"{value.Length} bytes that differ")} from the last value written");
        }
    }

    private void Progress(string message)
    {
        Console.Error.WriteLine($"statebench: {_name}: {message}");
    }

    private static long MeasureDiskBytes(string directory)
    {
        long total = 0;
        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            total += new FileInfo(file).Length;
        }

        return total;
    }
}
