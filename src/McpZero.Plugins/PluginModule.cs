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

    // Calls in progress on this module, or -1 once it is retired and no call may start.
    private int _activeCalls;

    // Environment.TickCount64 when the latest call ended, or when the module was loaded.
    private long _lastUsedTicks = Environment.TickCount64;

    // Tells the engine to stop tracking the module, so its loaded-module count stays right.
    private readonly Action<PluginModule>? _onDisposed;

    internal PluginModule(string sha256, Module module, IReadOnlyList<string> exports, bool isCommand, int instancesPerPlugin, Action<PluginModule>? onDisposed = null)
    {
        _onDisposed = onDisposed;
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

    /// <summary>
    /// True once the module was disposed: unloaded after being idle, removed, or released with its
    /// engine. Load it again with <see cref="PluginEngine.Load"/> to call it.
    /// </summary>
    public bool IsUnloaded => IsDisposed;

    /// <summary>Milliseconds since the latest call on this module ended, or since it was loaded.</summary>
    internal long IdleMilliseconds => Volatile.Read(ref _activeCalls) == 0 ? Environment.TickCount64 - Volatile.Read(ref _lastUsedTicks) : 0;

    /// <summary>Counts a call in progress; returns false when the module is retired or disposed.</summary>
    internal bool TryBeginCall()
    {
        while (true)
        {
            int active = Volatile.Read(ref _activeCalls);
            if (active < 0 || IsDisposed)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _activeCalls, active + 1, active) == active)
            {
                return true;
            }
        }
    }

    /// <summary>Ends a call counted by <see cref="TryBeginCall"/>.</summary>
    internal void EndCall()
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        Interlocked.Decrement(ref _activeCalls);
    }

    /// <summary>
    /// Marks the module retired when no call is in progress, so that no call starts on it again;
    /// returns false while a call runs.
    /// </summary>
    internal bool TryRetire()
    {
        return Interlocked.CompareExchange(ref _activeCalls, -1, 0) == 0;
    }

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
        _onDisposed?.Invoke(this);
    }
}
