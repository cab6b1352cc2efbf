using System.Diagnostics;
using Wasmtime;

namespace McpZero.Plugins.Internal;

/// <summary>
/// Advances the engine's epoch every tick while at least one call runs, and sleeps otherwise, so an idle
/// appliance spends no CPU on it.
/// </summary>
/// <remarks>
/// The epoch only signals to a store that time has passed. At each epoch deadline the store's callback
/// compares the clock with the call's own deadline, and either stops the call or waits some more ticks. So a call
/// stops at the first tick after its timeout, however the ticks are phased against the start of the call.
/// Wasmtime checks the epoch only in wasm code (function entries and loop headers), never during a host
/// function, so a long host call overruns the timeout until it returns to wasm.
/// </remarks>
internal sealed class EpochTicker : IDisposable
{
    private readonly Engine _engine;
    private readonly int _tickMilliseconds;
    private readonly ManualResetEventSlim _callsRunning = new(initialState: false);
    private readonly Thread _thread;
    private int _activeCalls;
    private volatile bool _stopping;

    public EpochTicker(Engine engine, int tickMilliseconds)
    {
        _engine = engine;
        _tickMilliseconds = tickMilliseconds;
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = "wasm-epoch",
        };
        _thread.Start();
    }

    /// <summary>
    /// Returns the epoch deadline, in ticks beyond the current epoch, at which a store should next check
    /// the clock against <paramref name="deadlineTimestamp"/> (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    /// <remarks>
    /// Ticks come about one period apart, so the n-th tick comes within about n periods. Rounding the
    /// remaining time down to whole ticks, and up to at least one, puts the check at or before the deadline
    /// while a tick or more remains, and within one tick of it when less remains.
    /// </remarks>
    public ulong TicksUntil(long deadlineTimestamp)
    {
        double remainingMilliseconds = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadlineTimestamp).TotalMilliseconds;
        double ticks = Math.Floor(remainingMilliseconds / _tickMilliseconds);
        return ticks < 1 ? 1 : (ulong)ticks;
    }

    /// <summary>Marks a call as running; the ticker runs until every such call has called <see cref="Exit"/>.</summary>
    public void Enter()
    {
        if (Interlocked.Increment(ref _activeCalls) == 1)
        {
            _callsRunning.Set();
        }
    }

    public void Exit()
    {
        Interlocked.Decrement(ref _activeCalls);
    }

    public void Dispose()
    {
        _stopping = true;
        _callsRunning.Set();
        _thread.Join();
        _callsRunning.Dispose();
    }

    private void Run()
    {
        while (!_stopping)
        {
            _callsRunning.Wait();
            while (!_stopping && Volatile.Read(ref _activeCalls) > 0)
            {
                Thread.Sleep(_tickMilliseconds);
                _engine.IncrementEpoch();
            }

            // Enter increments before it signals, so a call that starts between the loop's last check and
            // this reset is seen by the check below instead of being lost.
            _callsRunning.Reset();
            if (Volatile.Read(ref _activeCalls) > 0)
            {
                _callsRunning.Set();
            }
        }
    }
}
