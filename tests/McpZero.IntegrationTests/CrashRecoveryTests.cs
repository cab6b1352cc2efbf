using System.Text;
using System.Text.RegularExpressions;
using McpZero.Client;
using McpZero.Protocol.Messages;
using Xunit.Abstractions;

namespace McpZero.IntegrationTests;

/// <summary>
/// Kills the daemon with SIGKILL while clients write, restarts it and checks that every write the
/// daemon acknowledged is still there.
/// </summary>
public sealed partial class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Rounds = 20;
    private const int ExecWriters = 3;

    [Fact]
    public async Task SigkillDuringWrites_KeepsAcknowledgedWrites()
    {
        // Checkpoints every second run while the clients write, so some kills land during one.
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__CheckpointIntervalSeconds"] = "1" });
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));

        var random = new Random(20261204);
        var agents = new List<string>();
        var acknowledgedGreetings = new Dictionary<string, long>();
        var spawnedAgents = new List<string>();
        long highestTraceSequence = -1;
        await using (McpZeroClient setup = await daemon.ConnectAsync())
        {
            for (int i = 0; i < ExecWriters; i++)
            {
                AgentInfo agent = await setup.RequestAsync<AgentInfo>(new AgentSpawnRequest { Owner = "crash", Plugins = ["hello"] }).WaitAsync(Daemon.CommandTimeout);
                agents.Add(agent.AgentId);
                acknowledgedGreetings[agent.AgentId] = 0;
            }
        }

        for (int round = 0; round < Rounds; round++)
        {
            int killAfter = random.Next(1, 40);
            var state = new RoundState(killAfter);
            await using (McpZeroClient client = await daemon.ConnectAsync())
            {
                var writers = new List<Task>();
                foreach (string agentId in agents)
                {
                    writers.Add(ExecUntilFailureAsync(client, agentId, state));
                }

                writers.Add(SpawnUntilFailureAsync(client, state));

                await state.KillTime.Task.WaitAsync(Daemon.CommandTimeout);
                await daemon.CrashAsync();
                await Task.WhenAll(writers).WaitAsync(Daemon.CommandTimeout);
            }

            foreach (var (agentId, greeting) in state.Greetings)
            {
                acknowledgedGreetings[agentId] = Math.Max(acknowledgedGreetings[agentId], greeting);
            }

            spawnedAgents.AddRange(state.Spawned);
            highestTraceSequence = Math.Max(highestTraceSequence, state.HighestTraceSequence);
            output.WriteLine($"round {round}: killed after {state.Acknowledged} acknowledged writes");

            await daemon.RestartAsync();
            await using McpZeroClient check = await daemon.ConnectAsync();
            foreach (string agentId in agents)
            {
                // Calls that were in flight at the kill may or may not have survived, one per writer.
                long acknowledged = acknowledgedGreetings[agentId];
                long next = await GreetAsync(check, agentId);
                Assert.True(
                    next == acknowledged + 1 || next == acknowledged + 2,
                    $"round {round}: agent {agentId} greeted #{next} after restart; #{acknowledged} was acknowledged before the kill\n{daemon.Log}");
                acknowledgedGreetings[agentId] = next;
            }

            AgentListResponse list = await check.RequestAsync<AgentListResponse>(new AgentListRequest()).WaitAsync(Daemon.CommandTimeout);
            var listed = list.Agents.Select(agent => agent.AgentId).ToHashSet();
            foreach (string spawned in spawnedAgents)
            {
                Assert.True(listed.Contains(spawned), $"round {round}: acknowledged agent {spawned} is missing after restart");
            }

            TraceVerifyResponse verify = await check.RequestAsync<TraceVerifyResponse>(new TraceVerifyRequest()).WaitAsync(Daemon.CommandTimeout);
            Assert.True(verify.Ok, $"round {round}: trace verify failed: {verify.Message}");
            Assert.True(
                verify.RecordsChecked > highestTraceSequence,
                $"round {round}: {verify.RecordsChecked} trace records verified; acknowledged calls reached sequence {highestTraceSequence}");
        }
    }

    private static async Task ExecUntilFailureAsync(McpZeroClient client, string agentId, RoundState state)
    {
        try
        {
            while (true)
            {
                ExecResponse response = await client.RequestAsync<ExecResponse>(
                    new AgentExecRequest { AgentId = agentId, Method = "greet", Input = "crash"u8.ToArray() }).WaitAsync(Daemon.CommandTimeout);
                state.AcknowledgeGreeting(agentId, ParseGreeting(response.Output), response.TraceSequence);
            }
        }
        catch (Exception exception) when (exception is McpZeroConnectionException or McpZeroServerException or IOException or ObjectDisposedException)
        {
            // The kill closed the connection.
        }
    }

    private static async Task SpawnUntilFailureAsync(McpZeroClient client, RoundState state)
    {
        try
        {
            while (true)
            {
                AgentInfo agent = await client.RequestAsync<AgentInfo>(
                    new AgentSpawnRequest { Owner = "crash-spawn", Plugins = ["hello"] }).WaitAsync(Daemon.CommandTimeout);
                state.AcknowledgeSpawn(agent.AgentId);
            }
        }
        catch (Exception exception) when (exception is McpZeroConnectionException or McpZeroServerException or IOException or ObjectDisposedException)
        {
            // The kill closed the connection.
        }
    }

    private static async Task<long> GreetAsync(McpZeroClient client, string agentId)
    {
        ExecResponse response = await client.RequestAsync<ExecResponse>(
            new AgentExecRequest { AgentId = agentId, Method = "greet", Input = "check"u8.ToArray() }).WaitAsync(Daemon.CommandTimeout);
        return ParseGreeting(response.Output);
    }

    private static long ParseGreeting(byte[] output)
    {
        Match match = GreetingNumber().Match(Encoding.UTF8.GetString(output));
        Assert.True(match.Success, $"unexpected greeting: {Encoding.UTF8.GetString(output)}");
        return long.Parse(match.Groups[1].Value);
    }

    [GeneratedRegex(@"\(greeting #(\d+)\)")]
    private static partial Regex GreetingNumber();

    /// <summary>What the clients saw acknowledged in one round; completes <see cref="KillTime"/> after a set number of acknowledgements.</summary>
    private sealed class RoundState(int killAfter)
    {
        private readonly Lock _lock = new();

        public TaskCompletionSource KillTime { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Dictionary<string, long> Greetings { get; } = [];

        public List<string> Spawned { get; } = [];

        public long HighestTraceSequence { get; private set; } = -1;

        public int Acknowledged { get; private set; }

        public void AcknowledgeGreeting(string agentId, long greeting, long traceSequence)
        {
            lock (_lock)
            {
                Greetings[agentId] = Math.Max(Greetings.GetValueOrDefault(agentId), greeting);
                HighestTraceSequence = Math.Max(HighestTraceSequence, traceSequence);
                Count();
            }
        }

        public void AcknowledgeSpawn(string agentId)
        {
            lock (_lock)
            {
                Spawned.Add(agentId);
                Count();
            }
        }

        private void Count()
        {
            Acknowledged++;
            if (Acknowledged >= killAfter)
            {
                KillTime.TrySetResult();
            }
        }
    }
}
