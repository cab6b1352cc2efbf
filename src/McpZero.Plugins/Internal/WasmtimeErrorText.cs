namespace McpZero.Plugins.Internal;

/// <summary>
/// Turns Wasmtime's multi-line error text into one line for plugin messages.
/// </summary>
internal static class WasmtimeErrorText
{
    private const string CausedBy = "Caused by:";
    private const string AtOffset = "(at offset ";

    public static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n');
        return newline < 0 ? message : message[..newline].TrimEnd();
    }

    /// <summary>
    /// Condenses Wasmtime's multi-line trap text ("error while executing at wasm backtrace: … Caused by: …")
    /// into the cause and the innermost frame.
    /// </summary>
    public static string DescribeTrap(string message)
    {
        string[] lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int causedBy = Array.IndexOf(lines, CausedBy);
        if (causedBy < 0 || causedBy + 1 >= lines.Length)
        {
            return FirstLine(message);
        }

        string cause = lines[causedBy + 1];
        bool hasFrame = lines[0].EndsWith("backtrace:", StringComparison.Ordinal) && causedBy > 1;
        if (!hasFrame)
        {
            return cause;
        }

        // A frame reads "0:    0x51c - <unknown>!<wasm function 31>"; the frame number adds nothing.
        string frame = lines[1];
        int colon = frame.IndexOf(':');
        return $"{cause} (at {frame[(colon + 1)..].Trim()})";
    }

    /// <summary>
    /// Returns the innermost cause of a validation or compilation error as one line, without the Rust debug
    /// dump that some causes carry. An example is "magic header not detected: bad magic number (at offset
    /// 0x0)", where Wasmtime also lists the expected and actual bytes, one per line.
    /// </summary>
    public static string Summarize(string message)
    {
        int causedBy = message.LastIndexOf(CausedBy, StringComparison.Ordinal);
        string innermost = causedBy < 0 ? message : message[(causedBy + CausedBy.Length)..];
        string[] lines = innermost.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return CollapseSpaces(message);
        }

        string summary = lines[0];
        bool startsDump = summary.EndsWith('[') || summary.EndsWith('{') || summary.EndsWith('(');
        if (startsDump)
        {
            // The dump follows " - expected=[" or a bare bracket; the text before it is the cause.
            int dash = summary.LastIndexOf(" - ", StringComparison.Ordinal);
            summary = dash > 0 ? summary[..dash] : summary.TrimEnd('[', '{', '(', '=', ' ');

            // Wasmtime ends the cause with the offset of the bad byte, after the dump.
            string last = lines[^1];
            int offset = last.LastIndexOf(AtOffset, StringComparison.Ordinal);
            if (offset >= 0)
            {
                summary += " " + last[offset..];
            }
        }

        return CollapseSpaces(summary);
    }

    // Wasmtime pads some values ("unknown binary version:        0x2").
    private static string CollapseSpaces(string text)
    {
        return string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
