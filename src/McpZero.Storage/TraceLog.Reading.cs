using McpZero.Storage.Internal;

namespace McpZero.Storage;

public sealed partial class TraceLog
{
    /// <summary>
    /// Offers every entry from <paramref name="start"/> to <paramref name="end"/> to
    /// <paramref name="verifier"/> and calls <paramref name="accepted"/> for each one that passes.
    /// </summary>
    /// <returns>What failed at the first bad entry, or null when every entry passed.</returns>
    private string? WalkChain(long start, long end, TraceChainVerifier verifier, Action<LogEntry>? accepted)
    {
        foreach (var entry in ReadEntries(start, end))
        {
            var ok = entry.Seal is { } seal ? verifier.AcceptSeal(seal)
                : entry.Record is { } record ? verifier.Accept(record)
                : Reject(verifier, entry);
            if (!ok)
            {
                return verifier.Failure!.Value.Message;
            }

            accepted?.Invoke(entry);
        }

        return null;
    }

    private static bool Reject(TraceChainVerifier verifier, LogEntry entry)
    {
        verifier.RejectUndecodable(entry.Address, entry.Error ?? "unknown error");
        return false;
    }

    /// <summary>
    /// Reads the entries between two addresses, skipping the damaged regions that earlier opens
    /// stepped over; a read error ends a stretch with an error entry.
    /// </summary>
    private IEnumerable<LogEntry> ReadEntries(long start, long end)
    {
        List<DamagedRegion> regions;
        lock (_appendLock)
        {
            regions = [.. _damagedRegions];
        }

        var position = start;
        foreach (var region in regions)
        {
            if (region.EndAddress <= position || region.StartAddress >= end)
            {
                continue;
            }

            foreach (var entry in ReadStretch(position, Math.Min(region.StartAddress, end)))
            {
                yield return entry;
            }

            position = region.EndAddress;
        }

        foreach (var entry in ReadStretch(position, end))
        {
            yield return entry;
        }
    }

    private IEnumerable<LogEntry> ReadStretch(long start, long end)
    {
        if (start >= end)
        {
            yield break;
        }

        var entries = new List<LogEntry>(256);
        using var iterator = _log.Scan(start, end);
        while (true)
        {
            entries.Clear();
            string? readError = null;
            long errorAddress = iterator.NextAddress;
            try
            {
                while (entries.Count < 256 && iterator.GetNext(out byte[] entry, out var length, out var address, out var nextAddress))
                {
                    entries.Add(Decode(entry.AsSpan(0, length), address, nextAddress));
                }
            }
            catch (Exception exception) when (exception is FASTER.core.FasterException or IOException or InvalidOperationException or ArgumentException)
            {
                readError = $"reading the log failed: {exception.Message}";
            }

            foreach (var entry in entries)
            {
                yield return entry;
            }

            if (readError is not null)
            {
                yield return new LogEntry(errorAddress, errorAddress, null, null, readError, IsReadError: true);
                yield break;
            }

            if (entries.Count < 256)
            {
                yield break;
            }
        }
    }

    private static LogEntry Decode(ReadOnlySpan<byte> bytes, long address, long nextAddress)
    {
        if (TraceSeal.IsSeal(bytes))
        {
            return TraceSeal.Decode(bytes) is { } seal
                ? new LogEntry(address, nextAddress, null, seal, null)
                : new LogEntry(address, nextAddress, null, null, $"seal entry has {bytes.Length} bytes instead of {TraceSeal.EncodedBytes}");
        }

        try
        {
            var record = DocumentSerializer<TraceRecord>.Deserialize(bytes);
            // A zeroed or cut payload can decode as a record with fewer members, whose other members
            // stay null or empty.
            if (record is null || record.AgentId is null || record.Plugin is null || record.Method is null
                || record.InputSha256 is null || record.OutputSha256 is null || record.PreviousHash is null
                || record.Hash is not { Length: TraceHash.HashBytes })
            {
                return new LogEntry(address, nextAddress, null, null, "entry is not a complete trace record");
            }

            return new LogEntry(address, nextAddress, record, null, null);
        }
        catch (Exception exception) when (exception is MemoryPack.MemoryPackSerializationException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            return new LogEntry(address, nextAddress, null, null, exception.Message);
        }
    }

    /// <summary>
    /// One entry read from the log: a record, a seal, or an error for an entry that cannot be used.
    /// <c>IsReadError</c> marks an address where the log could not be read, after which nothing was read.
    /// </summary>
    private readonly record struct LogEntry(long Address, long NextAddress, TraceRecord? Record, TraceSeal? Seal, string? Error, bool IsReadError = false);
}
