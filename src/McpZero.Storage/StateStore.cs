using System.Collections.Concurrent;
using System.Text;
using FASTER.core;
using McpZero.Storage.Internal;
using MemoryPack;
using Microsoft.Extensions.Logging;

namespace McpZero.Storage;

using Functions = SpanByteFunctions_ByteArrayOutput<Empty>;
using Session = ClientSession<SpanByte, SpanByte, SpanByte, byte[], Empty, SpanByteFunctions_ByteArrayOutput<Empty>>;

/// <summary>
/// A durable byte-oriented key-value store on a FASTER hybrid log, with MemoryPack documents on top.
/// </summary>
/// <remarks>
/// Every member is safe to call from many threads at once. <see cref="StateStoreOptions.CommitPolicy"/>
/// decides when a write is durable: under <see cref="StateCommitPolicy.Sync"/> and
/// <see cref="StateCommitPolicy.Interval"/> each write is also appended to a redo journal that is
/// replayed at open, under <see cref="StateCommitPolicy.Checkpoint"/> a write is durable at the next
/// checkpoint. The background loop takes a checkpoint every
/// <see cref="StateStoreOptions.CheckpointInterval"/>, <see cref="CheckpointAsync"/> takes one on
/// request, and dispose takes a final one; each checkpoint lets the journal drop older entries.
/// </remarks>
public sealed partial class StateStore : IAsyncDisposable, IDisposable
{
    // A record is an 8-byte header plus a 4-byte length before the key and before the value, each part
    // rounded up to 8 bytes, so 32 bytes covers the header and the padding.
    // NOTE: derived from FASTER's record layout and not tested at the exact page boundary.
    private const int RecordOverheadBytes = 32;

    private readonly StateStoreOptions _options;
    private readonly ILogger _logger;
    private readonly StorePaths _paths;
    private readonly FasterInstance _faster;
    private readonly Functions _functions = new();
    private readonly ConcurrentBag<Session> _sessions = new();
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly StateJournal _journal;
    private readonly GroupCommit _journalCommit;

    // Orders each store write and its journal entry the same way for all writers, so replay ends
    // with the value the store held.
    private readonly Lock _writeLock = new();
    private Task _checkpointLoop = Task.CompletedTask;
    private Task _journalCommitLoop = Task.CompletedTask;
    private Task _journalCheckpoint = Task.CompletedTask;
    private long _reads;
    private long _writes;
    private long _checkpoints;
    private long _pendingOperations;
    private long _bytesWritten;
    private long _writesAtLastCheckpoint;
    private long _liveBytesAfterCompaction;
    private int _disposed;
    private int _journalCheckpointRunning;

    private StateStore(StateStoreOptions options, ILogger logger, StorePaths paths, FasterInstance faster, StateJournal journal)
    {
        _options = options;
        _logger = logger;
        _paths = paths;
        _faster = faster;
        _journal = journal;
        _journalCommit = new GroupCommit(journal.CommitAsync);
        _liveBytesAfterCompaction = CompactionState.ReadLiveBytes(paths);
    }

    /// <summary>Number of completed reads, including reads of missing keys.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Number of completed upserts and deletes.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Number of checkpoints this instance has completed.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Number of reads, upserts and deletes that FASTER could not finish at once and completed later, such as reads of records on disk.</summary>
    public long PendingOperations => Interlocked.Read(ref _pendingOperations);

    /// <summary>Key and value bytes passed to upserts, not counting FASTER's record headers.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Memory of the hybrid log's in-memory pages, in bytes.</summary>
    public long LogMemoryBytes => _faster.Store.Log.MemorySizeBytes;

    /// <summary>Memory of the hash index: 64-byte buckets, main and overflow, in bytes.</summary>
    public long IndexMemoryBytes => (_faster.Store.IndexSize + _faster.Store.OverflowBucketCount) * 64;

    /// <summary>
    /// Bytes of hybrid log between its begin and tail addresses: live records plus overwritten ones that
    /// compaction has not yet reclaimed. Checkpoint files come on top of this.
    /// </summary>
    public long ApproximateSizeBytes => _faster.Store.Log.TailAddress - _faster.Store.Log.BeginAddress;

    /// <summary>Bytes of redo journal kept since the oldest kept checkpoint.</summary>
    public long JournalSizeBytes => _journal.SizeBytes;

    /// <summary>Number of journal commits this instance has run.</summary>
    public long JournalCommits => _journalCommit.Commits;

    /// <summary>The policy this store was opened with.</summary>
    public StateCommitPolicy CommitPolicy => _options.CommitPolicy;

    /// <summary>Data directory given in <see cref="StateStoreOptions.Directory"/>, as a full path.</summary>
    public string Directory => _paths.Root;

    /// <summary>
    /// Opens the store in <see cref="StateStoreOptions.Directory"/>, creating the directory when missing
    /// and recovering the latest readable checkpoint.
    /// </summary>
    /// <remarks>
    /// An unreadable checkpoint is logged, moved aside and skipped in favour of the one before it, or of
    /// an empty store when none is readable. The journal is then replayed on top, up to its last
    /// readable entry. Neither makes this method throw.
    /// </remarks>
    /// <exception cref="StorageException">The directory cannot be created or written.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static StateStore Open(StateStoreOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        StoreGeometry.Validate(options);

        var paths = StorePaths.Create(options.Directory);
        var faster = FasterInstance.OpenAndRecover(options, paths, logger);
        StateJournal journal;
        try
        {
            journal = StateJournal.Open(options, paths, logger);
        }
        catch
        {
            faster.Dispose();
            throw;
        }

        var store = new StateStore(options, logger, paths, faster, journal);
        store.ReplayJournal();
        store.StartBackgroundCheckpoints();
        store.StartJournalCommits();
        return store;
    }

    /// <summary>Reads the value stored under <paramref name="key"/>, or null when the key is missing.</summary>
    public byte[]? Read(ReadOnlySpan<byte> key)
    {
        ThrowIfKeyInvalid(key);
        ThrowIfDisposed();

        var session = RentSession();
        try
        {
            return ReadCore(session, key);
        }
        finally
        {
            ReturnSession(session);
        }
    }

    /// <summary>Reads the value stored under the UTF-8 bytes of <paramref name="key"/>.</summary>
    /// <returns>True and the value when the key exists; false and an empty array otherwise.</returns>
    public bool TryRead(string key, out byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);

        var result = Read(Encoding.UTF8.GetBytes(key));
        value = result ?? [];
        return result is not null;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing any earlier value.</summary>
    /// <remarks>
    /// With <c>waitForCommit</c> true the call returns only once the write is durable under
    /// <see cref="StateCommitPolicy.Sync"/>. With false it returns at once, and the caller awaits
    /// <see cref="WaitForCommitAsync"/> later so that several writes share one commit. Under the
    /// other policies the call returns at once either way.
    /// </remarks>
    /// <exception cref="StorageException">The key and value together do not fit in one log page.</exception>
    public void Upsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool waitForCommit = true)
    {
        ThrowIfKeyInvalid(key);
        ThrowIfDisposed();
        ThrowIfRecordTooLarge(key, value.Length);

        var session = RentSession();
        try
        {
            if (_options.CommitPolicy == StateCommitPolicy.Checkpoint)
            {
                UpsertCore(session, key, value);
            }
            else
            {
                lock (_writeLock)
                {
                    UpsertCore(session, key, value);
                    _journal.AppendUpsert(key, value);
                }

                CheckpointIfJournalFull();
            }
        }
        finally
        {
            ReturnSession(session);
        }

        if (waitForCommit)
        {
            WaitForCommit();
        }
    }

    /// <summary>Stores <paramref name="value"/> under the UTF-8 bytes of <paramref name="key"/>.</summary>
    /// <remarks><c>waitForCommit</c> works as in <see cref="Upsert(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/>.</remarks>
    public void Upsert(string key, ReadOnlySpan<byte> value, bool waitForCommit = true)
    {
        ArgumentNullException.ThrowIfNull(key);

        Upsert(Encoding.UTF8.GetBytes(key), value, waitForCommit);
    }

    /// <summary>
    /// Returns once every write made so far by any caller is durable under
    /// <see cref="StateCommitPolicy.Sync"/>; returns at once under the other policies.
    /// </summary>
    /// <remarks>Concurrent callers share journal commits. <paramref name="cancellationToken"/> cancels only the wait.</remarks>
    public ValueTask WaitForCommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();

        return _options.CommitPolicy == StateCommitPolicy.Sync
            ? _journalCommit.WaitAsync(cancellationToken)
            : ValueTask.CompletedTask;
    }

    /// <summary>Deletes the value stored under <paramref name="key"/>.</summary>
    /// <returns>True when the key held a value just before the delete.</returns>
    /// <remarks>
    /// <c>waitForCommit</c> works as in <see cref="Upsert(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/>.
    /// The existence check and the delete are two steps, so with a concurrent writer on the same key the
    /// return value describes the moment of the check. The key is deleted either way.
    /// </remarks>
    public bool Delete(ReadOnlySpan<byte> key, bool waitForCommit = true)
    {
        ThrowIfKeyInvalid(key);
        ThrowIfDisposed();

        bool existed;
        var session = RentSession();
        try
        {
            // A FASTER delete appends a tombstone without reading the disk, so its status does not
            // show whether an on-disk key existed. A read decides that.
            existed = ReadCore(session, key) is not null;
            if (_options.CommitPolicy == StateCommitPolicy.Checkpoint)
            {
                DeleteCore(session, key);
            }
            else
            {
                lock (_writeLock)
                {
                    DeleteCore(session, key);
                    _journal.AppendDelete(key);
                }
            }
        }
        finally
        {
            ReturnSession(session);
        }

        if (waitForCommit)
        {
            WaitForCommit();
        }

        return existed;
    }

    /// <summary>Deletes the value stored under the UTF-8 bytes of <paramref name="key"/>.</summary>
    /// <remarks><c>waitForCommit</c> works as in <see cref="Upsert(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/>.</remarks>
    /// <returns>True when the key held a value just before the delete.</returns>
    public bool Delete(string key, bool waitForCommit = true)
    {
        ArgumentNullException.ThrowIfNull(key);

        return Delete(Encoding.UTF8.GetBytes(key), waitForCommit);
    }

    /// <summary>Reads and deserializes the MemoryPack document stored under <paramref name="key"/>.</summary>
    /// <returns>The document, or null when the key is missing.</returns>
    /// <exception cref="StorageException">The stored bytes are not a valid <typeparamref name="T"/>.</exception>
    public T? ReadDocument<T>(string key)
        where T : IMemoryPackable<T>
    {
        if (!TryRead(key, out var bytes))
        {
            return default;
        }

        try
        {
            return DocumentSerializer<T>.Deserialize(bytes);
        }
        catch (MemoryPackSerializationException exception)
        {
            throw new StorageException(
                $"value of key '{key}' is not a valid {typeof(T).Name} document ({bytes.Length} bytes): {exception.Message}; " +
                "delete the key or restore the data directory from a backup",
                exception);
        }
    }

    /// <summary>Serializes <paramref name="value"/> with MemoryPack and stores it under <paramref name="key"/>.</summary>
    /// <remarks><c>waitForCommit</c> works as in <see cref="Upsert(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/>.</remarks>
    public void UpsertDocument<T>(string key, T value, bool waitForCommit = true)
        where T : IMemoryPackable<T>
    {
        ArgumentNullException.ThrowIfNull(key);

        var bytes = DocumentSerializer<T>.Serialize(value);
        Upsert(key, bytes, waitForCommit);
    }

    /// <summary>Stops the background loops, commits the journal, takes a final checkpoint and releases the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        await _checkpointLoop.ConfigureAwait(false);
        await _journalCommitLoop.ConfigureAwait(false);
        await _journalCheckpoint.ConfigureAwait(false);

        // The journal commit comes first, so the writes survive even when the final checkpoint fails.
        try
        {
            await _journalCommit.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            await CheckpointCoreAsync(force: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            StateStoreLog.FinalCheckpointFailed(_logger, exception);
        }

        while (_sessions.TryTake(out var session))
        {
            session.Dispose();
        }

        _journal.Dispose();
        _journalCommit.Dispose();
        _faster.Dispose();
        _checkpointGate.Dispose();
        _stopping.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private unsafe byte[]? ReadCore(Session session, ReadOnlySpan<byte> key)
    {
        fixed (byte* keyPointer = key)
        {
            var keySpanByte = SpanByte.FromPointer(keyPointer, key.Length);
            byte[] output = null!;
            var status = session.Read(ref keySpanByte, ref output);

            // A read of a record that is only on disk completes later; the key stays pinned until then.
            if (status.IsPending)
            {
                Interlocked.Increment(ref _pendingOperations);
                session.CompletePendingWithOutputs(out var completed, wait: true);
                using (completed)
                {
                    while (completed.Next())
                    {
                        status = completed.Current.Status;
                        output = completed.Current.Output;
                    }
                }
            }

            Interlocked.Increment(ref _reads);
            if (status.IsFaulted)
            {
                throw new StorageException(
                    $"read of key '{DescribeKey(key)}' failed in '{_paths.Root}' ({status}); check the disk and the log files");
            }

            return status.Found ? output : null;
        }
    }

    private unsafe void UpsertCore(Session session, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* keyPointer = key)
        fixed (byte* valuePointer = value)
        {
            var keySpanByte = SpanByte.FromPointer(keyPointer, key.Length);
            var valueSpanByte = SpanByte.FromPointer(valuePointer, value.Length);
            var status = session.Upsert(ref keySpanByte, ref valueSpanByte);
            if (status.IsPending)
            {
                Interlocked.Increment(ref _pendingOperations);
                session.CompletePending(wait: true);
            }

            Interlocked.Increment(ref _writes);
            Interlocked.Add(ref _bytesWritten, key.Length + value.Length);
        }
    }

    private unsafe void DeleteCore(Session session, ReadOnlySpan<byte> key)
    {
        fixed (byte* keyPointer = key)
        {
            var keySpanByte = SpanByte.FromPointer(keyPointer, key.Length);
            var status = session.Delete(ref keySpanByte);
            if (status.IsPending)
            {
                Interlocked.Increment(ref _pendingOperations);
                session.CompletePending(wait: true);
            }

            Interlocked.Increment(ref _writes);
        }
    }

    private Session RentSession()
    {
        if (_sessions.TryTake(out var session))
        {
            return session;
        }

        return _faster.Store.For(_functions).NewSession<Functions>();
    }

    private void ReturnSession(Session session)
    {
        // A session returned after dispose started would never be disposed from the bag.
        if (Volatile.Read(ref _disposed) != 0)
        {
            session.Dispose();
            return;
        }

        _sessions.Add(session);
    }

    private void ThrowIfRecordTooLarge(ReadOnlySpan<byte> key, int valueLength)
    {
        var recordBytes = (long)key.Length + valueLength + RecordOverheadBytes;
        if (recordBytes <= _options.PageBytes)
        {
            return;
        }

        throw new StorageException(
            $"value of {valueLength} bytes for key '{DescribeKey(key)}' does not fit in a log page of {_options.PageBytes} bytes; " +
            "store a smaller value or raise StateStoreOptions.PageBytes");
    }

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    private static void ThrowIfKeyInvalid(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("key is empty; use a non-empty key", nameof(key));
        }
    }

    private static string DescribeKey(ReadOnlySpan<byte> key)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(key);
        }
        catch (DecoderFallbackException)
        {
            return "0x" + Convert.ToHexString(key);
        }
    }
}
