namespace McpZero.Storage;

/// <summary>
/// The exception that the storage layer throws when a data directory, a checkpoint or a log cannot be
/// used. The message names the path or key involved and what to do next.
/// </summary>
public sealed class StorageException : Exception
{
    /// <summary>Initializes a new instance with a message that names the failing value.</summary>
    public StorageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    public StorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
