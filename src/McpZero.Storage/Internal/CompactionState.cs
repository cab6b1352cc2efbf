using System.Buffers.Binary;

namespace McpZero.Storage.Internal;

/// <summary>
/// The log size measured right after the last compaction, kept in a small file so that the compaction
/// threshold survives restarts.
/// </summary>
/// <remarks>
/// The value is only a heuristic: a missing or damaged file reads as zero, which makes the next
/// checkpoint compact as soon as the log spans more than one segment.
/// </remarks>
internal static class CompactionState
{
    private const string FileName = "compaction.state";

    public static long ReadLiveBytes(StorePaths paths)
    {
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(paths.Root, FileName));
            return bytes.Length == sizeof(long) ? Math.Max(0, BinaryPrimitives.ReadInt64LittleEndian(bytes)) : 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Writes the value through a temporary file and a rename, so a crash leaves the old or the new value.</summary>
    public static void WriteLiveBytes(StorePaths paths, long liveBytes)
    {
        var path = Path.Combine(paths.Root, FileName);
        var temporaryPath = path + ".tmp";
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, liveBytes);
        File.WriteAllBytes(temporaryPath, bytes);
        File.Move(temporaryPath, path, overwrite: true);
    }
}
