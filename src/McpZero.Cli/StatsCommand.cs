using System.Globalization;
using System.Runtime.InteropServices;
using McpZero.Client;
using McpZero.Protocol.Messages;
using McpZero.Server.Metrics;

namespace McpZero.Cli;

/// <summary>
/// <c>mcpzero stats</c>: the daemon's monitoring metrics as a table, JSON or Prometheus text, once
/// or every few seconds until Ctrl-C.
/// </summary>
internal static partial class StatsCommand
{
    private const double DefaultWatchSeconds = 2;
    private const double MinWatchSeconds = 0.1;
    private const double MaxWatchSeconds = 3600;

    public static async Task<int> RunAsync(string[] args)
    {
        (string[] rest, double? watchSeconds) = TakeWatchOption(args);
        CommandLine line = CommandLine.Parse(rest, new CommandSpec("stats", 0, ["socket"], ["json", "prometheus"]));
        bool json = line.Flag("json");
        bool prometheus = line.Flag("prometheus");
        if (json && prometheus)
        {
            throw new UsageException("--json and --prometheus cannot be combined; pass one of them");
        }

        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        if (watchSeconds is not double seconds)
        {
            StatsResponse stats = await ClientCommand.RequestAsync<StatsResponse>(client, new StatsRequest()).ConfigureAwait(false);
            Write(stats, json, prometheus);
            return Cli.ExitOk;
        }

        return await WatchAsync(client, TimeSpan.FromSeconds(seconds), json, prometheus).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes <c>--watch [SECONDS]</c> from <paramref name="args"/>. The interval is optional, so the
    /// generic parser, which needs a value for every value option, cannot read it.
    /// </summary>
    /// <exception cref="UsageException">The interval is out of range.</exception>
    internal static (string[] Remaining, double? WatchSeconds) TakeWatchOption(string[] args)
    {
        var rest = new List<string>(args.Length);
        double? watchSeconds = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                rest.AddRange(args[i..]);
                break;
            }

            if (arg.StartsWith("--watch=", StringComparison.Ordinal))
            {
                watchSeconds = ParseInterval(arg["--watch=".Length..]);
                continue;
            }

            if (arg != "--watch")
            {
                rest.Add(arg);
                continue;
            }

            watchSeconds = DefaultWatchSeconds;
            if (i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                watchSeconds = ParseInterval(args[++i]);
            }
        }

        return ([.. rest], watchSeconds);
    }

    private static double ParseInterval(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            || seconds < MinWatchSeconds || seconds > MaxWatchSeconds)
        {
            throw new UsageException($"--watch takes an interval in seconds from {MinWatchSeconds} to {MaxWatchSeconds}, not '{text}'");
        }

        return seconds;
    }

    private static async Task<int> WatchAsync(McpZeroClient client, TimeSpan interval, bool json, bool prometheus)
    {
        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        // Only a table on a terminal is redrawn in place; other output is a stream of snapshots.
        bool redraw = !json && !prometheus && IsTerminal(1) == 1;
        while (!stop.IsCancellationRequested)
        {
            StatsResponse stats = await ClientCommand.RequestAsync<StatsResponse>(client, new StatsRequest()).ConfigureAwait(false);
            if (redraw)
            {
                Output.Out.Write("\u001b[H\u001b[2J");
                Output.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"every {interval.TotalSeconds:0.###} s, Ctrl-C stops; {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z"));
                Output.Out.WriteLine();
            }

            Write(stats, json, prometheus);
            try
            {
                await Task.Delay(interval, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (!redraw)
            {
                Output.Out.WriteLine();
            }
        }

        return Cli.ExitOk;
    }

    private static void Write(StatsResponse stats, bool json, bool prometheus)
    {
        if (json)
        {
            JsonOutput.Write(stats, CliJsonContext.Relaxed.StatsResponse);
        }
        else if (prometheus)
        {
            Output.Out.Write(PrometheusText.Format(stats));
        }
        else
        {
            StatsTables.Write(stats, Output.Out);
        }
    }

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsTerminal(int descriptor);
}
