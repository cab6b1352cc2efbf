using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace McpZero.Plugins.Internal;

/// <summary>
/// One instantiation of a plugin module in its own Wasmtime store, serving one agent. It is the store's
/// data, so the shared host functions reach the current call through <c>caller.GetData()</c>.
/// </summary>
/// <remarks>
/// Used by one thread at a time, because the pool hands it to a single call. Kernel memory and per-call
/// state are reset at the start of every call. The plugin's linear memory and globals persist, so an
/// instance never serves a second agent.
/// </remarks>
internal sealed class PluginInstance : IDisposable
{
    // Bytes of WASI stdout or stderr kept per stream and call; the rest is counted and dropped.
    private const int MaxStandardStreamBytes = 16 * 1024;

    // One delegate for every store; it finds its instance through the store data.
    private static readonly Store.EpochDeadlineCallback EpochDeadlineReached = OnEpochDeadline;

    private readonly Dictionary<string, Func<int>> _exports = new(StringComparer.Ordinal);
    private readonly StandardStreamBuffer _stdout = new("stdout");
    private readonly StandardStreamBuffer _stderr = new("stderr");
    private Store? _store;
    private Instance? _instance;
    private Memory? _linearMemory;
    private EpochTicker? _ticker;
    private long _appliedMemoryLimit = -1;
    private readonly InstanceMemoryGauge _gauge;

    // Linear memory size last added to the gauge, so the next report adds only the difference.
    private long _reportedLinearMemoryBytes;

    private MemoryBudget? _budget;

    // The fuel last requested from the store and the value the store reported for it.
    private ulong _requestedFuel;
    private ulong _grantedFuel;

    /// <summary>
    /// Creates an instance whose linear memory may grow to <paramref name="memoryReservationBytes"/>. The
    /// reservation goes back to <paramref name="budget"/> on dispose, and a null budget means none was taken.
    /// </summary>
    public PluginInstance(PluginModule module, string agentId, InstanceMemoryGauge gauge, long memoryReservationBytes, MemoryBudget? budget)
    {
        Module = module;
        AgentId = agentId;
        _gauge = gauge;
        MemoryReservationBytes = memoryReservationBytes;
        _budget = budget;
    }

    /// <summary>Bytes of linear memory reserved for this instance. Its store's memory limit never exceeds it.</summary>
    public long MemoryReservationBytes { get; }

    public PluginModule Module { get; }

    /// <summary>The agent this instance serves; it never serves another.</summary>
    public string AgentId { get; }

    public KernelMemory Memory { get; } = new();

    /// <summary>The call in progress, or null between calls.</summary>
    public PluginCall? Call { get; private set; }

    public string? ErrorText { get; set; }

    /// <summary>The plugin as messages name it: the call's plugin name with the short hash, or the short hash.</summary>
    public string DisplayName => Module.DisplayName(Call?.PluginName);

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the current call times out.</summary>
    public long DeadlineTimestamp { get; private set; }

    /// <summary>Size in bytes of the exported linear memory when the current call started; 0 for a fresh instance.</summary>
    public long LinearMemoryBytesAtStart { get; private set; }

    public long InputOffset { get; private set; }

    public long OutputOffset { get; set; }

    public long OutputLength { get; set; }

    /// <summary>Status code of the last <c>http_request</c> response in the current call; 0 before one.</summary>
    public int HttpStatus { get; set; }

    /// <summary>Headers of the last <c>http_request</c> response in the current call as a JSON object; null before one.</summary>
    public byte[]? HttpHeadersJson { get; set; }

    /// <summary>The Extism log level of the current call's logger (trace=0 … error=4, 5 = off), or -1 before it is computed.</summary>
    public int LogLevel { get; set; } = -1;

    /// <summary>The directories preopened for WASI when the instance was created; empty before that.</summary>
    public IReadOnlyList<PluginPathGrant> PathGrants { get; private set; } = [];

    /// <summary>True once the instance must not serve another call (it trapped, or ran a WASI command).</summary>
    public bool IsSpent { get; set; }

    public bool HasStore => _store is not null;

    /// <summary>The fuel the store held when the current call started.</summary>
    public ulong FuelAtStart { get; private set; }

    /// <summary>Returns the fuel used since <see cref="ApplyLimits"/>, 0 before the store exists.</summary>
    public ulong FuelConsumed()
    {
        if (_store is null)
        {
            return 0;
        }

        ulong remaining = _store.Fuel;
        return remaining <= FuelAtStart ? FuelAtStart - remaining : 0;
    }

    public bool IsInstantiated => _instance is not null;

    public Store Store => _store ?? throw new InvalidOperationException("The plugin instance was not instantiated.");

    /// <summary>Resets per-call state and copies the input into kernel memory.</summary>
    /// <param name="call">The call that starts.</param>
    /// <param name="startedTimestamp">The <see cref="Stopwatch"/> timestamp the call's timeout counts from.</param>
    /// <exception cref="PluginException">The input does not fit in the kernel memory limit.</exception>
    public void BeginCall(PluginCall call, long startedTimestamp)
    {
        Call = call;
        DeadlineTimestamp = startedTimestamp + call.Limits.TimeoutMs * Stopwatch.Frequency / 1000;
        // Linear memory changes only while guest code runs, so its size now is the size recorded at
        // the end of the previous call (0 before the first). Reusing it saves a native call.
        LinearMemoryBytesAtStart = _reportedLinearMemoryBytes;
        ErrorText = null;
        OutputOffset = 0;
        OutputLength = 0;
        LogLevel = -1;
        HttpStatus = 0;
        HttpHeadersJson = null;
        Memory.Reset(call.Limits.MaxMemoryBytes);
        _stdout.Clear();
        _stderr.Clear();

        InputOffset = Memory.AllocCopy(call.Input.Span);
        if (InputOffset == 0 && call.Input.Length > 0)
        {
            throw new PluginException(PluginErrorKind.OutOfMemory,
                $"Plugin {DisplayName} method '{call.Method}' for agent '{AgentId}': the input of {call.Input.Length} bytes does not fit in kernel memory of {call.Limits.MaxMemoryBytes} bytes; send a smaller input or raise MaxMemoryBytes.");
        }
    }

    /// <summary>Writes buffered stdout and stderr to the call's logger and clears the current call.</summary>
    public void EndCall()
    {
        PluginCall? call = Call;
        if (call?.Log is { } logger)
        {
            string plugin = call.PluginName ?? Module.ShortName;
            _stdout.Flush(logger, plugin, AgentId);
            _stderr.Flush(logger, plugin, AgentId);
        }

        Call = null;
        ReportLinearMemory();
    }

    /// <summary>Creates the store and instance and runs the initialisers, under the current call's limits.</summary>
    public void Instantiate(Engine engine, Linker linker, PluginLimits limits, EpochTicker ticker)
    {
        _store = new Store(engine, this);
        _gauge.InstanceCreated();
        _ticker = ticker;
        _store.SetEpochDeadlineCallback(EpochDeadlineReached);
        ApplyLimits(limits);

        WasiConfiguration wasi = new WasiConfiguration()
            .WithStandardOutputCallback(_stdout.Append)
            .WithStandardErrorCallback(_stderr.Append);
        PathGrants = Call?.AllowedPaths ?? [];
        foreach (PluginPathGrant grant in PathGrants)
        {
            // Wasmtime opens the directory when the configuration is applied, so a missing one fails there.
            wasi.WithPreopenedDirectory(grant.HostPath, grant.GuestPath, grant.Writable);
        }

        try
        {
            _store.SetWasiConfiguration(wasi);
        }
        catch (InvalidOperationException exception) when (PathGrants.Count > 0)
        {
            // wasmtime-dotnet 50 reports a directory it cannot open as "Failed to preopen directory 'PATH'."
            throw new PluginException(PluginErrorKind.Linking,
                $"Plugin {DisplayName}: allowed_paths cannot be preopened for WASI: {exception.Message} Create the directory or change allowed_paths in the plugin's manifest.", exception);
        }

        _instance = linker.Instantiate(_store, Module.WasmModule);
        _linearMemory = _instance.GetMemory("memory");
        RunInitialisers(_instance);
    }

    /// <summary>Sets the memory limit, fuel and epoch deadline of the current call for the next piece of guest code.</summary>
    public void ApplyLimits(PluginLimits limits)
    {
        Store store = Store;
        long memoryLimit = Math.Min(limits.MaxMemoryBytesInPages, MemoryReservationBytes);
        if (memoryLimit != _appliedMemoryLimit)
        {
            store.SetLimits(memorySize: memoryLimit);
            _appliedMemoryLimit = memoryLimit;
        }

        // Wasmtime may clamp the fuel it accepts, so the value read back is the start for FuelConsumed.
        // The clamp depends only on the requested value, so a repeated request reuses the last reading.
        store.Fuel = limits.Fuel;
        if (limits.Fuel != _requestedFuel)
        {
            _grantedFuel = store.Fuel;
            _requestedFuel = limits.Fuel;
        }

        FuelAtStart = _grantedFuel;
        store.SetEpochDeadline(NextCheckTicks(_ticker!, DeadlineTimestamp));
    }

    /// <summary>Calls an export of type <c>() -> i32</c>, or <c>_start</c> (which returns 0 when it returns).</summary>
    public int Invoke(string method)
    {
        Instance instance = _instance ?? throw new InvalidOperationException("The plugin instance was not instantiated.");
        if (method == PluginModule.CommandExport)
        {
            // A WASI command de-initialises itself when _start returns, so the instance is used up.
            IsSpent = true;
            Action start = instance.GetAction(PluginModule.CommandExport)
                ?? throw new PluginException(PluginErrorKind.MissingExport, $"Plugin {DisplayName} has no _start export of type () -> ().");
            start();
            return 0;
        }

        if (!_exports.TryGetValue(method, out Func<int>? function))
        {
            function = instance.GetFunction<int>(method)
                ?? throw new PluginException(PluginErrorKind.MissingExport,
                    $"Plugin {DisplayName} has no export '{method}' of type () -> i32; callable exports: {Module.ExportList}.");
            _exports.Add(method, function);
        }

        return function();
    }

    /// <summary>Returns the current size in bytes of the plugin's exported memory, or -1 when it exports none.</summary>
    public long GetLinearMemoryBytes()
    {
        return _linearMemory?.GetLength() ?? -1;
    }

    public void Dispose()
    {
        if (_store is not null)
        {
            _gauge.AddLinearMemory(-_reportedLinearMemoryBytes);
            _reportedLinearMemoryBytes = 0;
            _gauge.InstanceDisposed();
        }

        // The exchange keeps a second Dispose from releasing the reservation again.
        Interlocked.Exchange(ref _budget, null)?.Release(MemoryReservationBytes);
        _store?.Dispose();
        _store = null;
        _instance = null;
        _linearMemory = null;
        _exports.Clear();
    }

    private void ReportLinearMemory()
    {
        if (_store is null)
        {
            return;
        }

        long bytes = Math.Max(GetLinearMemoryBytes(), 0);
        _gauge.AddLinearMemory(bytes - _reportedLinearMemoryBytes);
        _reportedLinearMemoryBytes = bytes;
    }

    /// <summary>
    /// Runs when guest code reaches the store's epoch deadline: stops the call once its own deadline has
    /// passed, or else sets the next check.
    /// </summary>
    /// <remarks>
    /// The exception ends the guest code. wasmtime-dotnet attaches it as the inner exception of the
    /// exception the call throws, and the engine words the message with the time the call really ran.
    /// </remarks>
    // A long deadline is still checked every MaxTicksBetweenChecks ticks, so a cancelled call stops
    // within about 100 ms at the default 5 ms tick instead of at its deadline.
    private const ulong MaxTicksBetweenChecks = 20;

    private static ulong NextCheckTicks(EpochTicker ticker, long deadlineTimestamp) =>
        Math.Min(ticker.TicksUntil(deadlineTimestamp), MaxTicksBetweenChecks);

    private static ulong OnEpochDeadline(Store store)
    {
        if (store.GetData() is not PluginInstance { Call: not null, _ticker: { } ticker } instance)
        {
            throw new HostTrapException(PluginErrorKind.Timeout, "timed out: the epoch deadline was reached outside a plugin call.");
        }

        if (instance.Call.Cancellation.IsCancellationRequested)
        {
            throw new HostTrapException(PluginErrorKind.Cancelled, "cancelled by the host.");
        }

        if (Stopwatch.GetTimestamp() >= instance.DeadlineTimestamp)
        {
            throw new HostTrapException(PluginErrorKind.Timeout, "timed out.");
        }

        return NextCheckTicks(ticker, instance.DeadlineTimestamp);
    }

    private void RunInitialisers(Instance instance)
    {
        // Extism's order: hs_init (after _initialize when both exist), else __wasm_call_ctors, else _initialize.
        Function? hsInit = instance.GetFunction("hs_init");
        if (hsInit is not null)
        {
            instance.GetAction("_initialize")?.Invoke();
            CallHaskellInit(instance, hsInit);
            return;
        }

        Action? constructors = instance.GetAction("__wasm_call_ctors");
        if (constructors is not null)
        {
            constructors();
            return;
        }

        instance.GetAction("_initialize")?.Invoke();
    }

    private void CallHaskellInit(Instance instance, Function hsInit)
    {
        // GHC's hs_init takes (argc, argv); some builds export it without parameters.
        if (hsInit.Parameters.Count == 2)
        {
            Action<int, int> init = instance.GetAction<int, int>("hs_init")
                ?? throw new PluginException(PluginErrorKind.Linking, $"Plugin {DisplayName}: hs_init has an unsupported type; expected (i32, i32) -> () or () -> ().");
            init(0, 0);
            return;
        }

        Action initWithoutArguments = instance.GetAction("hs_init")
            ?? throw new PluginException(PluginErrorKind.Linking, $"Plugin {DisplayName}: hs_init has an unsupported type; expected (i32, i32) -> () or () -> ().");
        initWithoutArguments();
    }

    /// <summary>
    /// Collects what the guest writes to a WASI standard stream. Wasmtime calls <see cref="Append"/> on
    /// its own thread while the calling thread waits, hence the lock, which is never held around guest code.
    /// </summary>
    private sealed class StandardStreamBuffer(string name)
    {
        private readonly Lock _lock = new();
        private readonly byte[] _bytes = new byte[MaxStandardStreamBytes];
        private int _length;
        private long _droppedBytes;

        public void Append(ReadOnlySpan<byte> data)
        {
            // An exception here would close the guest's stream for the life of the store, so none escapes.
            try
            {
                lock (_lock)
                {
                    int room = _bytes.Length - _length;
                    int copied = Math.Min(room, data.Length);
                    data[..copied].CopyTo(_bytes.AsSpan(_length));
                    _length += copied;
                    _droppedBytes += data.Length - copied;
                }
            }
            catch (Exception)
            {
                // Nothing to report to: the stream content is best-effort diagnostics.
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                _length = 0;
                _droppedBytes = 0;
            }
        }

        public void Flush(ILogger logger, string plugin, string agentId)
        {
            string text;
            lock (_lock)
            {
                if (_length == 0 && _droppedBytes == 0)
                {
                    return;
                }

                text = Encoding.UTF8.GetString(_bytes, 0, _length).TrimEnd('\n');
                if (_droppedBytes > 0)
                {
                    text += $" [{_droppedBytes} more bytes dropped]";
                }

                _length = 0;
                _droppedBytes = 0;
            }

            PluginLog.PluginStandardStream(logger, plugin, agentId, name, text);
        }
    }
}
