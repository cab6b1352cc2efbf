// Compares the client library with automatic batching off and on: the same closed loop of small
// exec calls (data_processing.noop) from many concurrent callers, over a pool of connections.
// Modes alternate for several rounds so that drift of the machine affects both alike.
// Usage: batch-bench SOCKET [CALLS] [CONCURRENCY] [CONNECTIONS] [ROUNDS]
using System.Diagnostics;
using System.Globalization;
using McpZero.Client;
using McpZero.Protocol.Messages;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: batch-bench SOCKET [CALLS] [CONCURRENCY] [CONNECTIONS] [ROUNDS]");
    return 2;
}

string socketPath = args[0];
int calls = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
int concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
int connections = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
int rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;

string[] agents;
await using (McpZeroClient setup = await McpZeroClient.ConnectAsync(socketPath, "batch-bench"))
{
    // Calls spread over one agent per 16 callers, and perf/batch-bench.sh raises the daemon's
    // queue limits so that neither mode gets Busy.
    agents = new string[Math.Max(1, concurrency / 16)];
    for (int i = 0; i < agents.Length; i++)
    {
        agents[i] = (await setup.SpawnAgentAsync("batch-bench", ["data_processing"])).AgentId;
    }
}

Console.WriteLine($"calls={calls} concurrency={concurrency} connections={connections} agents={agents.Length} rounds={rounds}");
Console.WriteLine("mode         calls/s   mean_us  batch_frames  client_cpu_ms");
var totals = new Dictionary<bool, (double Rate, int Count)>();
for (int round = 0; round < rounds; round++)
{
    foreach (bool autoBatch in new[] { false, true })
    {
        (double rate, double meanMicros, long batchFrames, double cpuMs) = await RunAsync(autoBatch);
        Console.WriteLine($"{(autoBatch ? "batch on " : "batch off"),-10} {rate,9:0} {meanMicros,9:0.0} {batchFrames,13} {cpuMs,14:0}");
        (double sum, int count) = totals.GetValueOrDefault(autoBatch);
        totals[autoBatch] = (sum + rate, count + 1);
    }
}

double off = totals[false].Rate / totals[false].Count;
double on = totals[true].Rate / totals[true].Count;
Console.WriteLine($"mean calls/s: off {off:0}, on {on:0}, on/off {on / off:0.00}");
return 0;

async Task<(double Rate, double MeanMicros, long BatchFrames, double CpuMs)> RunAsync(bool autoBatch)
{
    var options = new McpZeroClientOptions { ClientName = "batch-bench", AutoBatch = autoBatch, Connections = connections };
    await using McpZeroConnectionPool pool = await McpZeroConnectionPool.ConnectAsync(socketPath, options);
    int next = -1;
    long latencyTicks = 0;
    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();

    Task[] workers = [.. Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
    {
        while (true)
        {
            int call = Interlocked.Increment(ref next);
            if (call >= calls)
            {
                return;
            }

            long started = Stopwatch.GetTimestamp();
            await pool.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agents[call % agents.Length], Method = "noop" });
            Interlocked.Add(ref latencyTicks, Stopwatch.GetTimestamp() - started);
        }
    }))];
    await Task.WhenAll(workers);

    clock.Stop();
    double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
    double meanMicros = latencyTicks * 1_000_000.0 / Stopwatch.Frequency / calls;
    return (calls / clock.Elapsed.TotalSeconds, meanMicros, pool.BatchFramesSent, cpuMs);
}
