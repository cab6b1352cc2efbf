using System.Formats.Tar;
using McpZero.Protocol;

namespace McpZero.Agents.Trust;

/// <summary>
/// The files of a plugin bundle: a folder, or a .tar of that folder, with <c>manifest.json</c>,
/// <c>plugin.wasm</c>, <c>signature.bin</c> and an optional <c>README.md</c>.
/// </summary>
public sealed class PluginBundle
{
    public const string ManifestFile = "manifest.json";
    public const string ModuleFile = "plugin.wasm";
    public const string ReadmeFile = "README.md";

    // A MemoryStream contains at most this many bytes. The daemon's MaxFrameBytes rejects far smaller files.
    private const long MaxFileBytes = int.MaxValue;

    public required byte[] Manifest { get; init; }

    public required byte[] Module { get; init; }

    /// <summary>Content of signature.bin; null when the bundle is unsigned.</summary>
    public byte[]? Signature { get; init; }

    public byte[]? Readme { get; init; }

    /// <summary>True when <paramref name="path"/> is a folder or a .tar file, the two forms of a bundle.</summary>
    public static bool IsBundlePath(string path) =>
        Directory.Exists(path) || path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a bundle folder or .tar file.</summary>
    /// <exception cref="AgentException">manifest.json or plugin.wasm is missing, or a file appears twice in the .tar.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static PluginBundle Read(string path)
    {
        Dictionary<string, byte[]> files = Directory.Exists(path) ? ReadFolder(path) : ReadTar(path);
        return new PluginBundle
        {
            Manifest = files.GetValueOrDefault(ManifestFile) ?? throw Missing(path, ManifestFile),
            Module = files.GetValueOrDefault(ModuleFile) ?? throw Missing(path, ModuleFile),
            Signature = files.GetValueOrDefault(BundleSignature.FileName),
            Readme = files.GetValueOrDefault(ReadmeFile),
        };
    }

    /// <summary>
    /// Checks the manifest as the daemon will and returns its name and version, which a signed bundle
    /// must both have. A module hash in the manifest must match plugin.wasm.
    /// </summary>
    /// <exception cref="AgentException">The manifest is invalid, lacks a name or version, or names another module hash.</exception>
    public (string Name, string Version) ReadIdentity()
    {
        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Manifest);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"{ManifestFile} is not valid UTF-8");
        }

        PluginManifest manifest = PluginManifest.Parse(text);
        if (manifest.Name is null || manifest.Version is null)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"{ManifestFile} needs a \"name\" and a \"version\" such as \"1.0.0\" to be a bundle");
        }

        string moduleSha256 = BundleSignature.HashOf(Module);
        if (manifest.Hash is { } expected && !string.Equals(expected, moduleSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new AgentException(
                ErrorCode.InvalidModule,
                $"module hash mismatch: {ManifestFile} says {expected} but the SHA-256 of {ModuleFile} is {moduleSha256}");
        }

        return (manifest.Name, manifest.Version);
    }

    /// <summary>Writes signature.bin into a bundle folder, replacing an older one.</summary>
    public static void WriteSignature(string folder, BundleSignature signature)
    {
        string path = Path.Combine(folder, BundleSignature.FileName);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, signature.Encode());
        File.Move(temporary, path, overwrite: true);
    }

    private static Dictionary<string, byte[]> ReadFolder(string folder)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string name in new[] { ManifestFile, ModuleFile, BundleSignature.FileName, ReadmeFile })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                files[name] = File.ReadAllBytes(path);
            }
        }

        return files;
    }

    // Takes the bundle files from the root of the archive or from one folder level below it, as
    // `tar -cf b.tar -C DIR .` and `tar -cf b.tar DIR` write them. Other entries are ignored.
    private static Dictionary<string, byte[]> ReadTar(string path)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using FileStream stream = File.OpenRead(path);
        using var reader = new TarReader(stream);
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    continue;
                }

                string[] parts = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(part => part != ".").ToArray();
                if (parts.Length is 0 or > 2 || parts[^1] is not (ManifestFile or ModuleFile or BundleSignature.FileName or ReadmeFile))
                {
                    continue;
                }

                if (entry.Length > MaxFileBytes || entry.DataStream is null)
                {
                    throw new AgentException(ErrorCode.InvalidArgument, $"bundle '{path}' has an unreadable or too large entry '{entry.Name}'");
                }

                var content = new MemoryStream((int)entry.Length);
                entry.DataStream.CopyTo(content);
                if (!files.TryAdd(parts[^1], content.ToArray()))
                {
                    throw new AgentException(ErrorCode.InvalidArgument, $"bundle '{path}' contains {parts[^1]} more than once; pack one bundle folder per .tar");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"bundle '{path}' is not a valid .tar file: {ex.Message}");
        }

        return files;
    }

    private static AgentException Missing(string path, string file) =>
        new(ErrorCode.InvalidArgument, $"bundle '{path}' has no {file}; a bundle contains {ManifestFile}, {ModuleFile}, {BundleSignature.FileName} and an optional {ReadmeFile}");
}
