using System.Text.Json;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Lazy loading, the compiled-module cache, idle unloading and the result cache, through the daemon.</summary>
public sealed class PluginCacheTests
{
    private static readonly TimeSpan UnloadTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CorruptCompiledModuleIsRecompiled()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "cache", "--plugin", "hello");
        Assert.Equal("Hello, Ada! (greeting #1)", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));
        Assert.Equal(0, await daemon.StopAsync());

        string[] entries = Directory.GetFiles(Path.Combine(daemon.DataDirectory, "cache"), "*.cwasm");
        Assert.Single(entries);
        byte[] entry = await File.ReadAllBytesAsync(entries[0]).WaitAsync(Daemon.CommandTimeout);
        entry[entry.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(entries[0], entry).WaitAsync(Daemon.CommandTimeout);

        await daemon.RestartAsync();
        StatusResponse atStart = await StatusAsync(daemon);
        string output = await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");
        StatusResponse afterCall = await StatusAsync(daemon);

        Assert.Equal(0, atStart.LoadedModules);
        Assert.Equal(0, atStart.ModulesCompiled);
        Assert.Equal("Hello, Ada! (greeting #2)", output);
        Assert.Equal(1, afterCall.ModulesCompiled);
        Assert.Equal(0, afterCall.ModulesLoadedFromCache);
        Assert.Equal(1, afterCall.LoadedModules);
        Assert.Contains("unreadable or corrupt", daemon.Log);
    }

    [Fact]
    public async Task IdlePluginIsUnloadedAndReloaded()
    {
        var environment = new Dictionary<string, string> { ["MCPZERO__PLUGINIDLEUNLOADSECONDS"] = "1" };
        await using Daemon daemon = await Daemon.StartAsync(environment: environment);
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "cache", "--plugin", "hello");
        Assert.Equal("Hello, Ada! (greeting #1)", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));

        // On a slow machine the module may also unload between install and the first call, so the
        // counts are compared with those at the moment it was found unloaded.
        StatusResponse unloaded = await WaitForStatusAsync(daemon, status => status.LoadedModules == 0);
        string output = await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");
        StatusResponse reloaded = await StatusAsync(daemon);

        Assert.True(unloaded.ModulesUnloaded >= 1, $"{unloaded.ModulesUnloaded} modules unloaded");
        Assert.Equal("Hello, Ada! (greeting #2)", output);
        Assert.Equal(1, reloaded.ModulesCompiled);
        Assert.Equal(unloaded.ModulesLoadedFromCache + 1, reloaded.ModulesLoadedFromCache);
        Assert.Contains("plugin modules", await daemon.OkAsync("status"));
    }

    [Fact]
    public async Task CacheableExportRunsOncePerKey()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string manifest = await WriteManifestAsync(daemon, """[{ "name": "greet", "cacheable": true }, "noop"]""");
        await daemon.OkAsync("plugin", "install", manifest);
        string first = await daemon.OkAsync("agent", "spawn", "--owner", "cache", "--plugin", "hello-cached");
        string second = await daemon.OkAsync("agent", "spawn", "--owner", "cache", "--plugin", "hello-cached");
        string configured = await daemon.OkAsync("agent", "spawn", "--owner", "cache", "--plugin", "hello-cached", "--config", "greeting=Hi");

        // greet counts its runs in a variable, so a repeated count shows a result that did not run the plugin.
        Assert.Equal("Hello, Ada! (greeting #1)", await daemon.OkAsync("agent", "exec", first, "greet", "Ada"));
        Assert.Equal("Hello, Ada! (greeting #1)", await daemon.OkAsync("agent", "exec", first, "greet", "Ada"));
        Assert.Equal("Hello, Ada! (greeting #1)", await daemon.OkAsync("agent", "exec", second, "greet", "Ada"));
        Assert.Equal("Hello, Bob! (greeting #2)", await daemon.OkAsync("agent", "exec", first, "greet", "Bob"));
        Assert.Equal("Hi, Ada! (greeting #1)", await daemon.OkAsync("agent", "exec", configured, "greet", "Ada"));
        StatusResponse status = await StatusAsync(daemon);
        string traces = await daemon.OkAsync("trace", "list", "--agent", first);

        Assert.Equal(2, status.ResultCacheHits);
        Assert.Equal(3, status.ResultCacheMisses);
        Assert.Equal(3, status.ResultCacheEntries);
        Assert.True(status.ResultCacheBytes > 0, $"result cache holds {status.ResultCacheBytes} bytes");
        Assert.Equal(5, status.Executions);
        Assert.Equal(5, status.TraceRecords);
        Assert.Single(traces.Split('\n'), line => line.Contains(" cached "));
        Assert.StartsWith("ok: 5 records verified", await daemon.OkAsync("trace", "verify"));
    }

    [Fact]
    public async Task ResultCacheOffRunsEveryCall()
    {
        var environment = new Dictionary<string, string> { ["MCPZERO__RESULTCACHEBYTES"] = "0" };
        await using Daemon daemon = await Daemon.StartAsync(environment: environment);
        string manifest = await WriteManifestAsync(daemon, """[{ "name": "greet", "cacheable": true }]""");
        await daemon.OkAsync("plugin", "install", manifest);
        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "cache", "--plugin", "hello-cached");

        Assert.Equal("Hello, Ada! (greeting #1)", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));
        Assert.Equal("Hello, Ada! (greeting #2)", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));
        StatusResponse status = await StatusAsync(daemon);

        Assert.Equal(0, status.ResultCacheHits);
        Assert.Equal(0, status.ResultCacheMisses);
        Assert.Equal(0, status.ResultCacheCapacityBytes);
    }

    [Fact]
    public async Task ManifestListingUnknownExportIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string manifest = await WriteManifestAsync(daemon, """["greet", { "name": "nosuch", "cacheable": true }]""");

        CliResult result = await daemon.CliAsync("plugin", "install", manifest);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'nosuch'", result.Stderr);
        Assert.Contains("does not export", result.Stderr);
        StatusResponse status = await StatusAsync(daemon);
        Assert.Equal(0, status.Plugins);
        Assert.Equal(0, status.LoadedModules);
    }

    private static async Task<string> WriteManifestAsync(Daemon daemon, string exportsJson)
    {
        string path = Path.Combine(daemon.Directory, "hello-cached.json");
        string json = $$"""
            {
              "name": "hello-cached",
              "wasm": [{ "path": {{JsonSerializer.Serialize(TestPaths.Plugin("hello"))}} }],
              "exports": {{exportsJson}}
            }
            """;
        await File.WriteAllTextAsync(path, json).WaitAsync(Daemon.CommandTimeout);
        return path;
    }

    private static async Task<StatusResponse> StatusAsync(Daemon daemon)
    {
        await using McpZeroClient client = await daemon.ConnectAsync();
        return await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);
    }

    // Polls status, because the idle sweep runs on the daemon's own timer.
    private static async Task<StatusResponse> WaitForStatusAsync(Daemon daemon, Func<StatusResponse, bool> condition)
    {
        using var timeout = new CancellationTokenSource(UnloadTimeout);
        while (true)
        {
            StatusResponse status = await StatusAsync(daemon);
            if (condition(status))
            {
                return status;
            }

            Assert.False(timeout.IsCancellationRequested, $"status did not reach the expected state within {UnloadTimeout.TotalSeconds} s; last: {status.LoadedModules} loaded modules, {status.ModulesUnloaded} unloaded\ndaemon log:\n{daemon.Log}");
            await Task.Delay(100, CancellationToken.None);
        }
    }
}
