using McpZero.Plugins.Internal;
using Wasmtime;

namespace McpZero.Plugins;

/// <summary>
/// A compiled plugin module and its pool of warm instances.
/// </summary>
/// <remarks>
/// Returned by <see cref="PluginEngine.Load"/>. Thread-safe. Dispose it (or the engine) when the plugin is
/// removed; calls in progress finish first on their own instances.
/// </remarks>
public sealed class PluginModule : IDisposable
{
    internal const string CommandExport = "_start";

    private readonly HashSet<string> _exportSet;
    private int _disposed;

    internal PluginModule(string sha256, Module module, IReadOnlyList<string> exports, bool isCommand, int instancesPerPlugin)
    {
        Sha256 = sha256;
        ShortName = sha256[..12];
        WasmModule = module;
        Exports = exports;
        IsCommand = isCommand;
        _exportSet = new HashSet<string>(exports, StringComparer.Ordinal);
        ExportList = exports.Count == 0 ? "(none)" : string.Join(", ", exports);
        Pool = new InstancePool(instancesPerPlugin);
    }

    /// <summary>The module's SHA-256, lower-case hex.</summary>
    public string Sha256 { get; }

    /// <summary>Names of the callable exports: functions of type <c>() -> i32</c>.</summary>
    public IReadOnlyList<string> Exports { get; }

    /// <summary>True when the module exports <c>_start</c> (a WASI command); every call then uses a fresh instance.</summary>
    public bool IsCommand { get; }

    /// <summary>The first 12 hex digits of <see cref="Sha256"/>, used in messages.</summary>
    internal string ShortName { get; }

    /// <summary>The name for messages: <c>'name' (short hash)</c> when the caller gave a name, else the short hash.</summary>
    internal string DisplayName(string? pluginName)
    {
        return string.IsNullOrEmpty(pluginName) ? ShortName : $"'{pluginName}' ({ShortName})";
    }

    internal string ExportList { get; }

    internal Module WasmModule { get; }

    internal InstancePool Pool { get; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal bool HasExport(string name)
    {
        return _exportSet.Contains(name);
    }

    /// <summary>Drops the warm instances and releases the compiled module.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Pool.Close();
        WasmModule.Dispose();
    }
}
