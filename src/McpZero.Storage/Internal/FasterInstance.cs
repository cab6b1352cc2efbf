using FASTER.core;
using Microsoft.Extensions.Logging;

namespace McpZero.Storage.Internal;

/// <summary>
/// One FasterKV instance together with the log device and checkpoint manager it was built on, which
/// FASTER does not dispose when they are passed in.
/// </summary>
internal sealed class FasterInstance : IDisposable
{
    private FasterInstance(FasterKV<SpanByte, SpanByte> store, IDevice device, DeviceLogCommitCheckpointManager checkpointManager, StorePaths paths)
    {
        _paths = paths;
        Store = store;
        Device = device;
        CheckpointManager = checkpointManager;
    }

    // Lines kept in the checkpoint order file; far more than the checkpoints kept on disk.
    private const int MaxRecordedCheckpoints = 16;

    private readonly StorePaths _paths;

    public FasterKV<SpanByte, SpanByte> Store { get; }

    public IDevice Device { get; }

    public DeviceLogCommitCheckpointManager CheckpointManager { get; }

    /// <summary>The checkpoint that <see cref="OpenAndRecover"/> restored; null for an empty store.</summary>
    public Guid? RecoveredToken { get; private set; }

    /// <summary>
    /// Creates the store and recovers the newest checkpoint that FASTER can read, moving each unreadable
    /// one into the quarantine directory so the next start does not try it again.
    /// </summary>
    public static FasterInstance OpenAndRecover(StateStoreOptions options, StorePaths paths, ILogger logger)
    {
        var instance = Create(options, paths);
        var tokens = instance.ListFullCheckpointTokens();
        if (tokens.Count == 0)
        {
            StateStoreLog.StartingEmpty(logger, paths.Root);
            return instance;
        }

        foreach (var token in tokens)
        {
            try
            {
                var version = instance.Store.Recover(token, token);
                VerifyLogReadable(instance.Store, options, paths);
                var logBytes = instance.Store.Log.TailAddress - instance.Store.Log.BeginAddress;
                StateStoreLog.Recovered(logger, paths.Root, token, version, logBytes);
                instance.RecoveredToken = token;
                return instance;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A failed recovery can leave the store half-restored, so the next attempt starts from
                // a fresh instance.
                instance.Dispose();
                var quarantinePath = Quarantine(paths, token);
                var consequence = options.CommitPolicy == StateCommitPolicy.Checkpoint
                    ? "writes made after the previous checkpoint are lost"
                    : "the journal replays the writes made after the previous checkpoint on top of it";
                StateStoreLog.CheckpointUnreadable(logger, exception, token, paths.Root, quarantinePath, consequence);
                instance = Create(options, paths);
            }
        }

        StateStoreLog.AllCheckpointsUnreadable(logger, paths.Root, tokens.Count);
        return instance;
    }

    /// <summary>Tokens of checkpoints that have both an index and a log part, newest first.</summary>
    /// <remarks>
    /// FASTER orders checkpoints by the modification times of their folders, which a copy or a tar
    /// archive of the data directory can make equal, so an older checkpoint could be taken for the
    /// newest. The order in which this store took them, kept in <see cref="StorePaths.CheckpointOrder"/>,
    /// comes first; checkpoints missing from it follow in FASTER's order.
    /// </remarks>
    public List<Guid> ListFullCheckpointTokens()
    {
        var indexTokens = new HashSet<Guid>(CheckpointManager.GetIndexCheckpointTokens());
        var tokens = new List<Guid>();
        foreach (var token in CheckpointManager.GetLogCheckpointTokens())
        {
            if (indexTokens.Contains(token))
            {
                tokens.Add(token);
            }
        }

        List<Guid> order = ReadCheckpointOrder();
        return [.. tokens.OrderBy(token => order.IndexOf(token) is var position and >= 0 ? -position : 1)];
    }

    /// <summary>Records <paramref name="token"/> as the newest checkpoint; the file is replaced atomically.</summary>
    public void RecordCheckpoint(Guid token)
    {
        List<Guid> order = ReadCheckpointOrder();
        order.Remove(token);
        order.Add(token);
        string[] lines = [.. order.TakeLast(MaxRecordedCheckpoints).Select(entry => entry.ToString())];

        string temporary = _paths.CheckpointOrder + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new StreamWriter(file))
        {
            foreach (string line in lines)
            {
                writer.WriteLine(line);
            }

            writer.Flush();
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, _paths.CheckpointOrder, overwrite: true);
    }

    private List<Guid> ReadCheckpointOrder()
    {
        var order = new List<Guid>();
        if (!File.Exists(_paths.CheckpointOrder))
        {
            return order;
        }

        foreach (string line in File.ReadLines(_paths.CheckpointOrder))
        {
            if (Guid.TryParse(line, out Guid token))
            {
                order.Add(token);
            }
        }

        return order;
    }

    public void Dispose()
    {
        Store.Dispose();
        Device.Dispose();
        CheckpointManager.Dispose();
    }

    private static FasterInstance Create(StateStoreOptions options, StorePaths paths)
    {
        var device = Devices.CreateLogDevice(paths.LogFile, preallocateFile: false, deleteOnClose: false, recoverDevice: true);
        var checkpointManager = new DeviceLogCommitCheckpointManager(
            new LocalStorageNamedDeviceFactory(),
            new DefaultCheckpointNamingScheme(paths.Checkpoints),
            removeOutdated: false);

        var logSettings = new LogSettings
        {
            LogDevice = device,
            PageSizeBits = StoreGeometry.Bits(options.PageBytes),
            MemorySizeBits = StoreGeometry.Bits(options.MemoryBytes),
            SegmentSizeBits = StoreGeometry.Bits(options.SegmentBytes),
            MutableFraction = 0.9,
        };

        // The comparer and length settings are passed explicitly: FASTER's defaults for them go through
        // reflection, which Native AOT trimming breaks.
        var store = new FasterKV<SpanByte, SpanByte>(
            options.IndexBuckets,
            logSettings,
            new CheckpointSettings { CheckpointManager = checkpointManager },
            serializerSettings: null,
            comparer: new SpanByteComparer(),
            variableLengthStructSettings: new VariableLengthStructSettings<SpanByte, SpanByte>
            {
                keyLength = new SpanByteVarLenStruct(),
                valueLength = new SpanByteVarLenStruct(),
            });

        return new FasterInstance(store, device, checkpointManager, paths);
    }

    /// <summary>
    /// Scans the recovered log from its begin to its tail address. FASTER's recovery succeeds on a
    /// truncated or zeroed log file, and its scan skips the missing records without an error.
    /// </summary>
    /// <remarks>
    /// Records written while the checkpoint ran lie below the tail too, and recovery marks them
    /// invalid so the scan skips them as well. Those still have their bytes on disk, so the log counts
    /// as damaged only when the file ends, or holds only zeros, between the last record and the tail.
    /// </remarks>
    /// <exception cref="StorageException">The records end early, at a truncated or zeroed part of the file.</exception>
    private static void VerifyLogReadable(FasterKV<SpanByte, SpanByte> store, StateStoreOptions options, StorePaths paths)
    {
        var log = store.Log;
        var recordsEnd = log.BeginAddress;
        using (var iterator = log.Scan(log.BeginAddress, log.TailAddress))
        {
            while (iterator.GetNext(out _))
            {
                recordsEnd = iterator.NextAddress;
            }
        }

        if (recordsEnd >= log.TailAddress || HasBytes(options, paths, recordsEnd, log.TailAddress))
        {
            return;
        }

        throw new StorageException(
            $"the log's records end at address {recordsEnd}, before the checkpoint's tail address {log.TailAddress}, " +
            "and the log file is truncated or zeroed there");
    }

    /// <summary>Returns true when the log file contains a nonzero byte between the two addresses.</summary>
    private static bool HasBytes(StateStoreOptions options, StorePaths paths, long fromAddress, long untilAddress)
    {
        var segmentBits = StoreGeometry.Bits(options.SegmentBytes);
        var segment = fromAddress >> segmentBits;
        var offset = fromAddress & (options.SegmentBytes - 1);
        var length = (int)Math.Min(untilAddress - fromAddress, options.SegmentBytes - offset);
        var file = $"{paths.LogFile}.{segment}";
        if (!File.Exists(file))
        {
            return false;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length < offset + length)
        {
            return false;
        }

        var buffer = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return buffer.AsSpan().ContainsAnyExcept((byte)0);
    }

    /// <summary>Moves both halves of checkpoint <paramref name="token"/> aside.</summary>
    /// <returns>The quarantine path, or a note why the move failed; this method does not throw.</returns>
    private static string Quarantine(StorePaths paths, Guid token)
    {
        var target = Path.Combine(paths.Quarantine, token.ToString());
        try
        {
            Directory.CreateDirectory(target);
            MoveIfExists(Path.Combine(paths.Checkpoints, "cpr-checkpoints", token.ToString()), Path.Combine(target, "cpr-checkpoint"));
            MoveIfExists(Path.Combine(paths.Checkpoints, "index-checkpoints", token.ToString()), Path.Combine(target, "index-checkpoint"));
            return target;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"{target} (move failed: {exception.Message})";
        }
    }

    private static void MoveIfExists(string source, string destination)
    {
        if (!Directory.Exists(source))
        {
            return;
        }

        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        Directory.Move(source, destination);
    }
}
