using System.Diagnostics;
using McpZero.Protocol;

namespace McpZero.Server;

/// <summary>
/// Closes connections that keep a partial frame past <see cref="ServerOptions.FrameReadTimeout"/>
/// or stay idle past <see cref="ServerOptions.IdleConnectionTimeout"/>. Idle time counts only while
/// no request is in flight, so a client waiting on a long exec is not cut.
/// </summary>
internal sealed partial class ClientConnection
{
    private static readonly LogRateLimiter TimeoutLog = new(maxPerWindow: 20, TimeSpan.FromMinutes(1));

    private readonly Timer _timeoutTimer;

    // Stopwatch timestamps. _partialFrameSince is 0 while no partial frame is buffered.
    private long _lastActivity;
    private long _partialFrameSince;

    // Set once by the timer. The read loop then sends the notice and stops reading.
    private volatile string? _timeoutReason;
    private bool _timedOutInFrame;

    private Timer StartTimeoutTimer()
    {
        TimeSpan shortest = _options.FrameReadTimeout;
        if (_options.IdleConnectionTimeout > TimeSpan.Zero && _options.IdleConnectionTimeout < shortest)
        {
            shortest = _options.IdleConnectionTimeout;
        }

        // A check four times per timeout closes a connection at most a quarter late.
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        return new Timer(static state => ((ClientConnection)state!).CheckTimeouts(), this, period, period);
    }

    /// <param name="received">Bytes in the read buffer before frames were cut out of it.</param>
    /// <param name="remaining">Bytes left over: the start of the next frame.</param>
    private void TrackPartialFrame(long received, long remaining)
    {
        if (remaining == 0)
        {
            Volatile.Write(ref _partialFrameSince, 0);
        }
        else if (remaining < received || Volatile.Read(ref _partialFrameSince) == 0)
        {
            // A new frame started in this read, so its clock starts now.
            Volatile.Write(ref _partialFrameSince, Stopwatch.GetTimestamp());
        }
    }

    private void CheckTimeouts()
    {
        if (_timeoutReason is not null || _closed.IsCancellationRequested)
        {
            return;
        }

        long partialSince = Volatile.Read(ref _partialFrameSince);
        if (partialSince != 0)
        {
            if (Stopwatch.GetElapsedTime(partialSince) >= _options.FrameReadTimeout)
            {
                _timedOutInFrame = true;
                Trip($"a frame stayed incomplete for more than {_options.FrameReadTimeout.TotalSeconds:0.#} s (FrameReadTimeoutSeconds)");
            }

            return;
        }

        // _inFlight is 1 while only the read loop runs: no request is waiting for its response.
        if (_options.IdleConnectionTimeout > TimeSpan.Zero
            && Volatile.Read(ref _inFlight) == 1
            && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity)) >= _options.IdleConnectionTimeout)
        {
            Trip($"the connection was idle for more than {_options.IdleConnectionTimeout.TotalSeconds:0.#} s with no request in flight (IdleConnectionTimeoutSeconds)");
        }
    }

    private void Trip(string reason)
    {
        _timeoutReason = reason;
        _reader.CancelPendingRead();
    }

    // Runs on the read loop after the timer cancelled its read. The client gets one error with
    // request id 0, then the connection closes like after a protocol error.
    private Task CloseForTimeoutAsync(long bufferedBytes)
    {
        string reason = _timeoutReason!;
        if (TimeoutLog.TryAcquire(out long suppressed))
        {
            if (_timedOutInFrame)
            {
                Log.FrameReadTimedOut(_logger, _id, _options.FrameReadTimeout.TotalSeconds, bufferedBytes, suppressed);
            }
            else
            {
                Log.IdleConnectionClosed(_logger, _id, _options.IdleConnectionTimeout.TotalSeconds, suppressed);
            }
        }

        Interlocked.Increment(ref _inFlight);
        return SendAndFinishAsync(0, RequestDispatcher.Error(ErrorCode.ConnectionTimedOut, $"{reason}; closing the connection"));
    }
}
