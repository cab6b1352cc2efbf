using System.Text;

namespace McpZero.Cli;

/// <summary>
/// Standard output and error as plain UTF-8 stream writers.
/// </summary>
/// <remarks>
/// The CLI does not use <see cref="Console.Out"/>, <see cref="Console.Error"/> or
/// <see cref="Console.OpenStandardOutput()"/>: .NET 10's console streams initialise the terminal on
/// first use when one is attached, and that writes the keypad-mode sequence ESC[?1h ESC= to it.
/// Both writers flush after every write and are synchronized.
/// </remarks>
internal static class Output
{
    private static readonly DescriptorStream StandardOutput = new(1);

    public static TextWriter Out { get; } = CreateWriter(StandardOutput);

    public static TextWriter Error { get; } = CreateWriter(new DescriptorStream(2));

    /// <summary>Writes raw bytes to standard output, after the text already written.</summary>
    public static async Task WriteBytesAsync(ReadOnlyMemory<byte> bytes)
    {
        await Out.FlushAsync().ConfigureAwait(false);
        await StandardOutput.WriteAsync(bytes).ConfigureAwait(false);
        await StandardOutput.FlushAsync().ConfigureAwait(false);
    }

    private static TextWriter CreateWriter(Stream stream)
    {
        var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
        return TextWriter.Synchronized(writer);
    }
}
