namespace McpZero.Storage.Internal;

/// <summary>Directory layout of one state store, created and checked for write access.</summary>
internal sealed class StorePaths
{
    private StorePaths(string root)
    {
        Root = root;
        LogDirectory = Path.Combine(root, "log");
        LogFile = Path.Combine(LogDirectory, "hlog.log");
        Checkpoints = Path.Combine(root, "checkpoints");
        Quarantine = Path.Combine(root, "unreadable-checkpoints");
        CheckpointOrder = Path.Combine(root, "checkpoint-order");
        Journal = Path.Combine(root, "journal");
        JournalFile = Path.Combine(Journal, "journal.log");
        JournalCommits = Path.Combine(Journal, "commits");
        JournalPositions = Path.Combine(root, "journal-positions");
    }

    public string Root { get; }

    public string LogDirectory { get; }

    /// <summary>Base name of the hybrid log; FASTER appends the segment number (hlog.log.0, ...).</summary>
    public string LogFile { get; }

    public string Checkpoints { get; }

    /// <summary>Tokens of the checkpoints taken, oldest first, one per line.</summary>
    public string CheckpointOrder { get; }

    /// <summary>Directory of the redo journal (<see cref="StateJournal"/>).</summary>
    public string Journal { get; }

    /// <summary>Base name of the journal log; FasterLog appends the segment number.</summary>
    public string JournalFile { get; }

    /// <summary>FasterLog commit records of the journal.</summary>
    public string JournalCommits { get; }

    /// <summary>Journal address at which each kept checkpoint started, one "token address" pair per line.</summary>
    public string JournalPositions { get; }

    /// <summary>Where checkpoints that failed to recover are moved, kept for inspection.</summary>
    public string Quarantine { get; }

    /// <summary>Creates the directories and proves that a file can be written in the root.</summary>
    /// <exception cref="StorageException">A directory cannot be created or the root is not writable.</exception>
    public static StorePaths Create(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new ArgumentException("data directory is empty; set StateStoreOptions.Directory", nameof(directory));
        }

        var paths = new StorePaths(Path.GetFullPath(directory));
        EnsureWritable(paths.Root, paths.LogDirectory, paths.Checkpoints, paths.Journal, paths.JournalCommits);
        return paths;
    }

    /// <summary>Creates <paramref name="root"/> and its <paramref name="subdirectories"/>, then writes a probe file in the root.</summary>
    /// <exception cref="StorageException">A directory cannot be created or the root is not writable.</exception>
    public static void EnsureWritable(string root, params string[] subdirectories)
    {
        try
        {
            System.IO.Directory.CreateDirectory(root);
            foreach (var subdirectory in subdirectories)
            {
                System.IO.Directory.CreateDirectory(subdirectory);
            }

            ProbeWrite(root);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(
                $"data directory '{root}' is not writable: {exception.Message}; choose another with --data",
                exception);
        }
    }

    /// <summary>Sums the lengths of all files under <paramref name="directory"/>, in bytes.</summary>
    public static long MeasureBytes(string directory)
    {
        var total = 0L;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            total += file.Length;
        }

        return total;
    }

    // Directory permissions can allow listing but not creating files (or the disk can be read-only),
    // so only a real write proves the directory is usable.
    private static void ProbeWrite(string root)
    {
        var probe = Path.Combine(root, ".write-probe");
        using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
        {
            stream.WriteByte(0);
        }

        File.Delete(probe);
    }
}
