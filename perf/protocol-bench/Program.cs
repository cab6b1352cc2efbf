// Socket protocol benchmarks against a running daemon with the hello plugin installed.
// sequential: one no-op exec at a time on one connection, with the round-trip average and percentiles.
// pipelined: 64 requests in flight on one connection, no-op execs each on its own agent, then agent
// show requests, in requests per second.
// batch: 64 no-op execs, then 64 agent show requests, as 64 sequential requests against one batch.
// Usage: ProtocolBench SOCKET [--seconds S] [--iterations N]
using System.Diagnostics;
using System.Globalization;
using McpZero.Client;
using McpZero.Protocol.Messages;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: ProtocolBench SOCKET [--seconds S] [--iterations N]");
    return 2;
}

string socket = args[0];
double seconds = ReadOption("--seconds", 5);
int iterations = (int)ReadOption("--iterations", 20_000);
const int InFlight = 64;

await using McpZeroClient client = await McpZeroClient.ConnectAsync(socket, "protocol-bench");
var agents = new string[InFlight];
for (int i = 0; i < agents.Length; i++)
{
    AgentInfo agent = await client.RequestAsync<AgentInfo>(new AgentSpawnRequest { Owner = "bench", Plugins = ["hello"] });
    agents[i] = agent.AgentId;
}

AgentExecRequest Noop(int agent) => new() { AgentId = agents[agent % agents.Length], Method = "noop", Plugin = "hello" };

// Warm-up: the JIT, the daemon's plugin instances and both code paths.
for (int i = 0; i < 2_000; i++)
{
    await client.RequestAsync<ExecResponse>(Noop(i));
}

await client.SendBatchAsync([.. Enumerable.Range(0, InFlight).Select(i => (IRequest)Noop(i))]);

// Sequential round trips.
var latencies = new double[iterations];
for (int i = 0; i < iterations; i++)
{
    long started = Stopwatch.GetTimestamp();
    await client.RequestAsync<ExecResponse>(Noop(0));
    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
}

Array.Sort(latencies);
Console.WriteLine(FormattableString.Invariant(
    $"sequential_us avg={latencies.Average():F1} p50={latencies[iterations / 2]:F1} p99={latencies[(int)(iterations * 0.99)]:F1} n={iterations}"));

// Pipelined: every slot sends its next request as soon as its previous reply arrives. The same run
// with agent show requests shows the socket and protocol cost without the exec path.
double RunPipelined(Func<int, IRequest> next)
{
    long completed = 0;
    var deadline = Stopwatch.StartNew();
    async Task RunSlotAsync(int slot)
    {
        while (deadline.Elapsed.TotalSeconds < seconds)
        {
            IResponse response = await client.SendAsync(next(slot));
            if (response is ErrorResponse error)
            {
                throw new InvalidOperationException($"a pipelined request failed: {error.Code}: {error.Message}");
            }

            Interlocked.Increment(ref completed);
        }
    }

    Task.WhenAll(Enumerable.Range(0, InFlight).Select(slot => Task.Run(() => RunSlotAsync(slot)))).GetAwaiter().GetResult();
    return completed / deadline.Elapsed.TotalSeconds;
}

Console.WriteLine(FormattableString.Invariant($"pipelined_exec_per_s={RunPipelined(Noop):F0} in_flight={InFlight}"));
Console.WriteLine(FormattableString.Invariant($"pipelined_show_per_s={RunPipelined(slot => new AgentShowRequest { AgentId = agents[slot] }):F0} in_flight={InFlight}"));

// Batching gain: the same 64 requests, one at a time against one frame. Execs are bounded by the
// daemon's CPU budget for plugin calls, so agent show requests measure the protocol's share.
int rounds = Math.Max(50, iterations / 100);
MeasureBatch("batch64_exec_us", [.. Enumerable.Range(0, InFlight).Select(i => (IRequest)Noop(i))]);
MeasureBatch("batch64_show_us", [.. Enumerable.Range(0, InFlight).Select(i => (IRequest)new AgentShowRequest { AgentId = agents[i] })]);
return 0;

void MeasureBatch(string label, IRequest[] batch)
{
    var separate = Stopwatch.StartNew();
    for (int round = 0; round < rounds; round++)
    {
        foreach (IRequest request in batch)
        {
            if (client.SendAsync(request).GetAwaiter().GetResult() is ErrorResponse error)
            {
                throw new InvalidOperationException($"a request failed: {error.Code}: {error.Message}");
            }
        }
    }

    double separateUs = separate.Elapsed.TotalMicroseconds / rounds;
    var batched = Stopwatch.StartNew();
    for (int round = 0; round < rounds; round++)
    {
        IResponse[] responses = client.SendBatchAsync(batch).GetAwaiter().GetResult();
        if (responses.OfType<ErrorResponse>().FirstOrDefault() is { } error)
        {
            throw new InvalidOperationException($"a batched request failed: {error.Code}: {error.Message}");
        }
    }

    double batchUs = batched.Elapsed.TotalMicroseconds / rounds;
    Console.WriteLine(FormattableString.Invariant(
        $"{label} separate={separateUs:F0} batch={batchUs:F0} gain={separateUs / batchUs:F2} rounds={rounds}"));
}

double ReadOption(string name, double fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
