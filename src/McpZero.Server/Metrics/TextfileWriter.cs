using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpZero.Server.Metrics;

/// <summary>
/// Rewrites <see cref="ServerOptions.MetricsTextfilePath"/> with the Prometheus exposition text
/// every <see cref="ServerOptions.MetricsTextfileInterval"/>, for node_exporter's textfile
/// collector.
/// </summary>
/// <remarks>
/// Each write goes to a temporary file in the same directory, which is then renamed over the
/// target, so a reader never sees a partial file. The file is written once at start and kept when
/// the daemon stops, so the last figures stay readable; node_exporter reports the file's modification time
/// in <c>node_textfile_mtime_seconds</c>, which shows when the figures went stale.
/// </remarks>
internal sealed class TextfileWriter(ServerOptions options, StatsCollector stats, ILogger<TextfileWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string path = options.MetricsTextfilePath!;
        Log.TextfileEnabled(logger, path, options.MetricsTextfileInterval.TotalSeconds);
        using var timer = new PeriodicTimer(options.MetricsTextfileInterval);
        bool failing = false;
        do
        {
            try
            {
                await WriteAsync(path).ConfigureAwait(false);
                if (failing)
                {
                    Log.TextfileRecovered(logger, path);
                    failing = false;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Logged once per run of failures, so a full disk does not flood the journal.
                if (!failing)
                {
                    Log.TextfileWriteFailed(logger, path, ex.Message);
                    failing = true;
                }
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private async Task WriteAsync(string path)
    {
        string text = PrometheusText.Format(stats.Collect());
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        // The write is not cancelled at shutdown, so no half-written temporary file is left behind.
        await File.WriteAllTextAsync(temporary, text, CancellationToken.None).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
