using System.Diagnostics;
using System.Text;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Perf.Load;

/// <summary>
/// Fills a daemon's store through the protocol: each agent gets the hello and data_processing
/// plugins, one <c>greet</c> and one <c>process</c> call (one variable each) and <c>noop</c> calls
/// up to the requested executions, every call adding one trace record.
/// </summary>
internal static class StoreFill
{
    public static async Task<(long Executions, double Seconds)> RunAsync(string socketPath, int agents, int executionsPerAgent, int concurrency)
    {
        await using McpZeroClient client = await McpZeroClient.ConnectAsync(socketPath, "mcpzero-perf-fill").ConfigureAwait(false);
        long started = Stopwatch.GetTimestamp();
        long executions = 0;
        int nextAgent = -1;
        long lastProgress = started;

        async Task WorkerAsync()
        {
            while (true)
            {
                int index = Interlocked.Increment(ref nextAgent);
                if (index >= agents)
                {
                    break;
                }

                AgentInfo agent = await client.RequestAsync<AgentInfo>(new AgentSpawnRequest
                {
                    Owner = $"fill-{index % 10}",
                    Plugins = ["hello", "data_processing"],
                }).ConfigureAwait(false);

                for (int call = 0; call < executionsPerAgent; call++)
                {
                    AgentExecRequest request = call switch
                    {
                        0 => new AgentExecRequest { AgentId = agent.AgentId, Method = "greet", Input = Encoding.UTF8.GetBytes($"agent {index}") },
                        1 => new AgentExecRequest { AgentId = agent.AgentId, Method = "process", Input = Encoding.UTF8.GetBytes($"{{\"data\":\"fill{index}\",\"value\":{index}}}") },
                        _ => new AgentExecRequest { AgentId = agent.AgentId, Method = "noop", Plugin = "hello" },
                    };
                    await client.RequestAsync<ExecResponse>(request).ConfigureAwait(false);
                    Interlocked.Increment(ref executions);
                }

                long now = Stopwatch.GetTimestamp();
                long last = Volatile.Read(ref lastProgress);
                if (now - last > 5 * Stopwatch.Frequency && Interlocked.CompareExchange(ref lastProgress, now, last) == last)
                {
                    Console.Error.WriteLine($"perf-load: fill: {Math.Min(index + 1, agents):N0} of {agents:N0} agents, {Volatile.Read(ref executions):N0} executions");
                }
            }
        }

        var workers = new Task[Math.Max(1, concurrency)];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(WorkerAsync);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return (executions, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
