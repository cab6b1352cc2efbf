// Socket protocol benchmarks against a running daemon with the hello plugin installed:
//   sequential  one no-op exec at a time on one connection: round-trip average and percentiles
//   pipelined   64 no-op execs in flight on one connection, each on its own agent: exec/s
//   batch       64 no-op execs as 64 sequential requests against one batch frame: the gain
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
// with status requests shows the socket and protocol cost without the exec path.
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
Console.WriteLine(FormattableString.Invariant($"pipelined_status_per_s={RunPipelined(_ => new StatusRequest()):F0} in_flight={InFlight}"));

// Batching gain: the same 64 requests, one at a time against one frame.
int rounds = Math.Max(50, iterations / 100);
IRequest[] batch = [.. Enumerable.Range(0, InFlight).Select(i => (IRequest)Noop(i))];
var separate = Stopwatch.StartNew();
for (int round = 0; round < rounds; round++)
{
    foreach (IRequest request in batch)
    {
        await client.RequestAsync<ExecResponse>(request);
    }
}

double separateUs = separate.Elapsed.TotalMicroseconds / rounds;
var batched = Stopwatch.StartNew();
for (int round = 0; round < rounds; round++)
{
    IResponse[] responses = await client.SendBatchAsync(batch);
    if (responses.Any(response => response is not ExecResponse))
    {
        throw new InvalidOperationException($"a batched exec failed: {responses.OfType<ErrorResponse>().First().Message}");
    }
}

double batchUs = batched.Elapsed.TotalMicroseconds / rounds;
Console.WriteLine(FormattableString.Invariant(
    $"batch64_us separate={separateUs:F0} batch={batchUs:F0} gain={separateUs / batchUs:F2} rounds={rounds}"));
return 0;

double ReadOption(string name, double fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
