// Drives one agent's exec requests at a fixed rate or as fast as possible, from several concurrent
// connections, and prints how many completed. The daemon's CPU time is read by the calling script.
// Usage: ExecLoad SOCKET AGENT_ID RATE_PER_SECOND SECONDS CONNECTIONS
// A rate of 0 sends each connection's next request as soon as the previous reply arrives.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using McpZero.Client;
using McpZero.Protocol.Messages;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: ExecLoad SOCKET AGENT_ID RATE_PER_SECOND SECONDS CONNECTIONS");
    return 2;
}

string socket = args[0];
string agentId = args[1];
double rate = double.Parse(args[2], CultureInfo.InvariantCulture);
TimeSpan duration = TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture));
int connections = int.Parse(args[4], CultureInfo.InvariantCulture);

long sent = 0;
long completed = 0;
long failed = 0;
var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
var clock = Stopwatch.StartNew();

async Task RunConnectionAsync()
{
    await using McpZeroClient client = await McpZeroClient.ConnectAsync(socket, "exec-load");
    while (true)
    {
        long ticket = Interlocked.Increment(ref sent) - 1;
        TimeSpan due = rate > 0 ? TimeSpan.FromSeconds(ticket / rate) : clock.Elapsed;
        if (due >= duration)
        {
            return;
        }

        TimeSpan wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        byte[] input = Encoding.UTF8.GetBytes($"{{\"data\":\"test{ticket}\"}}");
        IResponse response = await client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "process", Input = input });
        if (response is ErrorResponse error)
        {
            Interlocked.Increment(ref failed);
            failures.AddOrUpdate(error.Code.ToString(), 1, (_, count) => count + 1);
        }
        else
        {
            Interlocked.Increment(ref completed);
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => RunConnectionAsync()));
double seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"completed {completed}, failed {failed} in {seconds:0.00} s: {completed / seconds:0} exec/s; failures: {string.Join(", ", failures.Select(pair => $"{pair.Key}={pair.Value}"))}"));
return 0;
