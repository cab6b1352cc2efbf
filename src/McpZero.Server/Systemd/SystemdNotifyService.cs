using System.Globalization;
using System.Net.Sockets;
using McpZero.Agents;
using McpZero.Client;
using McpZero.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpZero.Server.Systemd;

/// <summary>
/// Tells systemd the daemon's state: READY=1 once every hosted service has started, so after the
/// store's recovery and after the socket listens; STOPPING=1 when shutdown begins; and, when the
/// unit sets <c>WatchdogSec=</c>, WATCHDOG=1 every half interval while a health check passes.
/// </summary>
internal sealed class SystemdNotifyService(
    SystemdNotifier notifier,
    ServerOptions options,
    AgentRuntimeService runtimeService,
    IHostApplicationLifetime lifetime,
    ILogger<SystemdNotifyService> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _watchdog = Task.CompletedTask;
    private int _notifyFailures;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(OnStarted);
        lifetime.ApplicationStopping.Register(OnStopping);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _watchdog.ConfigureAwait(false);
    }

    /// <summary>
    /// Returns the watchdog interval from <c>WATCHDOG_USEC</c>, or null when the watchdog is off or
    /// <c>WATCHDOG_PID</c> names another process.
    /// </summary>
    public static TimeSpan? ReadWatchdogInterval(string? watchdogUsec, string? watchdogPid, int processId)
    {
        if (!long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out long micros) || micros <= 0)
        {
            return null;
        }

        if (watchdogPid is not null
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(micros);
    }

    private void OnStarted()
    {
        AgentRuntime runtime = runtimeService.Runtime;
        if (Notify($"READY=1\nSTATUS=Serving on {options.SocketPath}: {runtime.AgentCount} agents, {runtime.PluginCount} plugins\nMAINPID={Environment.ProcessId}"))
        {
            Log.NotifiedReady(logger, notifier.SocketPath);
        }

        TimeSpan? interval = ReadWatchdogInterval(
            Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            Environment.ProcessId);
        if (interval is TimeSpan watchdog)
        {
            _watchdog = RunWatchdogAsync(watchdog / 2, _stopping.Token);
        }
    }

    private void OnStopping()
    {
        _stopping.Cancel();
        Notify("STOPPING=1\nSTATUS=Stopping: finishing in-flight requests");
    }

    /// <summary>Sends a state message; a failure is logged and not thrown, because the daemon serves on without systemd.</summary>
    private bool Notify(string state)
    {
        try
        {
            notifier.Notify(state);
            return true;
        }
        catch (SocketException ex)
        {
            // The watchdog sends every half interval, so the first failure and every hundredth are logged.
            int failures = Interlocked.Increment(ref _notifyFailures);
            if (failures == 1 || failures % 100 == 0)
            {
                int newline = state.IndexOf('\n');
                Log.NotifyFailed(logger, newline < 0 ? state : state[..newline], notifier.SocketPath, failures, ex);
            }

            return false;
        }
    }

    private async Task RunWatchdogAsync(TimeSpan period, CancellationToken stopping)
    {
        await Task.Yield();

        // The check must end before the next tick, so a hung daemon misses the ping instead of delaying it.
        TimeSpan checkTimeout = period * 0.75;
        Log.WatchdogEnabled(logger, (long)(period.TotalMilliseconds * 2), (long)period.TotalMilliseconds, (long)checkTimeout.TotalMilliseconds);
        using var timer = new PeriodicTimer(period);
        int failures = 0;
        try
        {
            do
            {
                string? problem = await CheckHealthAsync(checkTimeout, stopping).ConfigureAwait(false);
                if (stopping.IsCancellationRequested)
                {
                    break;
                }

                if (problem is null)
                {
                    Notify("WATCHDOG=1");
                    if (failures > 0)
                    {
                        Log.WatchdogRecovered(logger, failures);
                        failures = 0;
                    }

                    continue;
                }

                // The first failure and every tenth are logged, because systemd's restart may be
                // switched off and the check repeats every half interval.
                failures++;
                if (failures == 1 || failures % 10 == 0)
                {
                    Log.WatchdogCheckFailed(logger, failures, problem);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown ends the loop.
        }
    }

    /// <summary>
    /// Connects to the daemon's own socket and completes hello and a status request, which runs
    /// through the accept loop, the connection's frame loop, the dispatcher and the agent runtime.
    /// </summary>
    /// <returns>Null when the daemon replied in time, else the reason it did not.</returns>
    private async Task<string?> CheckHealthAsync(TimeSpan timeout, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(timeout);

        // The client library spells an abstract socket name with a NUL byte, not '@'.
        string address = options.SocketPath.StartsWith('@') ? "\0" + options.SocketPath[1..] : options.SocketPath;
        try
        {
            await using McpZeroClient client = await McpZeroClient.ConnectAsync(address, "mcpzero-watchdog", deadline.Token).ConfigureAwait(false);
            StatusResponse status = await client.RequestAsync<StatusResponse>(new StatusRequest(), deadline.Token).ConfigureAwait(false);
            return status.ProcessId == Environment.ProcessId
                ? null
                : $"process {status.ProcessId} answered on {options.SocketPath}, not this daemon";
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return $"no status reply on {options.SocketPath} within {timeout.TotalMilliseconds:0} ms";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Any failure means the daemon is not serving, so it is reported and never ends the loop.
            return ex.Message;
        }
    }
}
