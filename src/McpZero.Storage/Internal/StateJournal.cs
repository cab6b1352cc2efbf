using System.Buffers.Binary;
using FASTER.core;
using Microsoft.Extensions.Logging;

namespace McpZero.Storage.Internal;

/// <summary>
/// Redo journal of a <see cref="StateStore"/>: a FasterLog of the upserts and deletes made since the
/// oldest kept checkpoint, replayed on top of the recovered checkpoint at open.
/// </summary>
/// <remarks>
/// An entry is one operation byte, the key length as a 4-byte little-endian integer, the key and, for
/// an upsert, the value. FasterLog adds a length and a per-entry checksum, so a torn or zeroed tail is
/// detected and replay stops at the last good entry.
/// </remarks>
internal sealed class StateJournal : IDisposable
{
    private const byte UpsertOperation = 1;
    private const byte DeleteOperation = 2;
    private const int HeaderBytes = 1 + sizeof(int);

    // FasterLog puts a 4-byte length and an 8-byte checksum before each entry and pads it to 4 bytes.
    private const int EntryOverheadBytes = 16;

    // Entries are only appended and read back at open, so a few pages of buffer are enough.
    private const int MemoryPages = 4;

    private readonly IDevice _device;
    private readonly FasterLog _log;
    private readonly long _pageBytes;

    private StateJournal(IDevice device, FasterLog log, long pageBytes)
    {
        _device = device;
        _log = log;
        _pageBytes = pageBytes;
    }

    public long TailAddress => _log.TailAddress;

    public long BeginAddress => _log.BeginAddress;

    /// <summary>Bytes between the begin and the tail address, committed or not.</summary>
    public long SizeBytes => _log.TailAddress - _log.BeginAddress;

    /// <summary>
    /// Opens the journal in <see cref="StorePaths.Journal"/> and recovers its latest commit. A journal
    /// whose commit metadata cannot be read is moved aside and replaced by an empty one.
    /// </summary>
    public static StateJournal Open(StateStoreOptions options, StorePaths paths, ILogger logger)
    {
        try
        {
            return Create(options, paths);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var movedTo = paths.Journal + ".unreadable-" + DateTime.UtcNow.ToString("yyyyMMddTHHmmssZ");
            System.IO.Directory.Move(paths.Journal, movedTo);
            StateStoreLog.JournalUnreadable(logger, exception, paths.Journal, movedTo);
            StorePaths.EnsureWritable(paths.Root, paths.Journal, paths.JournalCommits);
            return Create(options, paths);
        }
    }

    /// <summary>Appends an upsert; the caller orders it against the store write under one lock.</summary>
    public void AppendUpsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Append(UpsertOperation, key, value);
    }

    /// <summary>Appends a delete; the caller orders it against the store write under one lock.</summary>
    public void AppendDelete(ReadOnlySpan<byte> key)
    {
        Append(DeleteOperation, key, []);
    }

    /// <summary>Largest value that fits in one journal entry next to <paramref name="keyLength"/> key bytes.</summary>
    public long MaxValueBytes(int keyLength) => _pageBytes - EntryOverheadBytes - HeaderBytes - keyLength;

    /// <summary>Makes every entry appended so far durable.</summary>
    public ValueTask CommitAsync(CancellationToken cancellationToken) => _log.CommitAsync(cancellationToken);

    /// <summary>Drops the entries below <paramref name="address"/>; segments are deleted at the next commit.</summary>
    public void TruncateUntil(long address)
    {
        if (address > _log.BeginAddress)
        {
            _log.TruncateUntil(address);
        }
    }

    /// <summary>
    /// Calls <paramref name="upsert"/> or <paramref name="delete"/> for each committed entry from
    /// <paramref name="fromAddress"/> on, in order.
    /// </summary>
    /// <returns>
    /// The number of entries applied, and the address of the first unreadable entry (or -1 when
    /// every committed entry was read).
    /// </returns>
    public (long Applied, long FirstBadAddress, string? Error) Replay(long fromAddress, Action<byte[], byte[]> upsert, Action<byte[]> delete)
    {
        var start = Math.Max(fromAddress, _log.BeginAddress);
        var until = _log.CommittedUntilAddress;
        long applied = 0;
        long address = start;
        long entriesEnd = start;
        using var iterator = _log.Scan(start, until);
        try
        {
            while (iterator.GetNext(out byte[] entry, out var length, out address, out var nextAddress))
            {
                if (!TryApply(entry.AsSpan(0, length), upsert, delete))
                {
                    return (applied, address, $"entry of {length} bytes has an invalid header");
                }

                applied++;
                entriesEnd = nextAddress;
            }
        }
        catch (Exception exception) when (exception is FasterException or IOException or IndexOutOfRangeException or ArgumentException)
        {
            return (applied, Math.Max(address, entriesEnd), exception.Message);
        }

        // A truncated or zeroed segment reads as an empty page, which the scan skips without an error.
        // The last good entry then ends before the end that the commit record gives.
        if (entriesEnd < until)
        {
            return (applied, entriesEnd, $"entries end at address {entriesEnd}, before the committed end {until}");
        }

        return (applied, -1, null);
    }

    /// <summary>End of the committed entries; replay reads up to here.</summary>
    public long CommittedUntilAddress => _log.CommittedUntilAddress;

    public void Dispose()
    {
        _log.Dispose();
        _device.Dispose();
    }

    private static StateJournal Create(StateStoreOptions options, StorePaths paths)
    {
        var device = Devices.CreateLogDevice(paths.JournalFile, preallocateFile: false, deleteOnClose: false, recoverDevice: true);
        var settings = new FasterLogSettings
        {
            LogDevice = device,
            PageSizeBits = StoreGeometry.Bits(options.PageBytes),
            MemorySizeBits = StoreGeometry.Bits(Math.Min(options.MemoryBytes, MemoryPages * options.PageBytes)),
            SegmentSizeBits = StoreGeometry.Bits(options.SegmentBytes),
            LogCommitDir = paths.JournalCommits,
            LogChecksum = LogChecksumType.PerEntry,
            TryRecoverLatest = true,
            RemoveOutdatedCommits = true,
        };

        try
        {
            return new StateJournal(device, new FasterLog(settings), options.PageBytes);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private void Append(byte operation, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var length = HeaderBytes + key.Length + value.Length;
        var buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        buffer[0] = operation;
        BinaryPrimitives.WriteInt32LittleEndian(buffer[1..], key.Length);
        key.CopyTo(buffer[HeaderBytes..]);
        value.CopyTo(buffer[(HeaderBytes + key.Length)..]);
        _log.Enqueue(buffer);
    }

    private static bool TryApply(ReadOnlySpan<byte> entry, Action<byte[], byte[]> upsert, Action<byte[]> delete)
    {
        if (entry.Length < HeaderBytes)
        {
            return false;
        }

        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(entry[1..]);
        if (keyLength <= 0 || keyLength > entry.Length - HeaderBytes)
        {
            return false;
        }

        var key = entry.Slice(HeaderBytes, keyLength).ToArray();
        switch (entry[0])
        {
            case UpsertOperation:
                upsert(key, entry[(HeaderBytes + keyLength)..].ToArray());
                return true;
            case DeleteOperation when entry.Length == HeaderBytes + keyLength:
                delete(key);
                return true;
            default:
                return false;
        }
    }
}
