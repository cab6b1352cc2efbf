using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace McpZero.Plugins.Internal;

/// <summary>
/// The <c>extism:host/env</c> functions of the Extism ABI and this host's own <c>extism:host/user</c>
/// functions, defined once on the engine's shared linker.
/// </summary>
/// <remarks>
/// Every function reads the state of its call from the store data (<see cref="PluginInstance"/>), so no
/// closure is created per instance or per call. Failures are thrown as <see cref="HostTrapException"/>,
/// which wasmtime-dotnet turns into a trap at the wasm-to-host boundary. The functions that take a key or
/// message block (config_get, var_get, var_set, log_*, error_set) free it, as the Extism ABI says they
/// take ownership; blocks they return belong to the plugin.
/// </remarks>
internal static class HostFunctions
{
    public const string ModuleName = "extism:host/env";

    /// <summary>The module of the functions this host offers beyond the Extism ABI.</summary>
    public const string UserModuleName = "extism:host/user";

    // Maximum number of resources one find_resources call returns.
    public const int MaxFoundResources = 1000;

    // Maximum log message size in bytes; longer messages are cut so one call cannot flood the log.
    private const int MaxLogMessageBytes = 8 * 1024;

    // Extism log levels, as returned by get_log_level.
    private const int ExtismLevelTrace = 0;
    private const int ExtismLevelDebug = 1;
    private const int ExtismLevelInfo = 2;
    private const int ExtismLevelWarn = 3;
    private const int ExtismLevelError = 4;
    private const int ExtismLevelOff = 5;

    /// <summary>The names of every function defined in <see cref="ModuleName"/>.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "alloc", "free", "length", "length_unsafe", "load_u8", "load_u64", "store_u8", "store_u64",
        "input_length", "input_offset", "input_load_u8", "input_load_u64", "output_set", "error_set",
        "config_get", "var_get", "var_set", "log_info", "log_warn", "log_error", "log_debug", "log_trace",
        "get_log_level", "http_request", "http_status_code", "http_headers",
    };

    /// <summary>The names of every function defined in <see cref="UserModuleName"/>.</summary>
    public static readonly IReadOnlySet<string> UserNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "agent_id", "find_resources",
    };

    public static void Define(Linker linker)
    {
        linker.DefineFunction(ModuleName, "alloc", (CallerFunc<long, long>)Alloc);
        linker.DefineFunction(ModuleName, "free", (CallerAction<long>)Free);
        linker.DefineFunction(ModuleName, "length", (CallerFunc<long, long>)Length);
        linker.DefineFunction(ModuleName, "length_unsafe", (CallerFunc<long, long>)Length);
        linker.DefineFunction(ModuleName, "load_u8", (CallerFunc<long, int>)LoadU8);
        linker.DefineFunction(ModuleName, "load_u64", (CallerFunc<long, long>)LoadU64);
        linker.DefineFunction(ModuleName, "store_u8", (CallerAction<long, int>)StoreU8);
        linker.DefineFunction(ModuleName, "store_u64", (CallerAction<long, long>)StoreU64);
        linker.DefineFunction(ModuleName, "input_length", (CallerFunc<long>)InputLength);
        linker.DefineFunction(ModuleName, "input_offset", (CallerFunc<long>)InputOffset);
        linker.DefineFunction(ModuleName, "input_load_u8", (CallerFunc<long, int>)InputLoadU8);
        linker.DefineFunction(ModuleName, "input_load_u64", (CallerFunc<long, long>)InputLoadU64);
        linker.DefineFunction(ModuleName, "output_set", (CallerAction<long, long>)OutputSet);
        linker.DefineFunction(ModuleName, "error_set", (CallerAction<long>)ErrorSet);
        linker.DefineFunction(ModuleName, "config_get", (CallerFunc<long, long>)ConfigGet);
        linker.DefineFunction(ModuleName, "var_get", (CallerFunc<long, long>)VarGet);
        linker.DefineFunction(ModuleName, "var_set", (CallerAction<long, long>)VarSet);
        linker.DefineFunction(ModuleName, "log_trace", (CallerAction<long>)LogTrace);
        linker.DefineFunction(ModuleName, "log_debug", (CallerAction<long>)LogDebug);
        linker.DefineFunction(ModuleName, "log_info", (CallerAction<long>)LogInfo);
        linker.DefineFunction(ModuleName, "log_warn", (CallerAction<long>)LogWarn);
        linker.DefineFunction(ModuleName, "log_error", (CallerAction<long>)LogError);
        linker.DefineFunction(ModuleName, "get_log_level", (CallerFunc<int>)GetLogLevel);
        linker.DefineFunction(ModuleName, "http_request", (CallerFunc<long, long, long>)HttpRequest);
        linker.DefineFunction(ModuleName, "http_status_code", (CallerFunc<int>)HttpStatusCode);
        linker.DefineFunction(ModuleName, "http_headers", (CallerFunc<long>)HttpHeaders);

        linker.DefineFunction(UserModuleName, "agent_id", (CallerFunc<long>)AgentId);
        linker.DefineFunction(UserModuleName, "find_resources", (CallerFunc<long, long>)FindResources);
    }

    private static PluginInstance State(Caller caller)
    {
        return caller.GetData() as PluginInstance
            ?? throw new HostTrapException(PluginErrorKind.Trap, "Host function called on a store without plugin state.");
    }

    private static PluginCall CurrentCall(PluginInstance state, string function)
    {
        return state.Call
            ?? throw new HostTrapException(PluginErrorKind.Trap, $"{function} was called outside a plugin call.");
    }

    private static long Alloc(Caller caller, long length)
    {
        return State(caller).Memory.Alloc(length);
    }

    private static void Free(Caller caller, long offset)
    {
        State(caller).Memory.Free(offset);
    }

    private static long Length(Caller caller, long offset)
    {
        return State(caller).Memory.Length(offset);
    }

    private static int LoadU8(Caller caller, long offset)
    {
        return State(caller).Memory.LoadU8(offset);
    }

    private static long LoadU64(Caller caller, long offset)
    {
        return (long)State(caller).Memory.LoadU64(offset);
    }

    private static void StoreU8(Caller caller, long offset, int value)
    {
        State(caller).Memory.StoreU8(offset, (byte)value);
    }

    private static void StoreU64(Caller caller, long offset, long value)
    {
        State(caller).Memory.StoreU64(offset, (ulong)value);
    }

    private static long InputLength(Caller caller)
    {
        return CurrentCall(State(caller), "input_length").Input.Length;
    }

    private static long InputOffset(Caller caller)
    {
        return State(caller).InputOffset;
    }

    private static int InputLoadU8(Caller caller, long index)
    {
        ReadOnlySpan<byte> input = CurrentCall(State(caller), "input_load_u8").Input.Span;
        if ((ulong)index >= (ulong)input.Length)
        {
            throw new HostTrapException(PluginErrorKind.Trap, $"input_load_u8: index {index} is outside the input of {input.Length} bytes.");
        }

        return input[(int)index];
    }

    private static long InputLoadU64(Caller caller, long index)
    {
        ReadOnlySpan<byte> input = CurrentCall(State(caller), "input_load_u64").Input.Span;
        if (index < 0 || index > input.Length - 8L)
        {
            // PDKs read the tail of the input a byte at a time, so a short read here is a plugin bug.
            throw new HostTrapException(PluginErrorKind.Trap, $"input_load_u64: 8 bytes at index {index} are outside the input of {input.Length} bytes.");
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(input.Slice((int)index, 8));
    }

    private static void OutputSet(Caller caller, long offset, long length)
    {
        PluginInstance state = State(caller);
        if (length > 0)
        {
            state.Memory.GetRange(offset, length, "output_set");
        }

        state.OutputOffset = offset;
        state.OutputLength = Math.Max(length, 0);
    }

    private static void ErrorSet(Caller caller, long offset)
    {
        PluginInstance state = State(caller);
        if (offset == 0)
        {
            state.ErrorText = null;
            return;
        }

        state.ErrorText = Encoding.UTF8.GetString(state.Memory.GetBlock(offset, "error_set"));
        state.Memory.Free(offset);
    }

    private static long ConfigGet(Caller caller, long keyOffset)
    {
        PluginInstance state = State(caller);
        PluginCall call = CurrentCall(state, "config_get");
        string key = TakeString(state, keyOffset, "config_get");
        if (!call.Config.TryGetValue(key, out string? value))
        {
            return 0;
        }

        return AllocOrTrap(state, Encoding.UTF8.GetBytes(value), "config_get");
    }

    private static long VarGet(Caller caller, long keyOffset)
    {
        PluginInstance state = State(caller);
        PluginCall call = CurrentCall(state, "var_get");
        string key = TakeString(state, keyOffset, "var_get");
        byte[]? value = call.Variables.Get(key);
        return value is null ? 0 : AllocOrTrap(state, value, "var_get");
    }

    private static void VarSet(Caller caller, long keyOffset, long valueOffset)
    {
        PluginInstance state = State(caller);
        PluginCall call = CurrentCall(state, "var_set");
        string key = TakeString(state, keyOffset, "var_set");
        if (valueOffset == 0)
        {
            call.Variables.Set(key, null);
            return;
        }

        ReadOnlySpan<byte> value = state.Memory.GetBlock(valueOffset, "var_set");
        long totalAfter = call.Variables.TotalBytesAfterSet(key, value.Length);
        if (totalAfter > call.Limits.MaxVariableBytes)
        {
            throw new HostTrapException(PluginErrorKind.Trap,
                $"var_set '{key}' would raise the agent's variables to {totalAfter} bytes, over the limit of {call.Limits.MaxVariableBytes}; delete variables or raise memory.max_var_bytes in the plugin's manifest.");
        }

        call.Variables.Set(key, value.ToArray());
    }

    private static void LogTrace(Caller caller, long offset) => Log(caller, offset, Microsoft.Extensions.Logging.LogLevel.Trace, "log_trace");

    private static void LogDebug(Caller caller, long offset) => Log(caller, offset, Microsoft.Extensions.Logging.LogLevel.Debug, "log_debug");

    private static void LogInfo(Caller caller, long offset) => Log(caller, offset, Microsoft.Extensions.Logging.LogLevel.Information, "log_info");

    private static void LogWarn(Caller caller, long offset) => Log(caller, offset, Microsoft.Extensions.Logging.LogLevel.Warning, "log_warn");

    private static void LogError(Caller caller, long offset) => Log(caller, offset, Microsoft.Extensions.Logging.LogLevel.Error, "log_error");

    private static void Log(Caller caller, long offset, LogLevel level, string function)
    {
        PluginInstance state = State(caller);
        PluginCall call = CurrentCall(state, function);
        ReadOnlySpan<byte> message = state.Memory.GetBlock(offset, function);
        ILogger? logger = call.Log;
        if (logger is not null && logger.IsEnabled(level))
        {
            string text = message.Length <= MaxLogMessageBytes
                ? Encoding.UTF8.GetString(message)
                : Encoding.UTF8.GetString(message[..MaxLogMessageBytes]) + $" [{message.Length - MaxLogMessageBytes} more bytes cut]";
            PluginLog.PluginMessage(logger, level, call.PluginName ?? state.Module.ShortName, state.AgentId, text);
        }

        state.Memory.Free(offset);
    }

    private static int GetLogLevel(Caller caller)
    {
        PluginInstance state = State(caller);
        if (state.LogLevel >= 0)
        {
            return state.LogLevel;
        }

        ILogger? logger = CurrentCall(state, "get_log_level").Log;
        state.LogLevel = logger switch
        {
            null => ExtismLevelOff,
            _ when logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Trace) => ExtismLevelTrace,
            _ when logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug) => ExtismLevelDebug,
            _ when logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information) => ExtismLevelInfo,
            _ when logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Warning) => ExtismLevelWarn,
            _ when logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Error) => ExtismLevelError,
            _ => ExtismLevelOff,
        };
        return state.LogLevel;
    }

    // http_request takes no ownership of the request or body block, as in Extism's runtime.
    private static long HttpRequest(Caller caller, long requestOffset, long bodyOffset)
    {
        PluginInstance state = State(caller);
        PluginCall call = CurrentCall(state, "http_request");
        ReadOnlySpan<byte> request = state.Memory.GetBlock(requestOffset, "http_request");
        byte[]? body = bodyOffset == 0 ? null : state.Memory.GetBlock(bodyOffset, "http_request").ToArray();

        byte[] response = PluginHttp.Send(state, call, request, body);
        return AllocOrTrap(state, response, "http_request");
    }

    private static int HttpStatusCode(Caller caller)
    {
        return State(caller).HttpStatus;
    }

    private static long HttpHeaders(Caller caller)
    {
        PluginInstance state = State(caller);
        return state.HttpHeadersJson is { } headers ? AllocOrTrap(state, headers, "http_headers") : 0;
    }

    private static long AgentId(Caller caller)
    {
        PluginInstance state = State(caller);
        return AllocOrTrap(state, Encoding.UTF8.GetBytes(state.AgentId), "agent_id");
    }

    // Takes ownership of the capability block, like config_get does of its key.
    private static long FindResources(Caller caller, long capabilityOffset)
    {
        PluginInstance state = State(caller);
        PluginCall call = CurrentCall(state, "find_resources");
        string capability = TakeString(state, capabilityOffset, "find_resources");
        IPluginHostServices services = call.HostServices
            ?? throw new HostTrapException(PluginErrorKind.PluginError, "find_resources is not available: this host offers no resources registry to plugins.");

        return AllocOrTrap(state, services.FindResources(state.AgentId, capability, MaxFoundResources), "find_resources");
    }

    private static string TakeString(PluginInstance state, long offset, string function)
    {
        string text = Encoding.UTF8.GetString(state.Memory.GetBlock(offset, function));
        state.Memory.Free(offset);
        return text;
    }

    private static long AllocOrTrap(PluginInstance state, ReadOnlySpan<byte> bytes, string function)
    {
        long offset = state.Memory.AllocCopy(bytes);
        if (offset == 0 && bytes.Length > 0)
        {
            throw new HostTrapException(PluginErrorKind.OutOfMemory,
                $"{function}: kernel memory is full ({state.Memory.MaxBytes} bytes) and cannot hold a value of {bytes.Length} bytes; free blocks or raise MaxMemoryBytes.");
        }

        return offset;
    }
}
