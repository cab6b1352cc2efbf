namespace McpZero.Plugins;

/// <summary>
/// Limits applied to every plugin call.
/// </summary>
/// <remarks>
/// <see cref="MaxMemoryBytes"/> caps the plugin's linear memory and, separately, the host-side kernel
/// memory of the call. Linear memory grows in 64 KiB WebAssembly pages, so the limit is rounded down to
/// whole pages and must be at least one page (65536 bytes).
/// </remarks>
public sealed record PluginLimits
{
    /// <summary>Size of a WebAssembly page in bytes.</summary>
    public const long WasmPageBytes = 65536;

    private readonly int _timeoutMs;
    private readonly ulong _fuel;
    private readonly long _maxMemoryBytes;
    private readonly long _maxVariableBytes;
    private readonly int _maxOutputBytes;
    private readonly long _maxHttpResponseBytes = DefaultMaxHttpResponseBytes;

    /// <summary>Creates limits; every value must be positive and the memory limit at least one page.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public PluginLimits(int TimeoutMs, ulong Fuel, long MaxMemoryBytes, long MaxVariableBytes, int MaxOutputBytes)
    {
        this.TimeoutMs = TimeoutMs;
        this.Fuel = Fuel;
        this.MaxMemoryBytes = MaxMemoryBytes;
        this.MaxVariableBytes = MaxVariableBytes;
        this.MaxOutputBytes = MaxOutputBytes;
    }

    /// <summary>5 s, 10^9 fuel, 64 MiB of memory, 1 MiB of variables, 4 MiB of output.</summary>
    public static PluginLimits Default { get; } = new(5_000, 1_000_000_000, 64 << 20, 1 << 20, 4 << 20);

    /// <summary>Wall-clock limit of a call in milliseconds, counted from the start of the call.</summary>
    /// <remarks>
    /// The limit is checked at epoch ticks (<see cref="PluginEngineOptions.EpochTickMilliseconds"/>, 5 ms by
    /// default), so a call that runs too long stops within about one tick after the limit, never before it.
    /// Wasmtime checks the epoch only while wasm code runs (at function entries and loop headers). A call
    /// that is inside a host function when the limit passes, or is copying its input or output, runs on
    /// until it is back in wasm code, or to its end.
    /// </remarks>
    public int TimeoutMs
    {
        get => _timeoutMs;
        init => _timeoutMs = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TimeoutMs), value, $"TimeoutMs {value} must be at least 1 millisecond.");
    }

    /// <summary>WebAssembly fuel available to a call (about one unit per instruction).</summary>
    public ulong Fuel
    {
        get => _fuel;
        init => _fuel = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Fuel), value, "Fuel 0 would stop every call at its first instruction; set at least 1.");
    }

    /// <summary>Maximum size in bytes of the plugin's linear memory, and of the call's kernel memory.</summary>
    public long MaxMemoryBytes
    {
        get => _maxMemoryBytes;
        init => _maxMemoryBytes = value >= WasmPageBytes
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxMemoryBytes), value,
                $"MaxMemoryBytes {value} is below one 64 KiB WebAssembly page; set at least {WasmPageBytes}.");
    }

    /// <summary>Maximum total size of the agent's variables (UTF-8 keys plus values) after a <c>var_set</c>.</summary>
    public long MaxVariableBytes
    {
        get => _maxVariableBytes;
        init => _maxVariableBytes = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxVariableBytes), value, $"MaxVariableBytes {value} must not be negative.");
    }

    /// <summary>Maximum size of a call's output in bytes.</summary>
    public int MaxOutputBytes
    {
        get => _maxOutputBytes;
        init => _maxOutputBytes = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxOutputBytes), value, $"MaxOutputBytes {value} must not be negative.");
    }

    /// <summary>
    /// Default of <see cref="MaxHttpResponseBytes"/>: 4 MiB. Extism's own runtime defaults to 50 MiB, but
    /// here a response is buffered in the GC heap (256 MiB in the daemon) before it is copied to kernel
    /// memory, and several calls may do that at once.
    /// </summary>
    public const long DefaultMaxHttpResponseBytes = 4 << 20;

    /// <summary>Maximum size in bytes of one response body that <c>http_request</c> reads; a larger one fails the call.</summary>
    /// <remarks>The body must also fit in the call's kernel memory (<see cref="MaxMemoryBytes"/>).</remarks>
    public long MaxHttpResponseBytes
    {
        get => _maxHttpResponseBytes;
        init => _maxHttpResponseBytes = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxHttpResponseBytes), value, $"MaxHttpResponseBytes {value} must not be negative.");
    }

    /// <summary>The linear-memory limit rounded down to whole 64 KiB pages, in bytes.</summary>
    public long MaxMemoryBytesInPages => MaxMemoryBytes / WasmPageBytes * WasmPageBytes;

    /// <summary>Deconstructs the limits in constructor order.</summary>
    public void Deconstruct(out int TimeoutMs, out ulong Fuel, out long MaxMemoryBytes, out long MaxVariableBytes, out int MaxOutputBytes)
    {
        TimeoutMs = this.TimeoutMs;
        Fuel = this.Fuel;
        MaxMemoryBytes = this.MaxMemoryBytes;
        MaxVariableBytes = this.MaxVariableBytes;
        MaxOutputBytes = this.MaxOutputBytes;
    }
}
