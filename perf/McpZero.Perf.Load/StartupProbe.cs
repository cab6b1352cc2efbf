using System.Diagnostics;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Perf.Load;

/// <summary>
/// Starts the daemon command and measures the time from process start until the first
/// <c>status</c> reply on its socket. The daemon keeps running after this program exits, unless
/// it did not reply in time, in which case it is killed.
/// </summary>
internal static class StartupProbe
{
    public static async Task<(int Pid, double ReadyMilliseconds)> RunAsync(string socketPath, string[] command, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        long started = Stopwatch.GetTimestamp();
        using Process process = Process.Start(start)
            ?? throw new InvalidOperationException($"failed to start '{command[0]}'");

        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the daemon exited with status {process.ExitCode} before it replied on '{socketPath}'; see its log");
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the daemon (pid {process.Id}) did not reply on '{socketPath}' within {timeout.TotalSeconds:0} s");
            }

            if (File.Exists(socketPath))
            {
                try
                {
                    await using McpZeroClient client = await McpZeroClient.ConnectAsync(socketPath, "mcpzero-perf-startup").ConfigureAwait(false);
                    await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(timeout).ConfigureAwait(false);
                    return (process.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (McpZeroConnectionException)
                {
                    // The socket file exists before the daemon accepts on it.
                }
            }

            await Task.Delay(1).ConfigureAwait(false);
        }
    }
}
