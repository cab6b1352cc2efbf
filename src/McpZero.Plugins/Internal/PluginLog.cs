using Microsoft.Extensions.Logging;

namespace McpZero.Plugins.Internal;

/// <summary>
/// Log messages of the plugin host: event ids 210-219 for the HTTP host functions, 220-229 for
/// unloading idle modules, and 3000-3199.
/// </summary>
internal static partial class PluginLog
{
    [LoggerMessage(EventId = 3000, EventName = "PluginEngineStarted", Level = LogLevel.Information,
        Message = "Plugin engine started: Wasmtime {WasmtimeVersion}, compiled-module cache {CacheDirectory}, {InstancesPerPlugin} warm instances per plugin, epoch tick {EpochTickMilliseconds} ms")]
    public static partial void EngineStarted(ILogger logger, string wasmtimeVersion, string cacheDirectory, int instancesPerPlugin, int epochTickMilliseconds);

    [LoggerMessage(EventId = 3001, EventName = "PluginCompiled", Level = LogLevel.Debug,
        Message = "Plugin {Plugin} compiled in {ElapsedMilliseconds} ms and cached at {CachePath}")]
    public static partial void ModuleCompiled(ILogger logger, string plugin, long elapsedMilliseconds, string cachePath);

    [LoggerMessage(EventId = 3002, EventName = "PluginLoadedFromCache", Level = LogLevel.Debug,
        Message = "Plugin {Plugin} loaded from compiled-module cache {CachePath}")]
    public static partial void ModuleLoadedFromCache(ILogger logger, string plugin, string cachePath);

    [LoggerMessage(EventId = 3003, EventName = "PluginCacheEntryInvalid", Level = LogLevel.Warning,
        Message = "Compiled-module cache entry {CachePath} of plugin {Plugin} is unreadable or corrupt; deleted it and recompiling")]
    public static partial void CacheEntryInvalid(ILogger logger, Exception exception, string plugin, string cachePath);

    [LoggerMessage(EventId = 3004, EventName = "PluginCacheWriteFailed", Level = LogLevel.Warning,
        Message = "Writing compiled-module cache entry {CachePath} of plugin {Plugin} failed; the plugin runs but is compiled again at the next load")]
    public static partial void CacheWriteFailed(ILogger logger, Exception exception, string plugin, string cachePath);

    [LoggerMessage(EventId = 3005, EventName = "PluginInstanceDiscarded", Level = LogLevel.Debug,
        Message = "Discarded instance of plugin {Plugin} for agent {AgentId}: {Reason}")]
    public static partial void InstanceDiscarded(ILogger logger, string plugin, string agentId, string reason);

    [LoggerMessage(EventId = 3006, EventName = "PluginUnloaded", Level = LogLevel.Debug,
        Message = "Plugin {Plugin} unloaded; dropped {InstanceCount} warm instances")]
    public static partial void ModuleUnloaded(ILogger logger, string plugin, int instanceCount);

    [LoggerMessage(EventId = 220, EventName = "IdlePluginsUnloaded", Level = LogLevel.Information,
        Message = "Unloaded {ModuleCount} plugin modules unused for {IdleSeconds} s; {LoadedModules} remain loaded")]
    public static partial void IdleModulesUnloaded(ILogger logger, int moduleCount, long idleSeconds, int loadedModules);
    // The URL is logged without its query, which may carry credentials.
    [LoggerMessage(EventId = 210, EventName = "PluginHttpRequest", Level = LogLevel.Debug,
        Message = "Plugin {Plugin} (agent {AgentId}) http_request {Method} {Url} returned {Status} with {BodyBytes} bytes in {ElapsedMilliseconds} ms")]
    public static partial void HttpRequestCompleted(ILogger logger, string plugin, string agentId, string method, string url, int status, int bodyBytes, long elapsedMilliseconds);

    [LoggerMessage(EventId = 3100, EventName = "PluginMessage",
        Message = "Plugin {Plugin} (agent {AgentId}): {Text}")]
    public static partial void PluginMessage(ILogger logger, LogLevel level, string plugin, string agentId, string text);

    [LoggerMessage(EventId = 3101, EventName = "PluginStandardStream", Level = LogLevel.Information,
        Message = "Plugin {Plugin} (agent {AgentId}) wrote to {Stream}: {Text}")]
    public static partial void PluginStandardStream(ILogger logger, string plugin, string agentId, string stream, string text);
}
