namespace McpZero.Protocol;

/// <summary>Body compression codec of a connection, chosen at hello.</summary>
public enum CompressionCodec : byte
{
    None = 0,

    /// <summary>LZ4 block format (no frame header or checksum), as K4os.Compression.LZ4 1.3.8 writes it.</summary>
    Lz4 = 1,
}

public static class CompressionCodecNames
{
    public const string Lz4 = "lz4";

    /// <summary>Codec names this build can read and write, in order of preference.</summary>
    public static readonly string[] Supported = [Lz4];

    public static string ToName(CompressionCodec codec) => codec switch
    {
        CompressionCodec.Lz4 => Lz4,
        _ => "",
    };

    /// <summary>Parses a codec name, ignoring case. An empty name or "none" is <see cref="CompressionCodec.None"/>.</summary>
    public static bool TryParse(string? name, out CompressionCodec codec)
    {
        codec = CompressionCodec.None;
        if (string.IsNullOrEmpty(name) || name.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.Equals(Lz4, StringComparison.OrdinalIgnoreCase))
        {
            codec = CompressionCodec.Lz4;
            return true;
        }

        return false;
    }

    /// <summary>Returns the first codec in the client's list that the server has enabled, or None.</summary>
    public static CompressionCodec Choose(IEnumerable<string>? offered, CompressionCodec enabled)
    {
        if (offered is null || enabled == CompressionCodec.None)
        {
            return CompressionCodec.None;
        }

        foreach (string name in offered)
        {
            if (TryParse(name, out CompressionCodec codec) && codec == enabled)
            {
                return codec;
            }
        }

        return CompressionCodec.None;
    }
}
