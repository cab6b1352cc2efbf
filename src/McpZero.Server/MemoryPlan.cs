namespace McpZero.Server;

/// <summary>
/// The division of the process memory ceiling: the GC heap hard limit, the state store's memory
/// inside it, a fixed reserve for native memory, and the budget of WebAssembly linear memory, which
/// is the rest.
/// </summary>
/// <remarks>
/// FASTER allocates its log pages and hash index as pinned arrays on the GC heap (FASTER.core 2.x
/// references <c>GC.AllocateArray</c> and no native allocator), so the store's memory is part of the
/// GC heap limit and is not subtracted a second time. The rule is
/// <c>WasmBudget = Ceiling - GcHeapLimit - NativeReserve</c>, where the store must fit in a quarter
/// of the GC heap limit.
/// </remarks>
internal sealed record MemoryPlan(
    long CeilingBytes,
    long GcHeapLimitBytes,
    long StoreLogMemoryBytes,
    long StoreMemoryBytes,
    long NativeReserveBytes,
    long WasmBudgetBytes)
{
    /// <summary>
    /// Bytes of input that queued executions may hold, a quarter of the GC heap limit, because a
    /// waiting request's input stays on the GC heap.
    /// </summary>
    public long QueuedInputBytes => GcHeapLimitBytes / 4;

    /// <summary>827 MB, the appliance's memory envelope.</summary>
    public const long DefaultCeilingBytes = 827_000_000;

    /// <summary>Smallest ceiling the configuration accepts. <see cref="Derive"/> checks whether the parts fit.</summary>
    public const long MinimumCeilingBytes = 64L * Mebibyte;

    /// <summary>
    /// Memory outside the GC heap and outside linear memory: the binary's code and data, the
    /// decompressed libwasmtime, thread stacks, glibc arenas, Wasmtime's per-store structures and
    /// Cranelift's working memory while it compiles a module.
    /// </summary>
    /// <remarks>
    /// An estimate, about three times one measurement on a 2-core VM. After installing the two
    /// sample plugins (two compiles) and 40,000 executions on two agents, peak RSS was 70.2 MiB
    /// with 31.2 MiB allocated on the GC heap. The sample plugin touches only a few pages of its
    /// linear memory, so native memory was under 39 MiB. The headroom covers Cranelift compiling
    /// larger modules and more threads.
    /// </remarks>
    public const long FixedNativeReserveBytes = 128L * Mebibyte;

    private const long Mebibyte = 1024 * 1024;

    // The state store's log pages are 2 MiB and it needs at least two of them.
    private const long MinimumStoreLogBytes = 4 * Mebibyte;
    private const long MaximumStoreLogBytes = 8 * Mebibyte;

    // The store's hash index (8,192 buckets of 64 bytes) and the trace log's 1 MiB buffer, both at
    // their defaults.
    private const long FixedStoreBytes = 512 * 1024 + 1 * Mebibyte;

    /// <summary>
    /// Derives the plan from the ceiling and the GC heap limit the runtime applied. The store's log
    /// memory is 1/64 of the ceiling rounded down to a power of two, from 4 to 8 MiB.
    /// </summary>
    /// <param name="minimumWasmBytes">The linear memory of one instance at the default limit; a smaller budget is an error.</param>
    /// <exception cref="ServerStartException">The parts do not fit in the ceiling; the message names every figure.</exception>
    public static MemoryPlan Derive(long ceilingBytes, long gcHeapLimitBytes, long minimumWasmBytes)
    {
        long storeLog = Math.Clamp(HighestPowerOfTwoAtMost(ceilingBytes / 64), MinimumStoreLogBytes, MaximumStoreLogBytes);
        long store = storeLog + FixedStoreBytes;
        long wasm = ceilingBytes - gcHeapLimitBytes - FixedNativeReserveBytes;
        var plan = new MemoryPlan(ceilingBytes, gcHeapLimitBytes, storeLog, store, FixedNativeReserveBytes, wasm);

        if (store > gcHeapLimitBytes / 4)
        {
            throw new ServerStartException(
                $"the GC heap hard limit of {gcHeapLimitBytes} bytes is too small for the state store's {store} bytes, which must fit in a quarter of it; raise DOTNET_GCHeapHardLimit");
        }

        if (wasm < minimumWasmBytes)
        {
            throw new ServerStartException(
                $"MemoryCeilingBytes={ceilingBytes} is too small: the GC heap hard limit of {gcHeapLimitBytes} bytes and the native reserve of {FixedNativeReserveBytes} bytes " +
                $"leave {wasm} bytes for WebAssembly memory, less than one instance at DefaultMemoryMb ({minimumWasmBytes} bytes); " +
                $"raise MemoryCeilingBytes to at least {gcHeapLimitBytes + FixedNativeReserveBytes + minimumWasmBytes}, lower DOTNET_GCHeapHardLimit or lower DefaultMemoryMb");
        }

        return plan;
    }

    private static long HighestPowerOfTwoAtMost(long value) => value < 1 ? 1 : 1L << (63 - (int)long.LeadingZeroCount(value));
}
