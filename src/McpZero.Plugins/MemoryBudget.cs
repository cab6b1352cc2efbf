using System.Diagnostics;

namespace McpZero.Plugins;

/// <summary>
/// The bytes of WebAssembly linear memory that all plugin instances of a process may reserve
/// together. Linear memory is native memory outside the GC heap, so the GC heap hard limit does not
/// cap it, but this budget does.
/// </summary>
/// <remarks>
/// Every instance reserves its maximum linear memory before it is created and releases it when it
/// is disposed, and its Wasmtime store limit equals the reservation, so the reserved total is an upper
/// bound on the linear memory in use. Thread-safe.
/// </remarks>
public sealed class MemoryBudget
{
    // An object, not a Lock, because waiting reservations use Monitor.Wait and Monitor.PulseAll.
    private readonly object _lock = new();
    private long _reservedBytes;
    private long _peakReservedBytes;
    private long _rejections;

    /// <summary>Creates a budget of <paramref name="budgetBytes"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="budgetBytes"/> is below one WebAssembly page.</exception>
    public MemoryBudget(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, PluginLimits.WasmPageBytes);
        BudgetBytes = budgetBytes;
    }

    /// <summary>Total bytes that instances may reserve.</summary>
    public long BudgetBytes { get; }

    /// <summary>Bytes reserved by live instances, idle or in use.</summary>
    public long ReservedBytes => Interlocked.Read(ref _reservedBytes);

    /// <summary>Highest <see cref="ReservedBytes"/> since the budget was created.</summary>
    public long PeakReservedBytes => Interlocked.Read(ref _peakReservedBytes);

    /// <summary>Reservations rejected because the budget stayed spent until their deadline.</summary>
    public long Rejections => Interlocked.Read(ref _rejections);

    /// <summary>
    /// Reserves <paramref name="bytes"/>, first by calling <paramref name="reclaim"/> (which disposes one
    /// idle instance and returns false when there is none) and then by waiting for a release until
    /// <paramref name="deadlineTimestamp"/>, a <see cref="Stopwatch"/> timestamp.
    /// </summary>
    /// <returns>True when reserved; false when the deadline passed or the request exceeds the whole budget.</returns>
    internal bool Reserve(long bytes, long deadlineTimestamp, Func<bool> reclaim, CancellationToken cancellationToken)
    {
        if (bytes > BudgetBytes)
        {
            Interlocked.Increment(ref _rejections);
            return false;
        }

        while (true)
        {
            lock (_lock)
            {
                if (_reservedBytes + bytes <= BudgetBytes)
                {
                    _reservedBytes += bytes;
                    _peakReservedBytes = Math.Max(_peakReservedBytes, _reservedBytes);
                    return true;
                }
            }

            // Idle warm instances keep reservations that no call is using, so they go first.
            if (reclaim())
            {
                continue;
            }

            long remainingTicks = deadlineTimestamp - Stopwatch.GetTimestamp();
            if (remainingTicks <= 0 || cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _rejections);
                return false;
            }

            // A release or an instance returned to its pool pulses; the timeout bounds a missed pulse.
            int waitMilliseconds = (int)Math.Clamp(remainingTicks * 1000 / Stopwatch.Frequency, 1, 50);
            lock (_lock)
            {
                if (_reservedBytes + bytes > BudgetBytes)
                {
                    Monitor.Wait(_lock, waitMilliseconds);
                }
            }
        }
    }

    /// <summary>Returns <paramref name="bytes"/> to the budget and wakes waiting reservations.</summary>
    internal void Release(long bytes)
    {
        lock (_lock)
        {
            _reservedBytes -= bytes;
            Debug.Assert(_reservedBytes >= 0, "released more memory than was reserved");
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Wakes waiting reservations because an instance became idle and can be reclaimed.</summary>
    internal void NotifyReclaimable()
    {
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }
    }
}
