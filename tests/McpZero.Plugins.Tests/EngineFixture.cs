using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpZero.Plugins.Tests;

/// <summary>
/// A plugin engine on a temporary cache directory, removed on dispose.
/// </summary>
internal sealed class EngineFixture : IDisposable
{
    public EngineFixture(int instancesPerPlugin = 4, string? cacheDirectory = null, int epochTickMilliseconds = 5, MemoryBudget? memoryBudget = null, TimeSpan idleUnloadAfter = default)
    {
        CacheDirectory = cacheDirectory ?? Path.Combine(Path.GetTempPath(), "mcpzero-plugin-tests-" + Guid.NewGuid().ToString("N"));
        OwnsDirectory = cacheDirectory is null;
        Engine = new PluginEngine(
            new PluginEngineOptions
            {
                CacheDirectory = CacheDirectory,
                InstancesPerPlugin = instancesPerPlugin,
                EpochTickMilliseconds = epochTickMilliseconds,
                MemoryBudget = memoryBudget,
                IdleUnloadAfter = idleUnloadAfter,
            },
            NullLogger<PluginEngine>.Instance);
    }

    public string CacheDirectory { get; }

    public bool OwnsDirectory { get; }

    public PluginEngine Engine { get; }

    public PluginModule Load(string name)
    {
        byte[] wasm = TestModules.Wasm(name);
        return Engine.Load(TestModules.Sha256(wasm), wasm);
    }

    public static PluginCall Call(
        string method,
        string agentId = "agent-a",
        byte[]? input = null,
        PluginVariables? variables = null,
        IReadOnlyDictionary<string, string>? config = null,
        PluginLimits? limits = null,
        ILogger? log = null,
        string? pluginName = null)
    {
        return new PluginCall
        {
            AgentId = agentId,
            PluginName = pluginName,
            Method = method,
            Input = input ?? [],
            Config = config ?? new Dictionary<string, string>(),
            Variables = variables ?? new PluginVariables(),
            Limits = limits ?? PluginLimits.Default,
            Log = log,
        };
    }

    public void Dispose()
    {
        Engine.Dispose();
        if (OwnsDirectory && Directory.Exists(CacheDirectory))
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }
    }
}
