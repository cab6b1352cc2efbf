using McpZero.Plugins;
using McpZero.Protocol;

namespace McpZero.Agents.Governance;

/// <summary>
/// Admits plugin executions: bounded per-agent queues with a deadline, served round-robin by a fixed
/// number of worker threads, and a CPU token bucket that keeps the CPU time of executions within a
/// budget. The public properties are counters for monitoring.
/// </summary>
/// <remarks>
/// At most <see cref="Workers"/> executions run at once, and at most one per agent. When no request
/// waits, a slot is free and the bucket is positive, the execution runs at once on the caller's thread
/// in one of those slots. Otherwise it queues for a worker thread.
/// An execution is charged the CPU time of its worker thread while it ran, measured with
/// <c>CLOCK_THREAD_CPUTIME_ID</c>: the plugin call plus the variable and trace writes around it.
/// Work outside executions (connections, checkpoints, the trace log's commits) is not charged.
/// A full queue or a request that waits past <see cref="ExecutionGovernorOptions.QueueTimeout"/> is
/// rejected with <see cref="ErrorCode.Busy"/> and a retry-after estimate. Thread-safe.
/// </remarks>
public sealed class ExecutionGovernor : IDisposable
{
    // The bucket contains at most one second of refill, so an idle daemon can absorb a burst of that much
    // CPU time (270 ms at 27% of one core) before calls wait for tokens.
    private static readonly TimeSpan BurstWindow = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MinimumRetryAfter = TimeSpan.FromMilliseconds(10);

    // An object, not a Lock, because idle workers use Monitor.Wait and Monitor.Pulse on it.
    private readonly object _lock = new();
    private readonly ExecutionGovernorOptions _options;
    private readonly TimeProvider _time;
    private readonly MemoryBudget? _memory;
    private readonly CpuTokenBucket _bucket;
    private readonly FairQueue<WorkItem> _queue;
    private readonly Thread[] _workers;
    private long _rejectedQueueFull;
    private long _rejectedDeadline;
    private long _queuedInputBytes;
    private int _running;
    private double _averageCpuSeconds;
    private bool _stopped;

    /// <summary>Creates the governor and starts its worker threads.</summary>
    /// <param name="memory">The plugin engine's memory budget, whose figures the counters include, or null when there is none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ExecutionGovernor(ExecutionGovernorOptions options, MemoryBudget? memory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedPerAgent, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedTotal, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.QueueTimeout, TimeSpan.Zero);

        _options = options;
        _time = time;
        _memory = memory;
        _bucket = new CpuTokenBucket(options.CpuBudgetCores, BurstWindow, time);
        _queue = new FairQueue<WorkItem>(options.MaxQueuedPerAgent, options.MaxQueuedTotal);
        _workers = new Thread[options.Workers];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(RunWorker) { IsBackground = true, Name = $"mcpzero-exec-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>Worker threads, the maximum number of executions running at once.</summary>
    public int Workers => _workers.Length;

    /// <summary>Requests waiting in the queues.</summary>
    public int QueueDepth
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Executions running now.</summary>
    public int RunningExecutions => Volatile.Read(ref _running);

    /// <summary>Bytes of input held by waiting requests.</summary>
    public long QueuedInputBytes => Interlocked.Read(ref _queuedInputBytes);

    /// <summary>Requests rejected with Busy because their agent's queue, the total queue or the queued input bytes were full.</summary>
    public long RejectedQueueFull => Interlocked.Read(ref _rejectedQueueFull);

    /// <summary>Requests rejected with Busy because they waited past the queue timeout.</summary>
    public long RejectedDeadline => Interlocked.Read(ref _rejectedDeadline);

    /// <summary>Executions rejected with ResourceExhausted because the memory budget stayed spent.</summary>
    public long RejectedMemory => _memory?.Rejections ?? 0;

    /// <summary>Sustained CPU budget of executions, in cores.</summary>
    public double CpuBudgetCores => _bucket.BudgetCores;

    /// <summary>CPU-seconds available now. The balance is negative while executions are in debt and new ones wait.</summary>
    public double CpuBalanceSeconds
    {
        get
        {
            lock (_lock)
            {
                return _bucket.GetBalanceSeconds();
            }
        }
    }

    /// <summary>CPU-seconds charged to executions since start.</summary>
    public double CpuChargedSeconds
    {
        get
        {
            lock (_lock)
            {
                return _bucket.ChargedSeconds;
            }
        }
    }

    /// <summary>Bytes of WebAssembly linear memory instances may reserve, or 0 when there is no budget.</summary>
    public long MemoryBudgetBytes => _memory?.BudgetBytes ?? 0;

    /// <summary>Bytes of WebAssembly linear memory reserved by live instances.</summary>
    public long MemoryReservedBytes => _memory?.ReservedBytes ?? 0;

    /// <summary>
    /// Runs <paramref name="work"/> for <paramref name="agentId"/> at once or after a wait in the agent's
    /// queue, and returns its result. <paramref name="work"/> receives the time left until the request's deadline, which it may
    /// spend waiting for memory.
    /// </summary>
    /// <param name="inputBytes">Size of the request's input, which stays on the GC heap while it waits.</param>
    /// <exception cref="AgentException">
    /// <see cref="ErrorCode.Busy"/> when a queue is full or the deadline passed before the work started,
    /// <see cref="ErrorCode.ShuttingDown"/> when the governor stopped; and whatever the work throws.
    /// </exception>
    public async Task<T> RunAsync<T>(string agentId, long inputBytes, Func<TimeSpan, T> work, CancellationToken cancellationToken = default)
    {
        var item = new WorkItem<T>(agentId, work) { InputBytes = inputBytes };
        long deadline = _time.GetTimestamp() + (long)(_options.QueueTimeout.TotalSeconds * _time.TimestampFrequency);
        item.DeadlineTimestamp = deadline;
        lock (_lock)
        {
            if (_stopped)
            {
                throw ShuttingDown();
            }

            // With nothing waiting, a free slot and CPU tokens, the work runs on this thread, which
            // saves two thread hand-offs per call and overtakes no queued request.
            if (_running < _workers.Length && _bucket.CanStart() && _queue.TryStartImmediately(agentId))
            {
                _running++;
                item.RunsInline = true;
            }
        }

        if (item.RunsInline)
        {
            RunAndComplete(item);
            return await item.Task.ConfigureAwait(false);
        }

        lock (_lock)
        {
            if (_stopped)
            {
                throw ShuttingDown();
            }

            // Waiting inputs live on the GC heap, so their total is bounded as well as their number.
            if (_queuedInputBytes + inputBytes > _options.MaxQueuedInputBytes)
            {
                Interlocked.Increment(ref _rejectedQueueFull);
                throw QueuedInputFull(agentId, inputBytes);
            }

            EnqueueResult result = _queue.TryEnqueue(agentId, item, deadline);
            if (result != EnqueueResult.Queued)
            {
                Interlocked.Increment(ref _rejectedQueueFull);
                throw QueueFull(agentId, result);
            }

            _queuedInputBytes += inputBytes;
            Monitor.Pulse(_lock);
        }

        try
        {
            return await item.Task.WaitAsync(_options.QueueTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!item.Task.IsCompleted)
        {
            if (TryWithdraw(item))
            {
                Interlocked.Increment(ref _rejectedDeadline);
                throw DeadlineMissed(agentId);
            }

            // A worker took it just now; the plugin call's own timeout bounds the rest of the wait.
            return await item.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !item.Task.IsCompleted)
        {
            TryWithdraw(item);
            throw;
        }
    }

    /// <summary>Rejects the waiting requests with ShuttingDown and stops the workers after their current execution.</summary>
    public void Dispose()
    {
        var waiting = new List<WorkItem>();
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _queue.DrainAll(waiting);
            _queuedInputBytes = 0;
            Monitor.PulseAll(_lock);
        }

        foreach (WorkItem item in waiting)
        {
            item.Reject(ShuttingDown());
        }

        foreach (Thread worker in _workers)
        {
            worker.Join();
        }
    }

    private bool TryWithdraw(WorkItem item)
    {
        lock (_lock)
        {
            if (!_queue.Remove(item.AgentId, item))
            {
                return false;
            }

            _queuedInputBytes -= item.InputBytes;
            return true;
        }
    }

    private void RunWorker()
    {
        var expired = new List<WorkItem>();
        while (true)
        {
            WorkItem? item = TakeNext(expired);
            foreach (WorkItem late in expired)
            {
                Interlocked.Increment(ref _rejectedDeadline);
                late.Reject(DeadlineMissed(late.AgentId));
            }

            expired.Clear();
            if (item is null)
            {
                if (Volatile.Read(ref _stopped))
                {
                    return;
                }

                continue;
            }

            RunAndComplete(item);
        }
    }

    // Runs an item on the calling thread, charges its thread CPU time and frees its agent and slot.
    private void RunAndComplete(WorkItem item)
    {
        long remainingTicks = item.DeadlineTimestamp - _time.GetTimestamp();
        TimeSpan remaining = TimeSpan.FromSeconds(Math.Max(0, remainingTicks) / (double)_time.TimestampFrequency);
        TimeSpan cpuBefore = ThreadCpuTime.Now();
        item.Run(remaining);
        TimeSpan cpu = ThreadCpuTime.Now() - cpuBefore;

        lock (_lock)
        {
            _bucket.Charge(cpu);
            _averageCpuSeconds += (cpu.TotalSeconds - _averageCpuSeconds) / 16;
            _queue.Complete(item.AgentId);
            _running--;

            // The finished agent may have more requests waiting, and its slot is free for any agent.
            // With nothing queued the workers stay asleep: waking them on every call cut sequential
            // throughput from about 17,000 to 11,000 calls/s on a 2-core VM.
            if (_queue.Count > 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    // Returns the next item to run, or null when some expired or the governor stopped.
    private WorkItem? TakeNext(List<WorkItem> expired)
    {
        lock (_lock)
        {
            while (!_stopped)
            {
                // Inline executions hold slots too, so a worker may find all of them taken.
                if (_running >= _workers.Length)
                {
                    Monitor.Wait(_lock);
                    continue;
                }

                if (_queue.Count > 0 && !_bucket.CanStart())
                {
                    Monitor.Wait(_lock, ToWaitMilliseconds(_bucket.GetTimeUntilPositive()));
                    continue;
                }

                bool dequeued = _queue.TryDequeue(_time.GetTimestamp(), expired, out _, out WorkItem? item);
                foreach (WorkItem late in expired)
                {
                    _queuedInputBytes -= late.InputBytes;
                }

                if (dequeued)
                {
                    _queuedInputBytes -= item!.InputBytes;
                    _running++;
                    return item;
                }

                if (expired.Count > 0)
                {
                    return null;
                }

                // Waiting items whose agent is running, or none at all: wait for a pulse. The timeout
                // lets a worker reject an item whose deadline passed while every worker was idle.
                long? earliest = _queue.GetEarliestDeadline();
                int timeout = earliest is long deadline
                    ? ToWaitMilliseconds(TimeSpan.FromSeconds(Math.Max(0, deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency))
                    : Timeout.Infinite;
                Monitor.Wait(_lock, timeout);
            }

            return null;
        }
    }

    private static int ToWaitMilliseconds(TimeSpan wait) => (int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 1, 1000);

    // An estimate: the time until the bucket is positive plus the CPU time of the requests ahead of
    // this agent at the average cost per execution, spread over the budget.
    private TimeSpan EstimateRetryAfter(string agentId)
    {
        TimeSpan estimate;
        lock (_lock)
        {
            double queuedSeconds = (_queue.CountFor(agentId) + 1) * _averageCpuSeconds / _bucket.BudgetCores;
            estimate = _bucket.GetTimeUntilPositive() + TimeSpan.FromSeconds(queuedSeconds);
        }

        if (estimate < MinimumRetryAfter)
        {
            estimate = MinimumRetryAfter;
        }

        if (estimate > _options.QueueTimeout)
        {
            estimate = _options.QueueTimeout;
        }

        return TimeSpan.FromMilliseconds(Math.Ceiling(estimate.TotalMilliseconds));
    }

    private AgentException QueueFull(string agentId, EnqueueResult result)
    {
        TimeSpan retryAfter = EstimateRetryAfter(agentId);
        string message = result == EnqueueResult.KeyFull
            ? $"the execution queue of agent '{agentId}' is full: it holds the limit of MaxQueuedPerAgent={_options.MaxQueuedPerAgent} requests; retry after {retryAfter.TotalMilliseconds:0} ms"
            : $"the execution queue is full: it holds the limit of MaxQueuedExecutions={_options.MaxQueuedTotal} requests over all agents; retry after {retryAfter.TotalMilliseconds:0} ms";
        return new AgentException(ErrorCode.Busy, message) { RetryAfter = retryAfter };
    }

    private AgentException QueuedInputFull(string agentId, long inputBytes)
    {
        TimeSpan retryAfter = EstimateRetryAfter(agentId);
        string message =
            $"the execution queue is full: waiting requests hold {_queuedInputBytes} bytes of input, and this input of {inputBytes} bytes would pass " +
            $"the limit of {_options.MaxQueuedInputBytes} bytes (a quarter of the GC heap limit); retry after {retryAfter.TotalMilliseconds:0} ms";
        return new AgentException(ErrorCode.Busy, message) { RetryAfter = retryAfter };
    }

    private AgentException DeadlineMissed(string agentId)
    {
        TimeSpan retryAfter = EstimateRetryAfter(agentId);
        string message =
            $"the request for agent '{agentId}' waited the limit of QueueTimeoutMs={_options.QueueTimeout.TotalMilliseconds:0} ms in the execution queue without starting " +
            $"(CPU budget {_bucket.BudgetCores * 100:0.#}% of one core, {Workers} workers); retry after {retryAfter.TotalMilliseconds:0} ms";
        return new AgentException(ErrorCode.Busy, message) { RetryAfter = retryAfter };
    }

    private static AgentException ShuttingDown() =>
        new(ErrorCode.ShuttingDown, "the daemon is shutting down; retry once it has restarted");

    private abstract class WorkItem(string agentId)
    {
        public string AgentId { get; } = agentId;

        public long DeadlineTimestamp { get; set; }

        public long InputBytes { get; init; }

        /// <summary>True when the item skipped the queue and runs on the caller's thread.</summary>
        public bool RunsInline { get; set; }

        public abstract void Run(TimeSpan remaining);

        public abstract void Reject(Exception exception);
    }

    private sealed class WorkItem<T>(string agentId, Func<TimeSpan, T> work) : WorkItem(agentId)
    {
        // Continuations run on the thread pool, never on the worker, so a worker returns to the queue
        // as soon as the work is done.
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public override void Run(TimeSpan remaining)
        {
            try
            {
                _completion.TrySetResult(work(remaining));
            }
            catch (Exception exception)
            {
                _completion.TrySetException(exception);
            }
        }

        public override void Reject(Exception exception) => _completion.TrySetException(exception);
    }
}
