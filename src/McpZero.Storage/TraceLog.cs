using System.Buffers;
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
public sealed partial class TraceLog : IAsyncDisposable, IDisposable
{
    // FasterLog puts a 4-byte length before each entry and pads entries to 4 bytes.
    private const int EntryOverheadBytes = 8;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly TraceLogOptions _options;
    private readonly IDevice _device;
    private readonly FasterLog _log;
    private readonly TraceIndexFile _indexFile;
    private readonly object _appendLock = new();

    // Serialization buffer of the append path, reused under the append lock.
    private readonly ArrayBufferWriter<byte> _serializeBuffer = new(1024);
    private readonly object _indexFileLock = new();
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

    // Hashes of the records since the last seal, which the next seal covers.
    private readonly List<byte[]> _batchHashes = [];
    private long _batchFirstSequence;

    // Closed blocks of the sparse index, oldest first, and how many of them the index file holds.
    private readonly List<TraceIndexBlock> _blocks = [];
    private int _blocksPersisted;
    private OpenBlock _openBlock = OpenBlock.Empty;
    private TraceAnchor? _anchor;

    // Regions of the log that an open found damaged and stepped over, oldest first. Reads skip them.
    private List<DamagedRegion> _damagedRegions = [];
    private bool _closeBlockAtNextSeal;

    private TraceLog(string directory, ILogger logger, TraceLogOptions options, IDevice device, FasterLog log)
    {
        _directory = directory;
        _logger = logger;
        _options = options;
        _device = device;
        _log = log;
        _indexFile = new TraceIndexFile(Path.Combine(directory, "index"));
        _headHash = TraceHash.Genesis();

        Recover();
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

    /// <summary>The last record removed by retention, or null while the log still starts at sequence 0.</summary>
    public TraceAnchor? Anchor
    {
        get
        {
            lock (_appendLock)
            {
                return _anchor;
            }
        }
    }

    /// <summary>Sequence of the oldest record the log still contains (or would contain when empty).</summary>
    public long FirstSequence
    {
        get
        {
            lock (_appendLock)
            {
                return _anchor is null ? 0 : _anchor.Sequence + 1;
            }
        }
    }

    /// <summary>Number of closed blocks in the sparse index.</summary>
    public int IndexBlockCount
    {
        get
        {
            lock (_appendLock)
            {
                return _blocks.Count;
            }
        }
    }

    /// <summary>
    /// Opens the trace log in <paramref name="directory"/>, recovers everything committed, and restores
    /// the chain head from the sparse index and the records after its last block.
    /// </summary>
    /// <remarks>
    /// A damaged or missing tail does not make this method throw: the log continues after the last
    /// record that checks out, and an error names the sequences that were lost.
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

        try
        {
            return new TraceLog(root, logger, options, device, log);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            log.Dispose();
            device.Dispose();
            throw new StorageException($"trace log in '{root}' cannot be opened: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Appends a record built from <paramref name="draft"/>, with the next sequence, the previous
    /// record's hash and its own hash filled in.
    /// </summary>
    /// <returns>The record as stored. It is durable after the next group commit.</returns>
    /// <exception cref="ArgumentException">The serialized record does not fit in a log page.</exception>
    public TraceRecord Append(TraceRecordDraft draft)
    {
        CheckDraft(draft);
        var now = NowUnixMicros();

        // The lock keeps the order in the log equal to the order of the chain.
        lock (_appendLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var record = AppendLocked(draft, now);
            SignalAppended();
            return record;
        }
    }

    /// <summary>
    /// Appends one record per draft, in order and with no other record between them, and waits for one
    /// durable commit that covers all of them.
    /// </summary>
    /// <returns>The records as stored, in the order of <paramref name="drafts"/>.</returns>
    /// <exception cref="ArgumentException">A draft is incomplete or its record does not fit in a log page; nothing was appended.</exception>
    public async ValueTask<IReadOnlyList<TraceRecord>> AppendBatchAsync(IReadOnlyList<TraceRecordDraft> drafts, CancellationToken cancellationToken = default)
    {
        var records = AppendBatch(drafts);
        await CommitAsync(cancellationToken).ConfigureAwait(false);
        return records;
    }

    /// <summary>
    /// Appends one record per draft, in order and with no other record between them. They are durable
    /// after the next group commit or <see cref="CommitAsync"/>.
    /// </summary>
    /// <inheritdoc cref="AppendBatchAsync" path="/returns"/>
    /// <inheritdoc cref="AppendBatchAsync" path="/exception"/>
    public IReadOnlyList<TraceRecord> AppendBatch(IReadOnlyList<TraceRecordDraft> drafts)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        foreach (var draft in drafts)
        {
            CheckDraft(draft);
        }

        var now = NowUnixMicros();
        var records = new TraceRecord[drafts.Count];
        lock (_appendLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            for (var i = 0; i < drafts.Count; i++)
            {
                records[i] = AppendLocked(drafts[i], now);
            }

            if (records.Length > 0)
            {
                SignalAppended();
            }
        }

        return records;
    }

    /// <summary>Seals the records appended so far and makes them durable, waiting for the flush to complete.</summary>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        if (IssueCommit() is { } commit)
        {
            await _log.WaitForCommitAsync(commit.Tail, commit.Number, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _commits);
        }

        PersistIndex();
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
            CommitAndWait();
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

    private static void CheckDraft(TraceRecordDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft.AgentId);
        ArgumentNullException.ThrowIfNull(draft.Plugin);
        ArgumentNullException.ThrowIfNull(draft.Method);
    }

    private static long NowUnixMicros() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    private TraceRecord AppendLocked(TraceRecordDraft draft, long nowUnixMicros)
    {
        var record = new TraceRecord
        {
            Sequence = _nextSequence,
            TimestampUnixMicros = draft.TimestampUnixMicros != 0 ? draft.TimestampUnixMicros : nowUnixMicros,
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

        _serializeBuffer.ResetWrittenCount();
        DocumentSerializer<TraceRecord>.Serialize(record, _serializeBuffer);
        if (_serializeBuffer.WrittenCount + EntryOverheadBytes > _options.PageBytes)
        {
            throw new ArgumentException(
                $"trace record for agent '{draft.AgentId}' method '{draft.Method}' is {_serializeBuffer.WrittenCount} bytes and does not fit in a log page of {_options.PageBytes} bytes; " +
                "shorten the names or raise TraceLogOptions.PageBytes",
                nameof(draft));
        }

        var address = _log.Enqueue(_serializeBuffer.WrittenSpan);
        Interlocked.Increment(ref _appends);
        Interlocked.Add(ref _bytesAppended, _serializeBuffer.WrittenCount);
        TrackRecord(record, address);
        if (_batchHashes.Count >= _options.BlockRecords)
        {
            SealLocked();
        }

        return record;
    }

    /// <summary>Moves the chain head, the open seal batch and the open index block past a stored record.</summary>
    private void TrackRecord(TraceRecord record, long address)
    {
        _headHash = record.Hash;
        Interlocked.Exchange(ref _nextSequence, record.Sequence + 1);

        if (_batchHashes.Count == 0)
        {
            _batchFirstSequence = record.Sequence;
        }

        _batchHashes.Add(record.Hash);
        _openBlock = _openBlock.Add(record, address);
    }

    private void SignalAppended()
    {
        if (Interlocked.Exchange(ref _commitPending, 1) == 0)
        {
            _appended.Release();
        }
    }

    /// <summary>Appends a seal for the records since the last one, and closes the index block when it is full.</summary>
    private void SealLocked()
    {
        if (_batchHashes.Count == 0)
        {
            return;
        }

        var seal = new TraceSeal(_batchFirstSequence, _nextSequence - 1, _headHash, MerkleTree.ComputeRoot(_batchHashes));
        var encoded = seal.Encode();
        var address = _log.Enqueue(encoded);
        _batchHashes.Clear();
        CloseBlockIfFull(address + AlignedEntryBytes(encoded.Length));
    }

    private void CloseBlockIfFull(long endAddress)
    {
        if (_openBlock.RecordCount < _options.BlockRecords && !(_closeBlockAtNextSeal && _openBlock.RecordCount > 0))
        {
            return;
        }

        _closeBlockAtNextSeal = false;
        _blocks.Add(_openBlock.Close(endAddress, _headHash));
        _openBlock = OpenBlock.Empty;
    }

    private long AlignedEntryBytes(int payloadBytes) => (_log.HeaderSize + payloadBytes + 3) & ~3L;

    /// <summary>Seals the open batch and starts a commit that stores the record count and anchor with it.</summary>
    /// <returns>The commit to wait for, or null when there was nothing to commit.</returns>
    private (long Tail, long Number)? IssueCommit()
    {
        lock (_appendLock)
        {
            SealLocked();
            var cookie = new TraceCommitCookie(_nextSequence, _anchor, _damagedRegions).Encode();
            return _log.CommitStrongly(out var tail, out var number, spinWait: false, cookie)
                ? (tail, number)
                : null;
        }
    }

    private void CommitAndWait()
    {
        if (IssueCommit() is { } commit)
        {
            _log.WaitForCommit(commit.Tail, commit.Number);
            Interlocked.Increment(ref _commits);
        }

        PersistIndex();
    }

    /// <summary>Appends the closed blocks that the last commit made durable to the index file.</summary>
    private void PersistIndex()
    {
        lock (_indexFileLock)
        {
            List<TraceIndexBlock> pending;
            lock (_appendLock)
            {
                var committed = _log.CommittedUntilAddress;
                pending = [];
                for (var i = _blocksPersisted; i < _blocks.Count && _blocks[i].EndAddress <= committed; i++)
                {
                    pending.Add(_blocks[i]);
                }

                _blocksPersisted += pending.Count;
            }

            try
            {
                _indexFile.Append(pending);
            }
            catch (IOException exception)
            {
                // The index is rebuilt from the log on the next open, so a failed write only slows that open.
                TraceLogLog.IndexWriteFailed(_logger, _indexFile.Path, exception);
            }
        }
    }

    /// <summary>
    /// Group commit: waits for an append, lets more appends gather for one commit interval, then
    /// seals and commits them all at once and applies retention. An idle log causes no wake-ups.
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
                    await CommitAsync(stoppingToken).ConfigureAwait(false);
                    await ApplyRetentionAsync(DateTimeOffset.UtcNow, stoppingToken).ConfigureAwait(false);
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

        if (options.BlockRecords is < 1 or > 1 << 20)
        {
            throw new ArgumentOutOfRangeException(
                nameof(TraceLogOptions.BlockRecords), options.BlockRecords, "BlockRecords must be from 1 to 1048576; the default is 1024");
        }

        if (options.MaxBytes < 0 || options.MaxAge < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"TraceLogOptions.MaxBytes ({options.MaxBytes}) and MaxAge ({options.MaxAge}) must not be negative; 0 turns the limit off");
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

    /// <summary>The records after the last closed index block, which the next seal may close.</summary>
    private readonly record struct OpenBlock(long StartAddress, long FirstSequence, long RecordCount, long MinTimestamp, long MaxTimestamp)
    {
        public static OpenBlock Empty => new(-1, -1, 0, long.MaxValue, long.MinValue);

        public OpenBlock Add(TraceRecord record, long address) => RecordCount == 0
            ? new OpenBlock(address, record.Sequence, 1, record.TimestampUnixMicros, record.TimestampUnixMicros)
            : this with
            {
                RecordCount = RecordCount + 1,
                MinTimestamp = Math.Min(MinTimestamp, record.TimestampUnixMicros),
                MaxTimestamp = Math.Max(MaxTimestamp, record.TimestampUnixMicros),
            };

        public TraceIndexBlock Close(long endAddress, byte[] lastHash) =>
            new(StartAddress, endAddress, FirstSequence, RecordCount, MinTimestamp, MaxTimestamp, lastHash);
    }
}
