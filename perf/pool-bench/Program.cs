// Compares one job on a fresh agent (spawn, attach, exec, terminate) with one job on a pooled
// agent (lease, exec, return), one request at a time over the daemon's socket.
// Usage: pool-bench SOCKET [ROUNDS] [SIZE] [MAX] [PLUGIN] [METHOD]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using McpZero.Client;
using McpZero.Protocol.Messages;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: pool-bench SOCKET [ROUNDS] [SIZE] [MAX] [PLUGIN] [METHOD]");
    return 2;
}

string socketPath = args[0];
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
int size = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
int max = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
string plugin = args.Length > 4 ? args[4] : "data_processing";
string method = args.Length > 5 ? args[5] : "process";
byte[] Input(int i) => Encoding.UTF8.GetBytes($"{{\"data\":\"test{i}\"}}");

await using McpZeroClient client = await McpZeroClient.ConnectAsync(socketPath, "pool-bench");
string poolName = "bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
AgentPool pool = await AgentPool.CreateAsync(client, new PoolCreateRequest
{
    Name = poolName,
    Owner = "bench",
    Plugins = [plugin],
    Size = size,
    Max = max,
});

// One warm-up round of each, so the module is compiled and both paths are loaded.
await SpawnJobAsync(0);
await PooledJobAsync(0, keepState: false);

double[] spawned = await MeasureAsync(SpawnJobAsync);
double[] pooled = await MeasureAsync(i => PooledJobAsync(i, keepState: false));
double[] pooledKeep = await MeasureAsync(i => PooledJobAsync(i, keepState: true));
await pool.RemoveAsync(force: true);

Console.WriteLine($"{rounds} rounds of one {plugin}.{method} call each, one request at a time; pool size {size}, max {max} (0 = none)");
Report("spawn + attach + exec + terminate", spawned);
Report("lease + exec + return (reset)", pooled);
Report("lease + exec + return (keep state)", pooledKeep);
return 0;

async Task<double[]> MeasureAsync(Func<int, Task> job)
{
    var samples = new double[rounds];
    for (int i = 0; i < rounds; i++)
    {
        long started = Stopwatch.GetTimestamp();
        await job(i);
        samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    Array.Sort(samples);
    return samples;
}

async Task SpawnJobAsync(int i)
{
    AgentInfo agent = await client.RequestAsync<AgentInfo>(new AgentSpawnRequest { Owner = "bench" });
    await client.RequestAsync<AgentInfo>(new AgentAttachRequest { AgentId = agent.AgentId, Plugin = plugin });
    await client.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agent.AgentId, Method = method, Input = Input(i) });
    await client.RequestAsync<OkResponse>(new AgentTerminateRequest { AgentId = agent.AgentId });
}

async Task PooledJobAsync(int i, bool keepState)
{
    PooledAgent agent = await pool.GetAsync();
    await agent.ExecuteAsync(method, Input(i));
    await agent.ReturnAsync(keepState);
}

static void Report(string name, double[] sorted)
{
    double P(double fraction) => sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{name,-36} average {sorted.Average():0.000} ms, p50 {P(0.5):0.000} ms, p99 {P(0.99):0.000} ms, max {sorted[^1]:0.000} ms"));
}
