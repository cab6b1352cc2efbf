using System.Globalization;

namespace McpZero.Storage.Internal;

/// <summary>
/// The journal address at which each checkpoint started: replay after recovering a checkpoint
/// starts there, and the journal is truncated below the oldest kept one.
/// </summary>
/// <remarks>
/// A missing or unreadable file, or a missing line, makes replay start at the journal's begin
/// address. That replays more entries than needed, which is safe because every entry stores a whole
/// value and entries are applied in the order the writes were made.
/// </remarks>
internal static class JournalPositions
{
    public static Dictionary<Guid, long> Read(StorePaths paths)
    {
        var positions = new Dictionary<Guid, long>();
        if (!File.Exists(paths.JournalPositions))
        {
            return positions;
        }

        try
        {
            foreach (var line in File.ReadLines(paths.JournalPositions))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2
                    && Guid.TryParse(parts[0], out var token)
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var address))
                {
                    positions[token] = address;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            positions.Clear();
        }

        return positions;
    }

    /// <summary>Replaces the file with <paramref name="positions"/> through a temporary file and a rename.</summary>
    public static void Write(StorePaths paths, IReadOnlyDictionary<Guid, long> positions)
    {
        var temporary = paths.JournalPositions + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new StreamWriter(file))
        {
            foreach (var (token, address) in positions)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{token} {address}"));
            }

            writer.Flush();
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, paths.JournalPositions, overwrite: true);
    }
}
