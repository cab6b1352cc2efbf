using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Perf.Load;

/// <summary>
/// Runs a closed-loop or open-loop load against a daemon: spawns agents with the plugin attached,
/// runs a warm-up, then measures latency, throughput and, given the daemon's pid, its CPU time and
/// RSS every second. The agents are terminated at the end.
/// </summary>
internal sealed class LoadRun
{
    private readonly LoadSettings _settings;
    private readonly List<McpZeroClient> _clients = [];
    private readonly List<AgentExecRequest> _requests = [];
    private readonly ConcurrentDictionary<string, long> _errors = new();

    public LoadRun(LoadSettings settings) => _settings = settings;

    public async Task<LoadResult> RunAsync()
    {
        try
        {
            await SetUpAsync().ConfigureAwait(false);

            if (_settings.WarmupSeconds > 0)
            {
                Progress($"{_settings.Label}: warm-up {_settings.WarmupSeconds:0.#} s");
            }

            await RunPhaseAsync(_settings.WarmupSeconds, new LatencyHistogram(), new LatencyHistogram(), rssSamples: null).ConfigureAwait(false);
            _errors.Clear();

            var latency = new LatencyHistogram();
            var sendLag = new LatencyHistogram();
            var rssSamples = new List<RssSample>();
            double cpuBefore = _settings.DaemonPid is int pid ? ProcessStats.CpuSeconds(pid) : 0;
            long started = Stopwatch.GetTimestamp();

            PhaseTotals totals = await RunPhaseAsync(_settings.DurationSeconds, latency, sendLag, rssSamples).ConfigureAwait(false);

            double wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            double? cpuShare = _settings.DaemonPid is int daemonPid ? (ProcessStats.CpuSeconds(daemonPid) - cpuBefore) / wallSeconds : null;
            long? peakRss = _settings.DaemonPid is int statusPid ? ProcessStats.PeakResidentBytes(statusPid) : null;

            return new LoadResult
            {
                Settings = _settings,
                Latency = latency,
                SendLag = _settings.IsOpenLoop ? sendLag : null,
                Sent = totals.Sent,
                Completed = latency.Count,
                Errors = new Dictionary<string, long>(_errors),
                WallSeconds = wallSeconds,
                SendSeconds = totals.SendSeconds,
                DaemonCpuShare = cpuShare,
                DaemonPeakRssBytes = peakRss,
                RssSamples = rssSamples,
            };
        }
        finally
        {
            await TearDownAsync().ConfigureAwait(false);
        }
    }

    private async Task SetUpAsync()
    {
        for (int i = 0; i < _settings.Connections; i++)
        {
            _clients.Add(await McpZeroClient.ConnectAsync(_settings.SocketPath, "mcpzero-perf-load").ConfigureAwait(false));
        }

        byte[] input = Encoding.UTF8.GetBytes(_settings.Input);
        for (int i = 0; i < _settings.EffectiveAgents; i++)
        {
            AgentInfo agent = await _clients[0].RequestAsync<AgentInfo>(new AgentSpawnRequest
            {
                Owner = "perf-load",
                Plugins = [_settings.Plugin],
            }).ConfigureAwait(false);

            _requests.Add(new AgentExecRequest { AgentId = agent.AgentId, Method = _settings.Method, Input = input, Plugin = _settings.Plugin });
        }
    }

    private async Task TearDownAsync()
    {
        if (_clients.Count > 0)
        {
            foreach (AgentExecRequest request in _requests)
            {
                try
                {
                    await _clients[0].RequestAsync<OkResponse>(new AgentTerminateRequest { AgentId = request.AgentId }).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is McpZeroServerException or McpZeroConnectionException or TimeoutException)
                {
                    Console.Error.WriteLine($"perf-load: failed to terminate agent {request.AgentId}: {ex.Message}");
                }
            }
        }

        foreach (McpZeroClient client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        _clients.Clear();
        _requests.Clear();
    }

    private async Task<PhaseTotals> RunPhaseAsync(double seconds, LatencyHistogram latency, LatencyHistogram sendLag, List<RssSample>? rssSamples)
    {
        if (seconds <= 0)
        {
            return new PhaseTotals(0, 0);
        }

        using var stopSampling = new CancellationTokenSource();
        Task sampling = rssSamples is not null
            ? SampleAsync(rssSamples, latency, seconds, stopSampling.Token)
            : Task.CompletedTask;

        PhaseTotals totals = _settings.IsOpenLoop
            ? await RunOpenLoopAsync(seconds, latency, sendLag).ConfigureAwait(false)
            : await RunClosedLoopAsync(seconds, latency).ConfigureAwait(false);

        stopSampling.Cancel();
        await sampling.ConfigureAwait(false);
        return totals;
    }

    private async Task<PhaseTotals> RunClosedLoopAsync(double seconds, LatencyHistogram latency)
    {
        long started = Stopwatch.GetTimestamp();
        long end = started + (long)(seconds * Stopwatch.Frequency);
        long sent = 0;

        async Task WorkerAsync(int worker)
        {
            McpZeroClient client = _clients[worker % _clients.Count];
            AgentExecRequest request = _requests[worker % _requests.Count];
            while (Stopwatch.GetTimestamp() < end)
            {
                long before = Stopwatch.GetTimestamp();
                IResponse response = await client.SendAsync(request).ConfigureAwait(false);
                long after = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref sent);
                RecordResponse(response, latency, after - before);
            }
        }

        var workers = new Task[_settings.Concurrency];
        for (int i = 0; i < workers.Length; i++)
        {
            int worker = i;
            workers[i] = Task.Run(() => WorkerAsync(worker));
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return new PhaseTotals(sent, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// Sends on a dedicated thread at the schedule's due times and records each latency from the
    /// due time. The thread sleeps while the next send is more than 2 ms away and spins closer to
    /// it, so at rates of 500/s and more it keeps one core busy.
    /// </summary>
    private async Task<PhaseTotals> RunOpenLoopAsync(double seconds, LatencyHistogram latency, LatencyHistogram sendLag)
    {
        long started = Stopwatch.GetTimestamp();
        var schedule = new OpenLoopSchedule(started, _settings.Rate, Stopwatch.Frequency);
        long end = started + (long)(seconds * Stopwatch.Frequency);
        long total = schedule.CountDueBy(end - 1);
        long inFlight = 0;
        var pending = new ConcurrentBag<Task>();
        long sendFinished = 0;

        void Send()
        {
            var spinner = new SpinWait();
            for (long index = 0; index < total; index++)
            {
                long due = schedule.DueTimestamp(index);
                while (true)
                {
                    long now = Stopwatch.GetTimestamp();
                    long wait = due - now;
                    if (wait <= 0 && Volatile.Read(ref inFlight) < _settings.MaxInFlight)
                    {
                        break;
                    }

                    if (wait > Stopwatch.Frequency / 500)
                    {
                        Thread.Sleep(1);
                    }
                    else
                    {
                        spinner.SpinOnce(sleep1Threshold: -1);
                    }
                }

                long sentAt = Stopwatch.GetTimestamp();
                sendLag.Record(TicksToNanoseconds(sentAt - due));
                Interlocked.Increment(ref inFlight);
                int slot = (int)(index % _requests.Count);
                Task<IResponse> call = _clients[slot % _clients.Count].SendAsync(_requests[slot]).AsTask();
                pending.Add(CompleteAsync(call, due));
            }

            sendFinished = Stopwatch.GetTimestamp();
        }

        async Task CompleteAsync(Task<IResponse> call, long due)
        {
            IResponse response = await call.ConfigureAwait(false);
            RecordResponse(response, latency, Stopwatch.GetTimestamp() - due);
            Interlocked.Decrement(ref inFlight);
        }

        var sender = new Thread(Send) { IsBackground = true, Name = "open-loop sender", Priority = ThreadPriority.AboveNormal };
        sender.Start();
        await Task.Run(sender.Join).ConfigureAwait(false);
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return new PhaseTotals(total, (double)(sendFinished - started) / Stopwatch.Frequency);
    }

    private void RecordResponse(IResponse response, LatencyHistogram latency, long elapsedTicks)
    {
        if (response is ErrorResponse error)
        {
            _errors.AddOrUpdate(error.Code.ToString(), 1, static (_, count) => count + 1);
            return;
        }

        latency.Record(TicksToNanoseconds(elapsedTicks));
    }

    private async Task SampleAsync(List<RssSample> samples, LatencyHistogram latency, double seconds, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        long nextProgress = _settings.ProgressSeconds > 0 ? (long)(_settings.ProgressSeconds * Stopwatch.Frequency) : long.MaxValue;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                long rss = _settings.DaemonPid is int pid ? ProcessStats.ResidentBytes(pid) : -1;
                if (rss >= 0)
                {
                    samples.Add(new RssSample(elapsed, rss));
                }

                if (Stopwatch.GetTimestamp() - started >= nextProgress)
                {
                    nextProgress += (long)(_settings.ProgressSeconds * Stopwatch.Frequency);
                    string memory = rss >= 0 ? $", daemon RSS {rss / 1e6:0.0} MB" : "";
                    Progress($"{_settings.Label}: {elapsed:0} of {seconds:0} s, {latency.Count:N0} requests{memory}");
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static long TicksToNanoseconds(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));

    private static void Progress(string message) => Console.Error.WriteLine($"perf-load: {message}");

    private readonly record struct PhaseTotals(long Sent, double SendSeconds);
}

/// <summary>One RSS reading of the daemon, <see cref="Seconds"/> after the measured phase began.</summary>
internal readonly record struct RssSample(double Seconds, long Bytes);

/// <summary>Figures of one measured load phase.</summary>
internal sealed class LoadResult
{
    public required LoadSettings Settings { get; init; }
    public required LatencyHistogram Latency { get; init; }

    /// <summary>Open loop only: how late the generator sent each request after its due time.</summary>
    public LatencyHistogram? SendLag { get; init; }

    public long Sent { get; init; }
    public long Completed { get; init; }
    public required Dictionary<string, long> Errors { get; init; }

    /// <summary>From the first send to the last reply.</summary>
    public double WallSeconds { get; init; }

    /// <summary>From the first send to the last send.</summary>
    public double SendSeconds { get; init; }

    /// <summary>Daemon user plus system CPU seconds over the phase, divided by <see cref="WallSeconds"/>.</summary>
    public double? DaemonCpuShare { get; init; }

    public long? DaemonPeakRssBytes { get; init; }
    public required List<RssSample> RssSamples { get; init; }

    public double Throughput => WallSeconds > 0 ? Completed / WallSeconds : 0;
}
