using McpZero.Client;
using McpZero.Protocol.Messages;
using McpZero.Storage.Tests;

namespace McpZero.IntegrationTests;

/// <summary>
/// The trace log of the AOT daemon after its segment files were edited on disk while it was stopped,
/// and its retention limits.
/// </summary>
public sealed class TraceLogTests
{
    // The daemon's trace log pages are 256 KiB; each test writes far less than a page.
    private const int PageBytes = 256 << 10;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("flip", 6, "does not match its hash")]
    [InlineData("remove", 6, "record 6 is missing")]
    [InlineData("zero", 6, "cannot be decoded")]
    [InlineData("insert", 7, "record 6 appears again or out of order where record 7 was expected")]
    [InlineData("swap", 6, "record 6 is missing: the log continues with record 7")]
    public async Task VerifyNamesDamagedRecord(string damage, long firstBad, string expected)
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await SpawnAsync(daemon);
        await ExecAsync(daemon, agentId, 12);
        Assert.Equal(0, await daemon.StopAsync());

        var file = new LogSegmentFile(Path.Combine(daemon.DataDirectory, "traces"), PageBytes);
        var records = file.Records.ToList();
        switch (damage)
        {
            case "flip":
                // The first byte of DurationMicros, before the two 36-byte hash members at the end: the
                // record still decodes, so only its hash can tell.
                file.Bytes[records[6].Offset + 4 + records[6].Length - 80] ^= 0x01;
                break;
            case "remove":
                file.Remove(records[6]);
                break;
            case "zero":
                // Zeroing only the payload keeps the length, so reading goes on past the hole.
                file.Bytes.AsSpan(records[6].Offset + 4, records[6].Length).Clear();
                break;
            case "insert":
                file.Insert(records[7], file.Payload(records[6]));
                break;
            case "swap":
                file.Swap(records[6], records[7]);
                break;
        }

        file.Save();
        await daemon.RestartAsync();
        CliResult verify = await daemon.CliAsync("trace", "verify");

        Assert.Equal(1, verify.ExitCode);
        Assert.StartsWith($"FAILED at record {firstBad} after", verify.Stdout);
        Assert.Contains(expected, verify.Stdout);
        Assert.Contains("failed verification on open", daemon.Log);
    }

    [Fact]
    public async Task TruncatedTailIsRecoveredAndNamed()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await SpawnAsync(daemon);
        await ExecAsync(daemon, agentId, 30);
        Assert.Equal(0, await daemon.StopAsync());

        var file = new LogSegmentFile(Path.Combine(daemon.DataDirectory, "traces"), PageBytes);
        using (var stream = new FileStream(file.Path, FileMode.Open))
        {
            stream.SetLength(file.Records.ElementAt(20).Offset + 10);
        }

        await daemon.RestartAsync();
        Assert.Contains("lost trace records 20 to 29", daemon.Log);
        await ExecAsync(daemon, agentId, 3);
        string verify = await daemon.OkAsync("trace", "verify");
        string list = await daemon.OkAsync("trace", "list", "--agent", agentId, "--limit", "1");

        Assert.StartsWith("ok: 23 records verified", verify);
        Assert.StartsWith("22 ", list.Split('\n')[1]);
    }

    [Fact]
    public async Task RetentionShrinksTraceFolder()
    {
        string directory = TestPaths.NewTestDirectory();
        var small = new Dictionary<string, string> { ["MCPZERO__TraceSegmentBytes"] = "262144" };
        await using Daemon daemon = await Daemon.StartAsync(directory, small);
        string agentId = await SpawnAsync(daemon);
        await ExecAsync(daemon, agentId, 8000);
        Assert.Equal(0, await daemon.StopAsync());
        string traces = Path.Combine(daemon.DataDirectory, "traces");
        long before = FolderBytes(traces);

        var limited = new Dictionary<string, string>(small) { ["MCPZERO__TraceMaxBytes"] = "524288" };
        await using Daemon restarted = await Daemon.StartAsync(directory, limited);
        await ExecAsync(restarted, agentId, 1);
        TraceVerifyResponse verify = await WaitForAnchorAsync(restarted);
        long after = FolderBytes(traces);
        string oldest = (await restarted.OkAsync("trace", "list", "--limit", "10000")).Split('\n')[1];

        Assert.True(verify.Ok, verify.Message);
        Assert.True(before > 1_500_000, $"the trace folder took only {before} bytes before retention");
        Assert.True(after < 1_200_000, $"the trace folder takes {after} bytes after retention, {before} before");
        Assert.StartsWith($"{verify.AnchorSequence + 1} ", oldest);
        Assert.Contains("Trace retention removed records 0 to", restarted.Log);
    }

    [Fact]
    public async Task ListFiltersByTimeRange()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await SpawnAsync(daemon);
        await ExecAsync(daemon, agentId, 5);

        string past = await daemon.OkAsync("trace", "list", "--until", "2020-01-01T00:00:00Z");
        string recent = await daemon.OkAsync("trace", "list", "--since", "1h", "--until", "2099-01-01T00:00:00Z");
        CliResult empty = await daemon.CliAsync("trace", "list", "--since", "2026-01-02T00:00:00Z", "--until", "2026-01-01T00:00:00Z");

        Assert.Single(past.Split('\n'));
        Assert.Equal(6, recent.Split('\n').Length);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("trace time range is empty", empty.Stderr);
    }

    private static async Task<TraceVerifyResponse> WaitForAnchorAsync(Daemon daemon)
    {
        await using McpZeroClient client = await daemon.ConnectAsync();
        using var timeout = new CancellationTokenSource(RequestTimeout);
        while (true)
        {
            var verify = await client.RequestAsync<TraceVerifyResponse>(new TraceVerifyRequest(), timeout.Token).WaitAsync(RequestTimeout);
            if (verify.AnchorSequence >= 0)
            {
                return verify;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private static async Task<string> SpawnAsync(Daemon daemon)
    {
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        return await daemon.OkAsync("agent", "spawn", "--plugin", "hello");
    }

    private static async Task ExecAsync(Daemon daemon, string agentId, int count)
    {
        await using McpZeroClient client = await daemon.ConnectAsync();
        for (var i = 0; i < count; i++)
        {
            var request = new AgentExecRequest { AgentId = agentId, Method = "noop", Input = BitConverter.GetBytes(i) };
            await client.RequestAsync<ExecResponse>(request).WaitAsync(RequestTimeout);
        }
    }

    private static long FolderBytes(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length);
}
