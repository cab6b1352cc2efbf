using System.Numerics;
using FASTER.core;
using McpZero.Storage.Internal;
using Microsoft.Extensions.Logging;

namespace McpZero.Storage;

/// <summary>
/// An append-only, hash-chained log of plugin calls on a FASTER log, with group commit.
/// </summary>
/// <remarks>
/// All members are thread-safe. <see cref="Append"/> only enqueues into memory; a background loop makes
/// appends durable every <see cref="TraceLogOptions.CommitInterval"/>, <see cref="CommitAsync"/> does it
/// on request, and dispose commits the rest. A crash loses at most the appends of the last interval.
/// </remarks>
public sealed class TraceLog : IAsyncDisposable, IDisposable
{
    // FasterLog puts a 4-byte length before each entry and pads entries to 4 bytes.
    private const int EntryOverheadBytes = 8;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly TraceLogOptions _options;
    private readonly IDevice _device;
    private readonly FasterLog _log;
    private readonly object _appendLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _commitLoop;

    // Released by the first append after a commit, so the commit loop sleeps while nothing is appended.
    private readonly SemaphoreSlim _appended = new(0, 1);
    private int _commitPending;
    private long _nextSequence;
    private long _appends;
    private long _bytesAppended;
    private long _commits;
    private byte[] _headHash;
    private int _disposed;

    private TraceLog(string directory, ILogger logger, TraceLogOptions options, IDevice device, FasterLog log)
    {
        _directory = directory;
        _logger = logger;
        _options = options;
        _device = device;
        _log = log;
        _headHash = TraceHash.Genesis();

        RecoverHead();
        _commitLoop = RunCommitLoopAsync(_stopping.Token);
    }

    /// <summary>Number of records appended over the life of the log, which is also the next sequence.</summary>
    public long Count => Interlocked.Read(ref _nextSequence);

    /// <summary>Records appended since this instance opened the log.</summary>
    public long Appends => Interlocked.Read(ref _appends);

    /// <summary>Serialized record bytes appended since this instance opened the log, without FasterLog's entry headers.</summary>
    public long BytesAppended => Interlocked.Read(ref _bytesAppended);

    /// <summary>Completed commits since this instance opened the log: group commits and explicit <see cref="CommitAsync"/> calls.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Hash of the newest record (a copy); 32 zero bytes while the log is empty.</summary>
    public byte[] HeadHash
    {
        get
        {
            lock (_appendLock)
            {
                return (byte[])_headHash.Clone();
            }
        }
    }

    /// <summary>
    /// Opens the trace log in <paramref name="directory"/>, recovers everything committed, and restores
    /// the chain head by reading the log from the start.
    /// </summary>
    /// <remarks>
    /// A broken chain found while reading is logged as an error and does not make this method throw;
    /// new records continue after the last readable record.
    /// </remarks>
    /// <exception cref="StorageException">The directory cannot be created or written.</exception>
    public static TraceLog Open(string directory, ILogger logger, TraceLogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(logger);
        options ??= new TraceLogOptions();
        Validate(options);

        var root = Path.GetFullPath(directory);
        var commitDirectory = Path.Combine(root, "commits");
        StorePaths.EnsureWritable(root, commitDirectory);

        var device = Devices.CreateLogDevice(Path.Combine(root, "trace.log"), preallocateFile: false, deleteOnClose: false, recoverDevice: true);
        var settings = new FasterLogSettings
        {
            LogDevice = device,
            PageSizeBits = Bits(options.PageBytes),
            MemorySizeBits = Bits(options.MemoryBytes),
            SegmentSizeBits = Bits(options.SegmentBytes),
            LogCommitDir = commitDirectory,
            TryRecoverLatest = true,
        };

        FasterLog log;
        try
        {
            log = new FasterLog(settings);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            device.Dispose();
            throw new StorageException(
                $"trace log in '{root}' cannot be opened: {exception.Message}; move the directory aside to start a new log",
                exception);
        }

        return new TraceLog(root, logger, options, device, log);
    }

    /// <summary>
    /// Appends a record built from <paramref name="draft"/>, with the next sequence, the previous
    /// record's hash and its own hash filled in.
    /// </summary>
    /// <returns>The record as stored. It is durable after the next group commit.</returns>
    /// <exception cref="ArgumentException">The serialized record does not fit in a log page.</exception>
    public TraceRecord Append(TraceRecordDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft.AgentId);
        ArgumentNullException.ThrowIfNull(draft.Plugin);
        ArgumentNullException.ThrowIfNull(draft.Method);

        var timestamp = draft.TimestampUnixMicros != 0
            ? draft.TimestampUnixMicros
            : (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

        // The lock keeps the order in the log equal to the order of the chain.
        lock (_appendLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            var record = new TraceRecord
            {
                Sequence = _nextSequence,
                TimestampUnixMicros = timestamp,
                AgentId = draft.AgentId,
                Plugin = draft.Plugin,
                Method = draft.Method,
                InputSha256 = draft.InputSha256 ?? [],
                OutputSha256 = draft.OutputSha256 ?? [],
                Status = draft.Status,
                ErrorCode = draft.ErrorCode,
                DurationMicros = draft.DurationMicros,
                PreviousHash = (byte[])_headHash.Clone(),
            };
            record.Hash = TraceHash.Compute(record);

            var bytes = DocumentSerializer<TraceRecord>.Serialize(record);
            if (bytes.Length + EntryOverheadBytes > _options.PageBytes)
            {
                throw new ArgumentException(
                    $"trace record for agent '{draft.AgentId}' method '{draft.Method}' is {bytes.Length} bytes and does not fit in a log page of {_options.PageBytes} bytes; " +
                    "shorten the names or raise TraceLogOptions.PageBytes",
                    nameof(draft));
            }

            _log.Enqueue(bytes);
            _headHash = (byte[])record.Hash.Clone();
            Interlocked.Increment(ref _nextSequence);
            Interlocked.Increment(ref _appends);
            Interlocked.Add(ref _bytesAppended, bytes.Length);
            if (Interlocked.Exchange(ref _commitPending, 1) == 0)
            {
                _appended.Release();
            }

            return record;
        }
    }

    /// <summary>Makes every record appended so far durable, waiting for the flush to complete.</summary>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        await _log.CommitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _commits);
    }

    /// <summary>
    /// Lists the newest <paramref name="limit"/> records, oldest first, that belong to
    /// <paramref name="agentId"/> (any agent when null) and started at or after
    /// <paramref name="sinceUnixMicros"/>.
    /// </summary>
    /// <remarks>Commits pending appends first, then reads the whole log.</remarks>
    public IReadOnlyList<TraceRecord> List(string? agentId, long sinceUnixMicros, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // TODO: every call reads the log from the start; add a sparse timestamp index when logs grow
        // past what a full read per request allows.
        _log.Commit(spinWait: true);
        var newest = new Queue<TraceRecord>(Math.Min(limit, 1024));
        foreach (var entry in ReadCommitted())
        {
            var record = entry.Record;
            if (record is null
                || record.TimestampUnixMicros < sinceUnixMicros
                || (agentId is not null && !string.Equals(record.AgentId, agentId, StringComparison.Ordinal)))
            {
                continue;
            }

            if (newest.Count == limit)
            {
                newest.Dequeue();
            }

            newest.Enqueue(record);
        }

        return newest.ToArray();
    }

    /// <summary>
    /// Recomputes the chain from <paramref name="fromSequence"/> to the newest record and reports the
    /// first record that was changed, removed, inserted or reordered.
    /// </summary>
    /// <remarks>Commits pending appends first, then reads the whole log.</remarks>
    public TraceVerification Verify(long fromSequence = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var appended = Count;
        _log.Commit(spinWait: true);

        var verifier = new TraceChainVerifier(fromSequence);
        foreach (var entry in ReadCommitted())
        {
            if (entry.Record is null)
            {
                verifier.RejectUndecodable(entry.Address, entry.Error ?? "unknown error");
                break;
            }

            if (!verifier.Accept(entry.Record))
            {
                break;
            }
        }

        return verifier.Complete(appended);
    }

    /// <summary>Stops the group commit loop, commits the remaining appends and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_appendLock)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
        }

        _stopping.Cancel();
        await _commitLoop.ConfigureAwait(false);

        try
        {
            await _log.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            TraceLogLog.FinalCommitFailed(_logger, exception);
        }

        _log.Dispose();
        _device.Dispose();
        _stopping.Dispose();
        _appended.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private void RecoverHead()
    {
        var verifier = new TraceChainVerifier(0);
        TraceRecord? last = null;
        foreach (var entry in ReadCommitted())
        {
            if (entry.Record is null)
            {
                verifier.RejectUndecodable(entry.Address, entry.Error ?? "unknown error");
                continue;
            }

            verifier.Accept(entry.Record);
            last = entry.Record;
        }

        if (last is not null)
        {
            _nextSequence = last.Sequence + 1;
            _headHash = (byte[])last.Hash.Clone();
        }

        if (verifier.Failure is { } failure)
        {
            TraceLogLog.ChainBrokenOnOpen(_logger, _directory, failure.FirstBadSequence, failure.Message);
        }

        TraceLogLog.Opened(_logger, _directory, _nextSequence);
    }

    private IEnumerable<LogEntry> ReadCommitted()
    {
        using var iterator = _log.Scan(_log.BeginAddress, _log.CommittedUntilAddress);
        while (iterator.GetNext(out byte[] entry, out var length, out var address))
        {
            yield return Decode(entry.AsSpan(0, length), address);
        }
    }

    private static LogEntry Decode(ReadOnlySpan<byte> bytes, long address)
    {
        try
        {
            var record = DocumentSerializer<TraceRecord>.Deserialize(bytes);
            return record is null
                ? new LogEntry(address, null, "entry is a null record")
                : new LogEntry(address, record, null);
        }
        catch (Exception exception) when (exception is MemoryPack.MemoryPackSerializationException or ArgumentException or IndexOutOfRangeException)
        {
            return new LogEntry(address, null, exception.Message);
        }
    }

    /// <summary>
    /// Group commit: waits for an append, lets more appends gather for one commit interval, then
    /// commits them all at once. An idle log causes no wake-ups.
    /// </summary>
    private async Task RunCommitLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _appended.WaitAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(_options.CommitInterval, stoppingToken).ConfigureAwait(false);

                // Appends from here on signal again and are committed in the next round at the latest.
                Volatile.Write(ref _commitPending, 0);
                try
                {
                    await _log.CommitAsync(stoppingToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _commits);
                }
                catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
                {
                    TraceLogLog.CommitFailed(_logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Dispose stopped the loop and commits the rest itself.
        }
    }

    private static void Validate(TraceLogOptions options)
    {
        RequirePowerOfTwo(options.PageBytes, nameof(TraceLogOptions.PageBytes));
        RequirePowerOfTwo(options.MemoryBytes, nameof(TraceLogOptions.MemoryBytes));
        RequirePowerOfTwo(options.SegmentBytes, nameof(TraceLogOptions.SegmentBytes));
        if (options.MemoryBytes < 2 * options.PageBytes || options.SegmentBytes < options.PageBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"TraceLogOptions need MemoryBytes >= 2 * PageBytes and SegmentBytes >= PageBytes; got memory {options.MemoryBytes}, page {options.PageBytes}, segment {options.SegmentBytes}");
        }

        if (options.CommitInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(TraceLogOptions.CommitInterval), options.CommitInterval, "CommitInterval must be positive; the default is 20 ms");
        }
    }

    private static void RequirePowerOfTwo(long value, string name)
    {
        if (value is >= 4096 and <= 1L << 40 && BitOperations.IsPow2(value))
        {
            return;
        }

        throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; use a power of two between 4096 and {1L << 40} bytes");
    }

    private static int Bits(long bytes) => BitOperations.Log2((ulong)bytes);

    private readonly record struct LogEntry(long Address, TraceRecord? Record, string? Error);
}
