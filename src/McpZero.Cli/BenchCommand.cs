using System.Diagnostics;
using System.Globalization;
using System.Text;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

/// <summary>Summary of one <c>mcpzero bench</c> run.</summary>
internal sealed class BenchReport
{
    public int Agents { get; set; }
    public int Iterations { get; set; }
    public int PayloadBytes { get; set; }
    public string Plugin { get; set; } = "";
    public string Method { get; set; } = "";
    public double AverageMs { get; set; }
    public double P50Ms { get; set; }
    public double P99Ms { get; set; }
    public double MaxMs { get; set; }
    public double SpawnMs { get; set; }
    public double TotalSeconds { get; set; }
    public double DaemonRssMb { get; set; }
    public double DaemonPeakRssMb { get; set; }
}

/// <summary>
/// The classic agent benchmark against a running daemon: per agent, spawn, attach the plugin, run
/// the method N times with <c>{"data":"test&lt;i&gt;"}</c>, terminate. Execution times are client
/// round trips over the socket, one request at a time.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Executions per run; the CLI keeps 8 bytes per sample, 80 MB at this limit.</summary>
    private const long MaxExecutions = 10_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        CommandLine line = CommandLine.Parse(args, CommandSpec.Client("bench", 0, "agents", "iterations", "payload-bytes", "plugin", "method"));
        bool json = line.Flag("json");
        int agents = (int)(line.LongOption("agents", 1, 10_000) ?? 1);
        int iterations = (int)(line.LongOption("iterations", 1, 10_000_000) ?? 100);
        int payloadBytes = (int)(line.LongOption("payload-bytes", 0, 1024 * 1024) ?? 0);
        string plugin = line.Option("plugin") ?? "data_processing";
        string method = line.Option("method") ?? "process";
        if ((long)agents * iterations > MaxExecutions)
        {
            throw new UsageException($"--agents {agents} x --iterations {iterations} is over {MaxExecutions} executions; lower one of them");
        }

        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);

        string padding = payloadBytes > 0 ? new string('x', payloadBytes) : "";
        var samples = new double[agents * iterations];
        double spawnTotalMs = 0;
        var total = Stopwatch.StartNew();

        for (int a = 0; a < agents; a++)
        {
            long spawnStarted = Stopwatch.GetTimestamp();
            AgentInfo agent = await ClientCommand.RequestAsync<AgentInfo>(client, new AgentSpawnRequest { Owner = "bench" }).ConfigureAwait(false);
            bool completed = false;
            try
            {
                await ClientCommand.RequestAsync<AgentInfo>(client, new AgentAttachRequest { AgentId = agent.AgentId, Plugin = plugin }).ConfigureAwait(false);
                spawnTotalMs += Stopwatch.GetElapsedTime(spawnStarted).TotalMilliseconds;

                for (int i = 0; i < iterations; i++)
                {
                    byte[] input = Encoding.UTF8.GetBytes(payloadBytes > 0
                        ? $"{{\"data\":\"test{i}\",\"padding\":\"{padding}\"}}"
                        : $"{{\"data\":\"test{i}\"}}");
                    long started = Stopwatch.GetTimestamp();
                    await ClientCommand.RequestAsync<ExecResponse>(client, new AgentExecRequest { AgentId = agent.AgentId, Method = method, Input = input }).ConfigureAwait(false);
                    samples[a * iterations + i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }

                completed = true;
            }
            finally
            {
                await TerminateAsync(client, agent.AgentId, completed).ConfigureAwait(false);
            }
        }

        total.Stop();
        StatusResponse status = await ClientCommand.RequestAsync<StatusResponse>(client, new StatusRequest()).ConfigureAwait(false);
        Array.Sort(samples);

        var report = new BenchReport
        {
            Agents = agents,
            Iterations = iterations,
            PayloadBytes = payloadBytes,
            Plugin = plugin,
            Method = method,
            AverageMs = samples.Average(),
            P50Ms = Percentile(samples, 0.50),
            P99Ms = Percentile(samples, 0.99),
            MaxMs = samples[^1],
            SpawnMs = spawnTotalMs / agents,
            TotalSeconds = total.Elapsed.TotalSeconds,
            DaemonRssMb = status.ResidentBytes / (1024.0 * 1024),
            DaemonPeakRssMb = status.PeakResidentBytes / (1024.0 * 1024),
        };

        if (json)
        {
            JsonOutput.Write(report, CliJsonContext.Relaxed.BenchReport);
            return Cli.ExitOk;
        }

        CultureInfo invariant = CultureInfo.InvariantCulture;
        Output.Out.WriteLine(string.Create(invariant, $"{agents} agent(s) x {iterations} executions of {plugin}.{method} in {report.TotalSeconds:0.00} s"));
        Output.Out.WriteLine(string.Create(invariant, $"average execution time: {report.AverageMs:0.000} ms (p50 {report.P50Ms:0.000} ms, p99 {report.P99Ms:0.000} ms, max {report.MaxMs:0.000} ms)"));
        Output.Out.WriteLine(string.Create(invariant, $"spawn + attach: {report.SpawnMs:0.000} ms per agent"));
        Output.Out.WriteLine(string.Create(invariant, $"daemon memory: {report.DaemonRssMb:0.0} MB now, {report.DaemonPeakRssMb:0.0} MB peak (RSS high-water mark since start)"));
        return Cli.ExitOk;
    }

    /// <summary>
    /// Terminates a benchmark agent. After a failed step a failure to terminate is ignored, so the
    /// error of that step is the one reported.
    /// </summary>
    private static async Task TerminateAsync(McpZeroClient client, string agentId, bool completed)
    {
        try
        {
            await ClientCommand.RequestAsync<OkResponse>(client, new AgentTerminateRequest { AgentId = agentId }).ConfigureAwait(false);
        }
        catch (Exception ex) when (!completed && ex is McpZeroServerException or McpZeroConnectionException or TimeoutException)
        {
            Output.Error.WriteLine($"mcpzero: could not terminate benchmark agent {agentId}: {ex.Message}");
        }
    }

    private static double Percentile(double[] sorted, double fraction)
    {
        int index = (int)Math.Ceiling(fraction * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
