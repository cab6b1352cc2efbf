using System.Formats.Tar;
using System.IO.Compression;

namespace McpZero.IntegrationTests;

/// <summary>Data directories written by released versions must keep working after an upgrade.</summary>
public sealed class UpgradeTests
{
    // Written by mcpzero 0.1.0: plugins data_processing and hello, agent a-e09fd2f9cf (owner
    // "upgrade", config greeting=Hi) with two greetings and one process call, snapshot
    // s-1551fb61fd0f taken after the first greeting and the process call. The compiled-module cache
    // was left out, as a Wasmtime upgrade would make it stale anyway.
    private const string Fixture = "Fixtures/data-0.1.0.tgz";
    private const string AgentId = "a-e09fd2f9cf";
    private const string SnapshotId = "s-1551fb61fd0f";

    [Fact]
    public async Task DataFromVersion010IsRead()
    {
        string directory = TestPaths.NewTestDirectory();
        string data = Path.Combine(directory, "data");
        Directory.CreateDirectory(data);
        await using (FileStream archive = File.OpenRead(Path.Combine(AppContext.BaseDirectory, Fixture)))
        await using (var gzip = new GZipStream(archive, CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(gzip, data, overwriteFiles: false);
        }

        await using Daemon daemon = await Daemon.StartAsync(directory);

        Assert.StartsWith("ok: 3 records verified", await daemon.OkAsync("trace", "verify"));
        string agents = await daemon.OkAsync("agent", "list");
        Assert.Contains(AgentId, agents);
        Assert.Contains("upgrade", agents);

        Assert.Equal("Hi, Carol! (greeting #3)", await daemon.OkAsync("agent", "exec", AgentId, "greet", "Carol"));
        Assert.Contains("\"running\":{\"calls\":2,\"records\":3", await daemon.OkAsync("agent", "exec", AgentId, "process", "{\"t\":5}"));

        await daemon.OkAsync("agent", "recover", SnapshotId);
        Assert.Equal("Hi, Dan! (greeting #2)", await daemon.OkAsync("agent", "exec", AgentId, "greet", "Dan"));
        Assert.StartsWith("ok: 6 records verified", await daemon.OkAsync("trace", "verify"));
    }
}
