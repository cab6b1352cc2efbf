namespace McpZero.Storage;

/// <summary>
/// The last record that retention removed from the trace log: verification of the remaining log
/// starts after it and checks that the first remaining record links to <see cref="Hash"/>.
/// </summary>
/// <param name="Sequence">Sequence of the last removed record.</param>
/// <param name="Hash">Hash of the last removed record.</param>
public sealed record TraceAnchor(long Sequence, byte[] Hash);
