using System.Text.Json;
using McpZero.Tests.Shared;

namespace McpZero.IntegrationTests;

/// <summary>
/// The host_abi test plugin (tests/plugins/host_abi.c) against the AOT daemon: HTTP limited to
/// allowed_hosts, WASI files limited to allowed_paths, stdout and stderr in the daemon log, the
/// per-call timeout on a reused instance, and the extism:host/user functions.
/// </summary>
public sealed class PluginSandboxTests
{
    [Fact]
    public async Task HttpReachesOnlyAllowedHosts()
    {
        await using var server = new LoopbackHttpServer(request => request.Path == "/hello"
            ? new LoopbackResponse(200, "hello from the server"u8.ToArray())
            : new LoopbackResponse(404, "no such page"u8.ToArray()));
        await using Daemon daemon = await Daemon.StartAsync();
        await InstallAsync(daemon, "web", """{"allowed_hosts":["127.0.0.*"]}""");
        await InstallAsync(daemon, "web_denied", """{"allowed_hosts":["example.com"]}""");
        string allowedAgent = await daemon.OkAsync("agent", "spawn", "--plugin", "web");
        string deniedAgent = await daemon.OkAsync("agent", "spawn", "--plugin", "web_denied");

        string found = await daemon.OkAsync("agent", "exec", allowedAgent, "http_get", $"{server.Url}/hello");
        string missing = await daemon.OkAsync("agent", "exec", allowedAgent, "http_get", $"{server.Url}/other");
        CliResult denied = await daemon.CliAsync("agent", "exec", deniedAgent, "http_get", $"{server.Url}/hello");

        Assert.Equal("status 200\nhello from the server", found);
        Assert.Equal("status 404\nno such page", missing);
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("host '127.0.0.1' is not allowed", denied.Stderr);
        Assert.Contains("allowed_hosts: example.com", denied.Stderr);
        Assert.Contains("PluginHttpNotAllowed", denied.Stderr);
        Assert.Equal(["/hello", "/other"], server.Requests.Select(request => request.Path));

        string shown = await daemon.OkAsync("plugin", "show", "web");
        Assert.Contains("allowed hosts  127.0.0.*", shown);
        Assert.Contains("allowed paths  none", shown);
        Assert.Contains("http response  4.0 MiB (default)", shown);
    }

    [Fact]
    public async Task AllowedPathsReadWriteAndReadOnly()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string readOnly = Path.Combine(daemon.Directory, "ro");
        string writable = Path.Combine(daemon.Directory, "rw");
        Directory.CreateDirectory(readOnly);
        Directory.CreateDirectory(writable);
        await File.WriteAllTextAsync(Path.Combine(readOnly, "in.txt"), "read me");
        string grants = JsonSerializer.Serialize(new Dictionary<string, string> { [readOnly] = "/ro", ["rw:" + writable] = "/rw" });
        await InstallAsync(daemon, "files", $$"""{"allowed_paths":{{grants}}}""");
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "files");

        string contents = await daemon.OkAsync("agent", "exec", agentId, "read_file", "/ro/in.txt");
        string written = await daemon.OkAsync("agent", "exec", agentId, "write_file", "/rw/out.txt\nwritten by the plugin");
        CliResult readOnlyWrite = await daemon.CliAsync("agent", "exec", agentId, "write_file", "/ro/new.txt\nmust not appear");
        CliResult outside = await daemon.CliAsync("agent", "exec", agentId, "read_file", "/etc/hostname");

        Assert.Equal("read me", contents);
        Assert.Equal("written", written);
        Assert.Equal("written by the plugin", await File.ReadAllTextAsync(Path.Combine(writable, "out.txt")));
        Assert.Equal(1, readOnlyWrite.ExitCode);
        Assert.Contains("fopen for writing", readOnlyWrite.Stderr);
        Assert.False(File.Exists(Path.Combine(readOnly, "new.txt")));
        Assert.Equal(1, outside.ExitCode);
        Assert.Contains("fopen for reading", outside.Stderr);

        using JsonDocument shown = JsonDocument.Parse(await daemon.OkAsync("plugin", "show", "files", "--json"));
        JsonElement paths = shown.RootElement.GetProperty("allowed_paths");
        Assert.Equal("/ro", paths.GetProperty("ro:" + readOnly).GetString());
        Assert.Equal("/rw", paths.GetProperty("rw:" + writable).GetString());
        Assert.Equal(0, shown.RootElement.GetProperty("allowed_hosts").GetArrayLength());
    }

    [Fact]
    public async Task AllowedPathsMissingDirectoryRejectedAtInstall()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string missing = Path.Combine(daemon.Directory, "missing");

        CliResult result = await InstallResultAsync(daemon, "files", $$$"""{"allowed_paths":{"{{{missing}}}":"/data"}}""");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"allowed_paths host directory \"{missing}\" does not exist", result.Stderr);
    }

    [Fact]
    public async Task StandardStreamsGoToDaemonLog()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await InstallAsync(daemon, "printer", "{}");
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "printer");

        string output = await daemon.OkAsync("agent", "exec", agentId, "print", "marker-7d41");
        Assert.Equal(0, await daemon.StopAsync());

        Assert.Equal("printed", output);
        string[] lines = daemon.Log.Split('\n');
        Assert.Contains(lines, line => line.Contains($"agent {agentId}) wrote to stdout: marker-7d41"));
        Assert.Contains(lines, line => line.Contains($"agent {agentId}) wrote to stderr: warning: marker-7d41"));

        // The plugin's raw output never reaches the daemon's own streams as a line of its own.
        Assert.DoesNotContain(lines, line => line.Trim() == "marker-7d41");
    }

    [Fact]
    public async Task TimeoutStopsEveryCallOnReusedInstance()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await InstallAsync(daemon, "looper", "{}");
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "looper", "--timeout-ms", "300");

        for (int round = 0; round < 2; round++)
        {
            // The counter shows that the looping call runs on a warm instance that served calls before.
            Assert.Equal("1", await daemon.OkAsync("agent", "exec", agentId, "counter"));
            Assert.Equal("2", await daemon.OkAsync("agent", "exec", agentId, "counter"));

            CliResult spin = await daemon.CliAsync("agent", "exec", agentId, "spin");

            Assert.Equal(1, spin.ExitCode);
            Assert.Contains("PluginTimeout", spin.Stderr);
            Assert.Contains("timed out: limit 300 ms", spin.Stderr);
        }
    }

    [Fact]
    public async Task HostUserFunctionsReturnAgentAndResources()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await InstallAsync(daemon, "seeker", """{"capabilities":["seeking"]}""");
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "seeker");
        await daemon.OkAsync("db", "insert", "resources", """{"resource_id":"cam-1","resource_type":"camera","owner":"lab","capabilities":["image_capture"]}""");

        string whoami = await daemon.OkAsync("agent", "exec", agentId, "whoami");
        using JsonDocument cameras = JsonDocument.Parse(await daemon.OkAsync("agent", "exec", agentId, "find", "image_capture"));
        using JsonDocument seekers = JsonDocument.Parse(await daemon.OkAsync("agent", "exec", agentId, "find", "seeking"));
        using JsonDocument none = JsonDocument.Parse(await daemon.OkAsync("agent", "exec", agentId, "find", "no_such_capability"));

        Assert.Equal(agentId, whoami);
        JsonElement camera = Assert.Single(cameras.RootElement.EnumerateArray());
        Assert.Equal("cam-1", camera.GetProperty("resource_id").GetString());
        Assert.Equal("camera", camera.GetProperty("resource_type").GetString());
        string[] seekerIds = [.. seekers.RootElement.EnumerateArray().Select(resource => resource.GetProperty("resource_id").GetString()!).Order()];
        Assert.Equal(["agent:" + agentId, "plugin:seeker"], seekerIds);
        Assert.Equal(0, none.RootElement.GetArrayLength());
    }

    private static async Task InstallAsync(Daemon daemon, string name, string manifestFields)
    {
        CliResult result = await InstallResultAsync(daemon, name, manifestFields);
        Assert.True(result.ExitCode == 0, $"installing {name} failed: {result}");
    }

    // Writes a manifest that names the host_abi module and adds manifestFields (a JSON object) to it.
    private static async Task<CliResult> InstallResultAsync(Daemon daemon, string name, string manifestFields)
    {
        using JsonDocument fields = JsonDocument.Parse(manifestFields);
        var manifest = new Dictionary<string, JsonElement>();
        foreach (JsonProperty field in fields.RootElement.EnumerateObject())
        {
            manifest[field.Name] = field.Value.Clone();
        }

        using JsonDocument wasm = JsonDocument.Parse(JsonSerializer.Serialize(new[] { new Dictionary<string, string> { ["path"] = TestPaths.TestPlugin("host_abi") } }));
        manifest["wasm"] = wasm.RootElement.Clone();
        string manifestPath = Path.Combine(daemon.Directory, name + ".json");
        await File.WriteAllTextAsync(manifestPath, JsonSerializer.Serialize(manifest));
        return await daemon.CliAsync("plugin", "install", manifestPath, "--name", name);
    }
}
