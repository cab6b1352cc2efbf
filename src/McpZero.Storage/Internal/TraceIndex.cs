using System.Buffers.Binary;

namespace McpZero.Storage.Internal;

/// <summary>
/// One entry of the sparse trace index: a run of records that ends with a seal, with its log
/// addresses, sequence range and timestamp range.
/// </summary>
/// <param name="StartAddress">Log address of the block's first record.</param>
/// <param name="EndAddress">Log address just after the block's closing seal.</param>
/// <param name="FirstSequence">Sequence of the block's first record.</param>
/// <param name="RecordCount">Number of records in the block.</param>
/// <param name="MinTimestamp">Smallest record timestamp in the block, in microseconds since the Unix epoch.</param>
/// <param name="MaxTimestamp">Largest record timestamp in the block, in microseconds since the Unix epoch.</param>
/// <param name="LastHash">Hash of the block's last record.</param>
internal sealed record TraceIndexBlock(
    long StartAddress, long EndAddress, long FirstSequence, long RecordCount, long MinTimestamp, long MaxTimestamp, byte[] LastHash)
{
    public const int EncodedBytes = 6 * sizeof(long) + TraceHash.HashBytes;

    public long LastSequence => FirstSequence + RecordCount - 1;

    public void Encode(Span<byte> buffer)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer, StartAddress);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], EndAddress);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[16..], FirstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[24..], RecordCount);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[32..], MinTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[40..], MaxTimestamp);
        LastHash.CopyTo(buffer[48..]);
    }

    public static TraceIndexBlock Decode(ReadOnlySpan<byte> buffer) => new(
        BinaryPrimitives.ReadInt64LittleEndian(buffer),
        BinaryPrimitives.ReadInt64LittleEndian(buffer[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(buffer[16..]),
        BinaryPrimitives.ReadInt64LittleEndian(buffer[24..]),
        BinaryPrimitives.ReadInt64LittleEndian(buffer[32..]),
        BinaryPrimitives.ReadInt64LittleEndian(buffer[40..]),
        buffer.Slice(48, TraceHash.HashBytes).ToArray());
}

/// <summary>
/// The file that keeps the sparse trace index across restarts, so that opening a large log reads only
/// its last block and tail instead of every record.
/// </summary>
/// <remarks>
/// The file is a cache of what the log contains: entries are appended without fsync after the log
/// commit that made their records durable, a torn last entry is ignored, and <see cref="TraceLog"/>
/// checks the entries against the log on open and rebuilds what is missing.
/// </remarks>
internal sealed class TraceIndexFile(string path)
{
    public string Path { get; } = path;

    public List<TraceIndexBlock> Load()
    {
        var blocks = new List<TraceIndexBlock>();
        if (!File.Exists(Path))
        {
            return blocks;
        }

        var bytes = File.ReadAllBytes(Path);
        for (var offset = 0; offset + TraceIndexBlock.EncodedBytes <= bytes.Length; offset += TraceIndexBlock.EncodedBytes)
        {
            blocks.Add(TraceIndexBlock.Decode(bytes.AsSpan(offset, TraceIndexBlock.EncodedBytes)));
        }

        return blocks;
    }

    public void Append(IReadOnlyList<TraceIndexBlock> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.None);
        stream.Write(Encode(blocks));
    }

    /// <summary>Replaces the file with <paramref name="blocks"/> through a temporary file and a rename.</summary>
    public void Rewrite(IReadOnlyList<TraceIndexBlock> blocks)
    {
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encode(blocks));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);
    }

    private static byte[] Encode(IReadOnlyList<TraceIndexBlock> blocks)
    {
        var bytes = new byte[blocks.Count * TraceIndexBlock.EncodedBytes];
        for (var i = 0; i < blocks.Count; i++)
        {
            blocks[i].Encode(bytes.AsSpan(i * TraceIndexBlock.EncodedBytes, TraceIndexBlock.EncodedBytes));
        }

        return bytes;
    }
}
