namespace McpZero.Perf.Load;

/// <summary>One load run, as given on the command line of <c>load</c>.</summary>
internal sealed record LoadSettings
{
    public required string SocketPath { get; init; }
    public required string Label { get; init; }

    /// <summary>The daemon's placement, for example "unpinned" or "pinned" (one core, 1 GB).</summary>
    public string Profile { get; init; } = "unpinned";
    public string Plugin { get; init; } = "hello";
    public string Method { get; init; } = "noop";
    public string Input { get; init; } = "";

    /// <summary>"closed" keeps <see cref="Concurrency"/> requests in flight; "open" sends at <see cref="Rate"/>.</summary>
    public string Mode { get; init; } = "closed";

    public int Concurrency { get; init; } = 1;

    /// <summary>Requests per second of an open-loop run.</summary>
    public double Rate { get; init; }

    public double WarmupSeconds { get; init; } = 2;
    public double DurationSeconds { get; init; } = 10;

    /// <summary>
    /// Agents the requests are spread over. The daemon runs one call per agent at a time, so a
    /// closed-loop run uses one agent per request in flight unless this is set.
    /// </summary>
    public int Agents { get; init; }

    public int Connections { get; init; } = 1;

    /// <summary>Upper bound on requests in flight in an open-loop run; the schedule waits above it.</summary>
    public int MaxInFlight { get; init; } = 20_000;

    /// <summary>The daemon's process id, for CPU time and RSS; null skips those figures.</summary>
    public int? DaemonPid { get; init; }

    /// <summary>Seconds between progress lines on standard error; 0 prints none.</summary>
    public double ProgressSeconds { get; init; }

    public string? OutputPath { get; init; }

    public bool IsOpenLoop => Mode == "open";

    public int EffectiveAgents
    {
        get
        {
            if (Agents > 0)
            {
                return Agents;
            }

            return IsOpenLoop ? 16 : Math.Min(Concurrency, 64);
        }
    }
}
