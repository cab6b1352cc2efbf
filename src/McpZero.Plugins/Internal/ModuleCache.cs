using System.Security.Cryptography;
using System.Text;

namespace McpZero.Plugins.Internal;

/// <summary>
/// Compiled modules on disk: <c>&lt;directory&gt;/&lt;sha256&gt;-&lt;settings hash&gt;.cwasm</c>.
/// </summary>
/// <remarks>
/// Wasmtime trusts the bytes it deserializes, so each file carries a SHA-256 of its payload and an entry
/// whose hash does not match is treated as corrupt. Files are written to a temporary name and renamed,
/// so a reader never sees a partial file.
/// </remarks>
internal sealed class ModuleCache
{
    private static readonly byte[] Magic = "MZCWASM1"u8.ToArray();
    private const int HeaderBytes = 8 + 32;

    private readonly string _directory;
    private readonly string _settingsHash;

    public ModuleCache(string directory, string settingsDescription)
    {
        _directory = Path.GetFullPath(directory);
        _settingsHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(settingsDescription)))[..16];
        Directory.CreateDirectory(_directory);
    }

    public string DirectoryPath => _directory;

    public string PathFor(string sha256Hex)
    {
        return Path.Combine(_directory, $"{sha256Hex}-{_settingsHash}.cwasm");
    }

    /// <summary>Returns the payload of an entry, null when there is none.</summary>
    /// <exception cref="InvalidDataException">The entry exists but is truncated or its hash does not match.</exception>
    public byte[]? TryRead(string path)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (file.Length < HeaderBytes || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} does not start with the cache header.");
        }

        byte[] payload = file[HeaderBytes..];
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(file.AsSpan(Magic.Length, 32)))
        {
            throw new InvalidDataException($"{path} does not match its SHA-256.");
        }

        return payload;
    }

    public void Write(string path, byte[] payload)
    {
        string temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(Magic);
                file.Write(SHA256.HashData(payload));
                file.Write(payload);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover entry is detected as corrupt or overwritten next time.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
