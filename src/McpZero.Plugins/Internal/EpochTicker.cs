using Wasmtime;

namespace McpZero.Plugins.Internal;

/// <summary>
/// Advances the engine's epoch every tick while at least one call runs, and sleeps otherwise, so an idle
/// appliance spends no CPU on it. Call deadlines are counted in these ticks.
/// </summary>
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

    /// <summary>Returns the epoch deadline, in ticks beyond the current epoch, for a timeout in milliseconds.</summary>
    public ulong TicksFor(int timeoutMilliseconds)
    {
        // One extra tick because the first one may come at once after the deadline is set.
        return (ulong)((timeoutMilliseconds + _tickMilliseconds - 1) / _tickMilliseconds) + 1;
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
