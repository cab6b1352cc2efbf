using System.Buffers.Binary;

namespace McpZero.Storage.Tests;

/// <summary>
/// Reads and edits FasterLog segment files the way a person with a hex editor would, to damage a
/// trace log on disk.
/// </summary>
/// <remarks>
/// FasterLog 2.6.5 without checksums stores each entry as a 4-byte little-endian payload length, the
/// payload and zero padding to a multiple of 4 bytes. An entry never crosses a page, the unused end of
/// a page is zero, and the first entry of a new log is at address 64.
/// </remarks>
internal sealed class LogSegmentFile
{
    private const int FirstAddress = 64;
    private readonly int _pageBytes;

    public LogSegmentFile(string directory, int pageBytes, int segment = 0)
    {
        Path = System.IO.Path.Combine(directory, $"trace.log.{segment}");
        // FasterLog writes the last page only up to its tail, so the copy is padded to whole pages.
        var stored = File.ReadAllBytes(Path);
        Bytes = new byte[(stored.Length + pageBytes - 1) / pageBytes * pageBytes];
        stored.CopyTo(Bytes, 0);
        _pageBytes = pageBytes;
        Entries = Parse();
    }

    public string Path { get; }

    public byte[] Bytes { get; }

    public List<Entry> Entries { get; private set; }

    public IEnumerable<Entry> Records => Entries.Where(entry => !entry.IsSeal);

    public void Save() => File.WriteAllBytes(Path, Bytes);

    /// <summary>Removes an entry and moves the rest of its page forward, as if it had never been written.</summary>
    public void Remove(Entry entry)
    {
        var pageEnd = PageEnd(entry.Offset);
        Bytes.AsSpan(entry.Offset + entry.Size, pageEnd - entry.Offset - entry.Size).CopyTo(Bytes.AsSpan(entry.Offset));
        Bytes.AsSpan(pageEnd - entry.Size, entry.Size).Clear();
        Entries = Parse();
    }

    /// <summary>Inserts an entry with <paramref name="payload"/> before <paramref name="before"/>, moving the rest of the page back.</summary>
    public void Insert(Entry before, byte[] payload)
    {
        var size = 4 + ((payload.Length + 3) & ~3);
        var pageEnd = PageEnd(before.Offset);
        var used = Entries.Where(entry => PageEnd(entry.Offset) == pageEnd).Max(entry => entry.Offset + entry.Size);
        Assert.True(used + size <= pageEnd, "the page has no room for the inserted entry");

        Bytes.AsSpan(before.Offset, used - before.Offset).CopyTo(Bytes.AsSpan(before.Offset + size));
        Bytes.AsSpan(before.Offset, size).Clear();
        BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan(before.Offset), payload.Length);
        payload.CopyTo(Bytes.AsSpan(before.Offset + 4));
        Entries = Parse();
    }

    /// <summary>Swaps two entries of the same size.</summary>
    public void Swap(Entry first, Entry second)
    {
        Assert.Equal(first.Size, second.Size);
        var copy = Bytes.AsSpan(first.Offset, first.Size).ToArray();
        Bytes.AsSpan(second.Offset, second.Size).CopyTo(Bytes.AsSpan(first.Offset));
        copy.CopyTo(Bytes.AsSpan(second.Offset));
        Entries = Parse();
    }

    public void Zero(Entry entry) => Bytes.AsSpan(entry.Offset, entry.Size).Clear();

    public byte[] Payload(Entry entry) => Bytes.AsSpan(entry.Offset + 4, entry.Length).ToArray();

    private int PageEnd(int offset) => (offset / _pageBytes + 1) * _pageBytes;

    private List<Entry> Parse()
    {
        var entries = new List<Entry>();
        var offset = FirstAddress;
        while (offset + 4 <= Bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(offset));
            if (length <= 0 || offset + 4 + length > PageEnd(offset))
            {
                offset = PageEnd(offset);
                continue;
            }

            var isSeal = Bytes.AsSpan(offset + 4, Math.Min(8, length)).SequenceEqual("MZTSEAL1"u8);
            entries.Add(new Entry(offset, length, 4 + ((length + 3) & ~3), isSeal));
            offset += 4 + ((length + 3) & ~3);
        }

        return entries;
    }

    /// <param name="Offset">Offset of the length header in the file, which is also the log address in segment 0.</param>
    /// <param name="Length">Payload length in bytes.</param>
    /// <param name="Size">Bytes the entry takes in the page, header and padding included.</param>
    /// <param name="IsSeal">The entry is a seal rather than a trace record.</param>
    internal readonly record struct Entry(int Offset, int Length, int Size, bool IsSeal);
}
