namespace McpZero.Cli;

/// <summary>Reads files named on the command line, with usage errors that name the path.</summary>
internal static class InputFile
{
    /// <summary>Reads all bytes of <paramref name="path"/>; <paramref name="role"/> names the file in errors, such as "module".</summary>
    /// <exception cref="UsageException">The path is a directory or cannot be read.</exception>
    public static async Task<byte[]> ReadAllBytesAsync(string path, string role)
    {
        EnsureNotDirectory(path, role);
        try
        {
            return await File.ReadAllBytesAsync(path).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"{role} '{path}' not found");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {role} '{path}': {ex.Message}");
        }
    }

    /// <summary>Reads <paramref name="path"/> as UTF-8 text, skipping a byte order mark.</summary>
    /// <exception cref="UsageException">The path is a directory or cannot be read.</exception>
    public static async Task<string> ReadAllTextAsync(string path, string role)
    {
        byte[] bytes = await ReadAllBytesAsync(path, role).ConfigureAwait(false);
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    // Reading a directory fails with "access denied", which sends the user to check permissions.
    private static void EnsureNotDirectory(string path, string role)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"cannot read {role} '{path}': '{path}' is a directory; give a file");
        }
    }
}
