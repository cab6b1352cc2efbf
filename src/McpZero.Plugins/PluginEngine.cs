using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using McpZero.Plugins.Internal;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace McpZero.Plugins;

/// <summary>
/// Hosts WebAssembly plugins that follow the Extism ABI: compiles and caches modules, keeps warm
/// instances per agent and runs calls under time, fuel and memory limits.
/// </summary>
/// <remarks>
/// Thread-safe: calls on different instances run concurrently. The first engine in a process loads the
/// embedded libwasmtime.so (about 24 MB once decompressed, in an anonymous in-memory file).
/// </remarks>
public sealed class PluginEngine : IDisposable
{
    private const string WasiModuleName = "wasi_snapshot_preview1";

    private readonly PluginEngineOptions _options;
    private readonly ILogger<PluginEngine> _logger;
    private readonly Engine _engine;
    private readonly Linker _linker;
    private readonly ModuleCache _cache;
    private readonly EpochTicker _ticker;
    private readonly ConcurrentDictionary<PluginModule, byte> _modules = new();
    private readonly InstanceMemoryGauge _instanceGauge = new();
    private long _modulesCompiled;
    private long _modulesLoadedFromCache;
    private long _cacheMisses;
    private long _instancesReused;
    private long _instancesCreated;
    private long _modulesUnloaded;
    private readonly Timer? _idleSweep;
    private readonly Action<PluginModule> _forgetModule;
    private int _disposed;

    /// <summary>Creates an engine; loads the native library on first use and creates the cache directory.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The embedded Wasmtime library failed to load.</exception>
    public PluginEngine(PluginEngineOptions options, ILogger<PluginEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ValidateOptions(options);
        _options = options;
        _logger = logger;
        _forgetModule = module => _modules.TryRemove(module, out _);

        WasmtimeNativeLibrary.EnsureLoaded();

        using (Config config = new Config()
            .WithFuelConsumption(true)
            .WithEpochInterruption(true)
            .WithOptimizationLevel(OptimizationLevel.Speed)
            // Compiling on the calling thread keeps Cranelift off a thread pool of its own, whose
            // threads would each hold a glibc malloc arena and a stack for the life of the daemon.
            // Modules are compiled once at install and then loaded from the cache, so speed matters little.
            .WithParallelCompilation(false))
        {
            _engine = new Engine(config);
        }

        _linker = new Linker(_engine);
        _linker.DefineWasi();
        HostFunctions.Define(_linker);

        // Any setting that changes the generated code must be part of this text, so that changing it
        // invalidates the compiled-module cache.
        _cache = new ModuleCache(options.CacheDirectory, $"wasmtime={WasmtimeVersion};fuel=on;epoch=on;opt=speed;target=x86_64-linux");
        _ticker = new EpochTicker(_engine, options.EpochTickMilliseconds);
        if (options.IdleUnloadAfter > TimeSpan.Zero)
        {
            TimeSpan period = IdleSweepPeriod(options.IdleUnloadAfter);
            _idleSweep = new Timer(static state => ((PluginEngine)state!).UnloadIdleModules(), this, period, period);
        }

        PluginLog.EngineStarted(_logger, WasmtimeVersion, _cache.DirectoryPath, options.InstancesPerPlugin, options.EpochTickMilliseconds);
    }

    /// <summary>The version of the Wasmtime runtime, part of the compiled-module cache key.</summary>
    public static string WasmtimeVersion => "50.0.1";

    /// <summary>Modules compiled from WebAssembly since the engine started.</summary>
    public long ModulesCompiled => Interlocked.Read(ref _modulesCompiled);

    /// <summary>Modules loaded from the compiled-module cache since the engine started.</summary>
    public long ModulesLoadedFromCache => Interlocked.Read(ref _modulesLoadedFromCache);

    /// <summary>Module loads that found no usable entry in the compiled-module cache and compiled the module.</summary>
    public long ModuleCacheMisses => Interlocked.Read(ref _cacheMisses);

    /// <summary>Calls that reused their agent's warm instance.</summary>
    public long InstancesReused => Interlocked.Read(ref _instancesReused);

    /// <summary>Calls that created a new instance, because the agent had no idle warm one.</summary>
    public long InstancesCreated => Interlocked.Read(ref _instancesCreated);

    /// <summary>Compiled modules held in memory now, by every loader of this engine.</summary>
    public int LoadedModules => _modules.Count;

    /// <summary>Modules unloaded since the engine started, after being idle or by <see cref="TryUnload"/>.</summary>
    public long ModulesUnloaded => Interlocked.Read(ref _modulesUnloaded);

    /// <summary>Instances that exist now, idle in a pool or running a call.</summary>
    public long LiveInstances => _instanceGauge.Instances;

    /// <summary>
    /// Sum of the linear memory sizes of the live instances, in bytes, as of the end of each one's
    /// latest call. A call in progress that grows its memory counts once it ends.
    /// </summary>
    public long LinearMemoryBytes => _instanceGauge.LinearMemoryBytes;

    /// <summary>
    /// Validates and compiles <paramref name="wasm"/>, or loads its compiled form from the cache, and
    /// returns a module handle. The caller disposes it.
    /// </summary>
    /// <param name="sha256Hex">SHA-256 of <paramref name="wasm"/> as 64 hex digits; it is checked.</param>
    /// <param name="wasm">The WebAssembly binary.</param>
    /// <exception cref="PluginException">
    /// <see cref="PluginErrorKind.InvalidModule"/> with Wasmtime's reason, or when the hash differs;
    /// <see cref="PluginErrorKind.Linking"/> when the module imports a function this host does not define.
    /// The message is one line that states only the cause (for example "unexpected end-of-file (at offset
    /// 0xa)"), so the caller prefixes the plugin's name.
    /// </exception>
    public PluginModule Load(string sha256Hex, ReadOnlyMemory<byte> wasm)
    {
        return LoadCore(sha256Hex, wasm.Span);
    }

    /// <summary>
    /// Compile-only validation for install time; the same as <see cref="Load"/>, and it fills the cache
    /// so the next load is fast. The caller disposes the returned module.
    /// </summary>
    /// <exception cref="PluginException">See <see cref="Load"/>.</exception>
    public PluginModule Compile(string sha256Hex, ReadOnlySpan<byte> wasm)
    {
        return LoadCore(sha256Hex, wasm);
    }

    /// <summary>
    /// Calls <see cref="PluginCall.Method"/> of <paramref name="module"/> for <see cref="PluginCall.AgentId"/>
    /// and returns its output. Synchronous and thread-safe.
    /// </summary>
    /// <remarks>
    /// The agent's warm instance is reused when there is one; otherwise a fresh instance is created and
    /// initialised within this call's limits. After a trap, timeout or WASI command the instance is
    /// discarded. Variables changed by the plugin stay changed even when the call fails afterwards.
    /// </remarks>
    /// <exception cref="PluginException">Every failure of the call; <see cref="PluginException.Kind"/> gives the cause.</exception>
    /// <exception cref="ObjectDisposedException">
    /// The engine or the module was disposed. When <see cref="PluginModule.IsUnloaded"/> is true, the
    /// call did not start, so the caller can load the module again and repeat it.
    /// </exception>
    public PluginCallResult Call(PluginModule module, PluginCall call)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(call);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!module.TryBeginCall())
        {
            throw new ObjectDisposedException(nameof(PluginModule), $"Plugin {module.DisplayName(call.PluginName)} was unloaded; load it again to call it.");
        }

        try
        {
            return CallCore(module, call);
        }
        finally
        {
            module.EndCall();
        }
    }

    private PluginCallResult CallCore(PluginModule module, PluginCall call)
    {
        string method = call.Method;
        bool callable = method == PluginModule.CommandExport ? module.IsCommand : module.HasExport(method);
        if (!callable)
        {
            throw new PluginException(PluginErrorKind.MissingExport,
                $"Plugin {module.DisplayName(call.PluginName)} has no export '{method}' of type () -> i32; callable exports: {module.ExportList}.");
        }

        long started = Stopwatch.GetTimestamp();
        PluginInstance? instance = module.IsCommand ? null : module.Pool.TryRent(call.AgentId);
        if (instance is not null && !instance.PathGrants.SequenceEqual(call.AllowedPaths))
        {
            // The preopened directories are fixed when an instance is created, so a changed
            // allowed_paths needs a new instance.
            PluginLog.InstanceDiscarded(_logger, module.ShortName, call.AgentId, "allowed_paths changed");
            instance.Dispose();
            instance = null;
        }

        bool isFresh = instance is null;

        // When the agent's warm instance is busy with another of its calls, or was evicted, this call
        // creates a new instance. InstancesPerPlugin caps only the idle ones kept afterwards, and the memory
        // budget caps the linear memory of all of them together.
        instance ??= CreateInstance(module, call, started);
        Interlocked.Increment(ref isFresh ? ref _instancesCreated : ref _instancesReused);
        bool keep = false;

        _ticker.Enter();
        try
        {
            instance.BeginCall(call, started);
            if (isFresh)
            {
                instance.Instantiate(_engine, _linker, call.Limits, _ticker);
            }
            else
            {
                instance.ApplyLimits(call.Limits);
            }

            int returnCode = instance.Invoke(method);
            keep = true;
            return Complete(instance, call, returnCode, started);
        }
        catch (WasmtimeException exception) when (exception.ExitCode == 0)
        {
            // proc_exit(0) ends a WASI program successfully, but leaves the instance unusable.
            return Complete(instance, call, 0, started);
        }
        catch (WasmtimeException exception)
        {
            throw Classify(instance, call, exception, isFresh, started);
        }
        catch (PluginException exception) when (exception.Duration == TimeSpan.Zero)
        {
            throw new PluginException(exception.Kind, exception.Message, exception.InnerException)
            {
                Duration = Stopwatch.GetElapsedTime(started),
                FuelConsumed = instance.FuelConsumed(),
            };
        }
        finally
        {
            _ticker.Exit();
            instance.EndCall();
            Release(instance, keep);
        }
    }

    /// <summary>The engine's memory budget, or null when it has none.</summary>
    public MemoryBudget? MemoryBudget => _options.MemoryBudget;

    /// <summary>Drops the warm instances of <paramref name="module"/>; the module stays usable.</summary>
    public void Unload(PluginModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        int dropped = module.Pool.Clear();
        PluginLog.ModuleUnloaded(_logger, module.ShortName, dropped);
    }

    /// <summary>
    /// Disposes <paramref name="module"/> and its warm instances when no call runs on it, and returns
    /// true. While a call runs it only drops the idle instances and returns false; the idle sweep
    /// unloads the module later, when <see cref="PluginEngineOptions.IdleUnloadAfter"/> is set.
    /// </summary>
    public bool TryUnload(PluginModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!module.TryRetire())
        {
            Unload(module);
            return false;
        }

        RetireModule(module);
        return true;
    }

    /// <summary>
    /// Unloads every module that no call has used for <see cref="PluginEngineOptions.IdleUnloadAfter"/>;
    /// returns how many. The engine's timer runs it; it does nothing when that option is zero.
    /// </summary>
    public int UnloadIdleModules()
    {
        if (_options.IdleUnloadAfter <= TimeSpan.Zero)
        {
            return 0;
        }

        return UnloadIdleModules((long)_options.IdleUnloadAfter.TotalMilliseconds);
    }

    /// <summary>Unloads every module with no call in progress and none for <paramref name="idleMilliseconds"/>; returns how many.</summary>
    internal int UnloadIdleModules(long idleMilliseconds)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return 0;
        }

        int unloaded = 0;
        foreach (PluginModule module in _modules.Keys)
        {
            if (module.IdleMilliseconds >= idleMilliseconds && module.TryRetire())
            {
                RetireModule(module);
                unloaded++;
            }
        }

        if (unloaded > 0)
        {
            // Compiled code and stores live in native memory, so trimming the heap returns their pages to the kernel.
            NativeHeap.Trim();
            PluginLog.IdleModulesUnloaded(_logger, unloaded, idleMilliseconds / 1000, _modules.Count);
        }

        return unloaded;
    }

    private void RetireModule(PluginModule module)
    {
        _modules.TryRemove(module, out _);
        int instances = module.Pool.IdleCount;
        module.Dispose();
        Interlocked.Increment(ref _modulesUnloaded);
        PluginLog.ModuleUnloaded(_logger, module.ShortName, instances);
    }

    // Checks several times per idle period, so a module goes at most a quarter period late, but
    // never more often than every 100 ms or less often than every minute.
    private static TimeSpan IdleSweepPeriod(TimeSpan idleUnloadAfter)
    {
        long milliseconds = Math.Clamp((long)idleUnloadAfter.TotalMilliseconds / 4, 100, 60_000);
        return TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>Stops the epoch thread and releases every module and instance of this engine.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _idleSweep?.Dispose();
        _ticker.Dispose();
        foreach (PluginModule module in _modules.Keys.ToArray())
        {
            module.Dispose();
        }

        _modules.Clear();
        _linker.Dispose();
        _engine.Dispose();
    }

    private static void ValidateOptions(PluginEngineOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CacheDirectory))
        {
            throw new ArgumentException("PluginEngineOptions.CacheDirectory is empty; set it to a writable directory for compiled modules.", nameof(options));
        }

        if (options.InstancesPerPlugin < 0)
        {
            throw new ArgumentException($"PluginEngineOptions.InstancesPerPlugin is {options.InstancesPerPlugin}; set 0 or more.", nameof(options));
        }

        if (options.IdleUnloadAfter < TimeSpan.Zero)
        {
            throw new ArgumentException($"PluginEngineOptions.IdleUnloadAfter is {options.IdleUnloadAfter}; set zero (never unload) or a positive time.", nameof(options));
        }

        if (options.EpochTickMilliseconds < 1)
        {
            throw new ArgumentException($"PluginEngineOptions.EpochTickMilliseconds is {options.EpochTickMilliseconds}; set 1 or more.", nameof(options));
        }
    }

    private PluginModule LoadCore(string sha256Hex, ReadOnlySpan<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(sha256Hex);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        string sha256 = NormalizeSha256(sha256Hex);
        string actual = Convert.ToHexStringLower(SHA256.HashData(wasm));
        if (actual != sha256)
        {
            throw new PluginException(PluginErrorKind.InvalidModule,
                $"the module's SHA-256 is {actual}, not the expected {sha256}; install the module again from its source.");
        }

        string cachePath = _cache.PathFor(sha256);
        Module? module = TryLoadCached(sha256, cachePath);
        if (module is null)
        {
            Interlocked.Increment(ref _cacheMisses);
            module = CompileAndCache(sha256, wasm, cachePath);
        }

        try
        {
            CheckImports(module);
            var pluginModule = new PluginModule(sha256, module, ListCallableExports(module), IsCommand(module), _options.InstancesPerPlugin, _forgetModule);
            _modules.TryAdd(pluginModule, 0);
            return pluginModule;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    private Module? TryLoadCached(string sha256, string cachePath)
    {
        try
        {
            byte[]? compiled = _cache.TryRead(cachePath);
            if (compiled is null)
            {
                return null;
            }

            Module module = Module.Deserialize(_engine, sha256, compiled);
            Interlocked.Increment(ref _modulesLoadedFromCache);
            PluginLog.ModuleLoadedFromCache(_logger, sha256[..12], cachePath);
            return module;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException or WasmtimeException)
        {
            PluginLog.CacheEntryInvalid(_logger, exception, sha256[..12], cachePath);
            ModuleCache.TryDelete(cachePath);
            return null;
        }
    }

    private Module CompileAndCache(string sha256, ReadOnlySpan<byte> wasm, string cachePath)
    {
        long started = Stopwatch.GetTimestamp();
        string? invalid = Module.Validate(_engine, wasm);
        if (invalid is not null)
        {
            throw new PluginException(PluginErrorKind.InvalidModule, WasmtimeErrorText.Summarize(invalid));
        }

        Module module;
        try
        {
            module = Module.FromBytes(_engine, sha256, wasm);
        }
        catch (WasmtimeException exception)
        {
            throw new PluginException(PluginErrorKind.InvalidModule, $"compilation failed: {WasmtimeErrorText.Summarize(exception.Message)}", exception);
        }

        Interlocked.Increment(ref _modulesCompiled);
        try
        {
            _cache.Write(cachePath, module.Serialize());
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            PluginLog.CacheWriteFailed(_logger, exception, sha256[..12], cachePath);
        }

        // Cranelift has freed its working memory by now, but glibc keeps it in its arenas until malloc_trim.
        NativeHeap.Trim();
        PluginLog.ModuleCompiled(_logger, sha256[..12], (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, cachePath);
        return module;
    }

    private static string NormalizeSha256(string sha256Hex)
    {
        if (sha256Hex.Length != 64 || !sha256Hex.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"'{sha256Hex}' is not a SHA-256: expected 64 hex digits.", nameof(sha256Hex));
        }

        return sha256Hex.ToLowerInvariant();
    }

    private static void CheckImports(Module module)
    {
        foreach (Import import in module.Imports)
        {
            bool isHostFunction = (import.ModuleName == HostFunctions.ModuleName && HostFunctions.Names.Contains(import.Name))
                || (import.ModuleName == HostFunctions.UserModuleName && HostFunctions.UserNames.Contains(import.Name));
            if (isHostFunction || import.ModuleName == WasiModuleName)
            {
                continue;
            }

            throw new PluginException(PluginErrorKind.Linking,
                $"the module imports '{import.ModuleName}' '{import.Name}', which this host does not define; rebuild the plugin without that import.");
        }
    }

    private static List<string> ListCallableExports(Module module)
    {
        var exports = new List<string>();
        foreach (Export export in module.Exports)
        {
            if (export is FunctionExport function
                && function.Parameters.Count == 0
                && function.Results.Count == 1
                && function.Results[0] == ValueKind.Int32)
            {
                exports.Add(function.Name);
            }
        }

        return exports;
    }

    private static bool IsCommand(Module module)
    {
        foreach (Export export in module.Exports)
        {
            if (export is FunctionExport && export.Name == PluginModule.CommandExport)
            {
                return true;
            }
        }

        return false;
    }

    private static PluginCallResult Complete(PluginInstance instance, PluginCall call, int returnCode, long started)
    {
        ulong fuel = instance.FuelConsumed();

        // The message prefix is built only on the error paths, so a successful call allocates no string.
        if (instance.ErrorText is not null || returnCode != 0)
        {
            string cause = instance.ErrorText ?? $"plugin returned {returnCode}";
            throw new PluginException(PluginErrorKind.PluginError, $"{Describe(instance, call)} failed: {cause}")
            {
                Duration = Stopwatch.GetElapsedTime(started),
                FuelConsumed = fuel,
            };
        }

        if (instance.OutputLength > call.Limits.MaxOutputBytes)
        {
            throw new PluginException(PluginErrorKind.OutputTooLarge,
                $"{Describe(instance, call)} set an output of {instance.OutputLength} bytes, over the limit of {call.Limits.MaxOutputBytes}; raise MaxOutputBytes or return less.")
            {
                Duration = Stopwatch.GetElapsedTime(started),
                FuelConsumed = fuel,
            };
        }

        byte[] output;
        try
        {
            output = instance.OutputLength == 0
                ? []
                : instance.Memory.GetRange(instance.OutputOffset, instance.OutputLength, "output_set").ToArray();
        }
        catch (HostTrapException exception)
        {
            instance.IsSpent = true;
            throw new PluginException(PluginErrorKind.Trap, $"{Describe(instance, call)} freed its output before returning: {exception.Message}")
            {
                Duration = Stopwatch.GetElapsedTime(started),
                FuelConsumed = fuel,
            };
        }

        return new PluginCallResult(output, Stopwatch.GetElapsedTime(started), fuel);
    }

    private static PluginException Classify(PluginInstance instance, PluginCall call, WasmtimeException exception, bool isFresh, long started)
    {
        instance.IsSpent = true;
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        PluginLimits limits = call.Limits;
        string context = Describe(instance, call);
        (PluginErrorKind kind, string cause) = exception switch
        {
            { InnerException: HostTrapException { Kind: PluginErrorKind.Timeout } } or TrapException { Type: TrapCode.Interrupt } =>
                (PluginErrorKind.Timeout, $"timed out: limit {limits.TimeoutMs} ms, ran {(long)elapsed.TotalMilliseconds} ms"),
            { InnerException: HostTrapException { Kind: PluginErrorKind.Cancelled } } =>
                (PluginErrorKind.Cancelled, $"cancelled by the host after {(long)elapsed.TotalMilliseconds} ms"),
            { InnerException: HostTrapException host } => (host.Kind, host.Message),
            { InnerException: { } inner } => (PluginErrorKind.Trap, $"a host function failed: {inner.Message}"),
            { ExitCode: int code } => (PluginErrorKind.PluginError, $"plugin exited with code {code}"),
            TrapException { Type: TrapCode.OutOfFuel } => (PluginErrorKind.OutOfFuel, $"ran out of fuel after {limits.Fuel} units"),
            TrapException { Type: TrapCode.StackOverflow } => (PluginErrorKind.Trap, $"trapped: {WasmtimeErrorText.DescribeTrap(exception.Message)}"),
            TrapException when ReachedMemoryLimitInCall(instance, limits) =>
                (PluginErrorKind.OutOfMemory, $"trapped with its memory at the limit of {limits.MaxMemoryBytesInPages} bytes: {WasmtimeErrorText.DescribeTrap(exception.Message)}"),
            TrapException when IsAtMemoryLimit(instance.LinearMemoryBytesAtStart, limits) =>
                (PluginErrorKind.Trap, $"trapped: {WasmtimeErrorText.DescribeTrap(exception.Message)}; its linear memory was already at the limit of {limits.MaxMemoryBytesInPages} bytes when the call started"),
            TrapException => (PluginErrorKind.Trap, $"trapped: {WasmtimeErrorText.DescribeTrap(exception.Message)}"),
            _ when isFresh && !instance.IsInstantiated => ClassifyInstantiation(exception, limits),
            _ => (PluginErrorKind.Trap, $"failed: {WasmtimeErrorText.DescribeTrap(exception.Message)}"),
        };

        return new PluginException(kind, $"{context}: {cause}", exception)
        {
            Duration = elapsed,
            FuelConsumed = instance.FuelConsumed(),
        };
    }

    private static (PluginErrorKind Kind, string Cause) ClassifyInstantiation(WasmtimeException exception, PluginLimits limits)
    {
        // Wasmtime reports instantiation failures only as text, so the cause is taken from the wording.
        string message = WasmtimeErrorText.FirstLine(exception.Message);
        if (message.Contains("import", StringComparison.OrdinalIgnoreCase))
        {
            return (PluginErrorKind.Linking, $"linking failed: {message}");
        }

        if (message.Contains("memory", StringComparison.OrdinalIgnoreCase) || message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return (PluginErrorKind.OutOfMemory, $"instantiation failed within the memory limit of {limits.MaxMemoryBytesInPages} bytes: {message}");
        }

        return (PluginErrorKind.Trap, $"instantiation failed: {message}");
    }

    // NOTE: a failed memory.grow is invisible to the host. So a trap counts as OutOfMemory when a kernel
    // alloc failed in this call, or when linear memory was below the limit at the start of this call and
    // cannot grow by another page now. Any other trap in such a call, except a stack overflow, is reported
    // as OutOfMemory too. A trap after a failed grow in a call that started at the limit is a Trap.
    private static bool ReachedMemoryLimitInCall(PluginInstance instance, PluginLimits limits)
    {
        if (instance.Memory.AllocationFailed)
        {
            return true;
        }

        long linearBytes = instance.GetLinearMemoryBytes();
        return linearBytes >= 0 && IsAtMemoryLimit(linearBytes, limits) && !IsAtMemoryLimit(instance.LinearMemoryBytesAtStart, limits);
    }

    private static bool IsAtMemoryLimit(long linearBytes, PluginLimits limits)
    {
        return linearBytes + PluginLimits.WasmPageBytes > limits.MaxMemoryBytesInPages;
    }

    private static string Describe(PluginInstance instance, PluginCall call)
    {
        return $"Plugin {instance.DisplayName} method '{call.Method}' for agent '{call.AgentId}'";
    }

    // Reserves the call's whole linear-memory limit before the instance exists, so that the sum of all
    // store limits never exceeds the budget.
    private PluginInstance CreateInstance(PluginModule module, PluginCall call, long started)
    {
        long reservation = call.Limits.MaxMemoryBytesInPages;
        MemoryBudget? budget = _options.MemoryBudget;
        if (budget is null)
        {
            return new PluginInstance(module, call.AgentId, _instanceGauge, reservation, null);
        }

        if (!budget.Reserve(reservation, call.MemoryWaitDeadline, ReclaimIdleInstance, call.Cancellation))
        {
            long waitedMilliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            throw new PluginException(PluginErrorKind.MemoryBudgetExhausted,
                $"Plugin {module.DisplayName(call.PluginName)} method '{call.Method}' for agent '{call.AgentId}': the WebAssembly memory budget is spent: " +
                $"requested {reservation} bytes, in use {budget.ReservedBytes} of the budget of {budget.BudgetBytes} bytes after waiting {waitedMilliseconds} ms; " +
                "retry later, lower the agent's memory_mb, or raise MemoryCeilingBytes.")
            {
                Duration = Stopwatch.GetElapsedTime(started),
            };
        }

        return new PluginInstance(module, call.AgentId, _instanceGauge, reservation, budget);
    }

    // Disposes one idle instance of any module and returns false when no module has one.
    private bool ReclaimIdleInstance()
    {
        foreach (PluginModule module in _modules.Keys)
        {
            if (module.Pool.EvictOldest())
            {
                return true;
            }
        }

        return false;
    }

    private void Release(PluginInstance instance, bool keep)
    {
        if (keep && !instance.IsSpent && !instance.Module.IsDisposed)
        {
            instance.Module.Pool.Return(instance);
            _options.MemoryBudget?.NotifyReclaimable();
            return;
        }

        if (instance.IsSpent)
        {
            PluginLog.InstanceDiscarded(_logger, instance.Module.ShortName, instance.AgentId, instance.Module.IsCommand ? "WASI command ran" : "the call trapped");
        }

        instance.Dispose();
    }
}
