using System.Globalization;

namespace McpZero.Server;

/// <summary>
/// The GC heap hard limit: the value baked into the binary, any environment override, and what
/// the runtime actually applied.
/// </summary>
public sealed record GcHeapLimit(long BakedBytes, long EffectiveBytes, string Source)
{
    private const string OverrideVariable = "DOTNET_GCHeapHardLimit";

    // The daemon with FASTER's pinned log pages and index does not start below this; 16 MiB crashed
    // during start-up in a trial on the development VM.
    private const long MinimumBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Reads the limits and checks that the runtime applied the expected one. The runtime reads
    /// <c>DOTNET_GCHeapHardLimit</c> as bare hexadecimal and silently ignores other spellings, so
    /// the override is parsed the same way here and compared with the effective value.
    /// </summary>
    /// <exception cref="InvalidOperationException">The effective limit differs from the expected one.</exception>
    public static GcHeapLimit ReadAndCheck()
    {
        long baked = (AppContext.GetData("System.GC.HeapHardLimit") ?? AppContext.GetData("GCHeapHardLimit")) switch
        {
            string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) => value,
            long value => value,
            ulong value => (long)value,
            int value => value,
            _ => 0,
        };
        long effective = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

        string? overrideText = Environment.GetEnvironmentVariable(OverrideVariable);
        if (overrideText is not null)
        {
            if (!long.TryParse(overrideText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long requested) || requested <= 0)
            {
                throw new InvalidOperationException(
                    $"{OverrideVariable}='{overrideText}' is invalid: the runtime reads it as bare hexadecimal bytes, for example 10000000 for 256 MiB");
            }

            if (requested < MinimumBytes)
            {
                throw new InvalidOperationException(
                    $"{OverrideVariable}={overrideText} is {requested} bytes, below the minimum of {MinimumBytes / (1024 * 1024)} MiB the daemon needs; for example 10000000 is 256 MiB");
            }

            if (requested != effective)
            {
                throw new InvalidOperationException(
                    $"{OverrideVariable}={overrideText} asks for {requested} bytes but the runtime applied {effective}");
            }

            return new GcHeapLimit(baked, effective, $"{OverrideVariable} override");
        }

        if (baked <= 0)
        {
            throw new InvalidOperationException("this build has no GC heap hard limit baked in; rebuild with the project's settings");
        }

        if (baked != effective)
        {
            throw new InvalidOperationException($"the baked GC heap hard limit of {baked} bytes was not applied: the runtime reports {effective}");
        }

        return new GcHeapLimit(baked, effective, "baked into the binary");
    }
}
