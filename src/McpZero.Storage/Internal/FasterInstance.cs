using FASTER.core;
using Microsoft.Extensions.Logging;

namespace McpZero.Storage.Internal;

/// <summary>
/// One FasterKV instance together with the log device and checkpoint manager it was built on, which
/// FASTER does not dispose when they are passed in.
/// </summary>
internal sealed class FasterInstance : IDisposable
{
    private FasterInstance(FasterKV<SpanByte, SpanByte> store, IDevice device, DeviceLogCommitCheckpointManager checkpointManager)
    {
        Store = store;
        Device = device;
        CheckpointManager = checkpointManager;
    }

    public FasterKV<SpanByte, SpanByte> Store { get; }

    public IDevice Device { get; }

    public DeviceLogCommitCheckpointManager CheckpointManager { get; }

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
                var logBytes = instance.Store.Log.TailAddress - instance.Store.Log.BeginAddress;
                StateStoreLog.Recovered(logger, paths.Root, token, version, logBytes);
                return instance;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A failed recovery can leave the store half-restored, so the next attempt starts from
                // a fresh instance.
                instance.Dispose();
                var quarantinePath = Quarantine(paths, token);
                StateStoreLog.CheckpointUnreadable(logger, exception, token, paths.Root, quarantinePath);
                instance = Create(options, paths);
            }
        }

        StateStoreLog.AllCheckpointsUnreadable(logger, paths.Root, tokens.Count);
        return instance;
    }

    /// <summary>Tokens of checkpoints that have both an index and a log part, newest first.</summary>
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

        return tokens;
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

        return new FasterInstance(store, device, checkpointManager);
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
