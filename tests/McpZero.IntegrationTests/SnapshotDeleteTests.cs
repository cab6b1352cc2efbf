using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

public sealed class SnapshotDeleteTests
{
    [Fact]
    public async Task DeleteSnapshot_KeepsOtherSnapshotRestorable()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");
        await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");

        await using McpZeroClient client = await daemon.ConnectAsync();
        SnapshotResponse first = await client.RequestAsync<SnapshotResponse>(new AgentSnapshotRequest { AgentId = agentId }).WaitAsync(Daemon.CommandTimeout);
        SnapshotResponse second = await client.RequestAsync<SnapshotResponse>(new AgentSnapshotRequest { AgentId = agentId }).WaitAsync(Daemon.CommandTimeout);
        await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");

        await client.RequestAsync<OkResponse>(new AgentSnapshotDeleteRequest { SnapshotId = first.SnapshotId }).WaitAsync(Daemon.CommandTimeout);
        await daemon.CrashAsync();
        await daemon.RestartAsync();

        await using McpZeroClient after = await daemon.ConnectAsync();
        AgentInfo recovered = await after.RequestAsync<AgentInfo>(new AgentRecoverRequest { SnapshotId = second.SnapshotId }).WaitAsync(Daemon.CommandTimeout);
        Assert.Equal([second.SnapshotId], recovered.Snapshots);
        Assert.StartsWith("Hello, Ada! (greeting #2)", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));

        var missing = await Assert.ThrowsAsync<McpZeroServerException>(
            () => after.RequestAsync<AgentInfo>(new AgentRecoverRequest { SnapshotId = first.SnapshotId }).WaitAsync(Daemon.CommandTimeout));
        Assert.Equal(ErrorCode.SnapshotNotFound, missing.Code);
    }

    [Fact]
    public async Task CliDeletesSnapshot()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");
        string snapshotId = (await daemon.OkAsync("agent", "snapshot", agentId)).Trim();

        string deleted = await daemon.OkAsync("agent", "snapshot-delete", snapshotId);
        Assert.Contains(snapshotId, deleted);

        CliResult again = await daemon.CliAsync("agent", "snapshot-delete", snapshotId);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("not found", again.Stderr);
    }
}
