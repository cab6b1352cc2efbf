namespace McpZero.Storage;

/// <summary>Result of <see cref="TraceLog.Verify"/>.</summary>
/// <param name="Ok">True when every checked record matches its hash and links to the one before it.</param>
/// <param name="RecordsChecked">Number of records whose hash was recomputed.</param>
/// <param name="FirstBadSequence">Sequence of the first record that failed a check, or -1 when <paramref name="Ok"/> is true.</param>
/// <param name="Message">What failed and where, or a summary when the chain is intact.</param>
public readonly record struct TraceVerification(bool Ok, long RecordsChecked, long FirstBadSequence, string Message);
