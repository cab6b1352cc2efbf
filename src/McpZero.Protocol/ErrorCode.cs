namespace McpZero.Protocol;

/// <summary>
/// Stable error codes carried by <see cref="Messages.ErrorResponse"/>. Values never change meaning
/// between protocol versions; new failures get new numbers.
/// </summary>
public enum ErrorCode : ushort
{
    /// <summary>No error; trace records of successful calls carry it.</summary>
    Ok = 0,

    // Protocol and framing.
    BadRequest = 1,
    UnsupportedVersion = 2,
    FrameTooLarge = 3,
    UnknownMessageType = 4,

    /// <summary>The request body exceeds the payload limit of its message type (configuration section PayloadLimits).</summary>
    PayloadTooLarge = 5,

    /// <summary>The client cancelled the request with a <see cref="Messages.CancelRequest"/>.</summary>
    Cancelled = 6,

    /// <summary>The server closed the connection because a frame stayed incomplete or the connection stayed idle too long.</summary>
    ConnectionTimedOut = 7,

    // Lookups.
    AgentNotFound = 10,
    PluginNotFound = 11,
    SnapshotNotFound = 12,
    MethodNotFound = 13,
    ResourceNotFound = 18,
    DocumentNotFound = 19,

    // Invalid requests.
    InvalidArgument = 20,
    InvalidModule = 21,
    InputTooLarge = 22,
    AlreadyExists = 23,
    Conflict = 24,

    // Plugin trust: a bundle's signature.bin is missing, malformed or does not match the bundle.
    SignatureInvalid = 25,

    // Plugin trust: a well-formed signature by a key that is not in the trusted-keys folder.
    UntrustedSigner = 26,

    // Plugin execution failures.
    PluginTrap = 30,
    PluginTimeout = 31,
    PluginOutOfFuel = 32,
    PluginOutOfMemory = 33,
    PluginError = 34,
    PluginOutputTooLarge = 35,
    PluginHttpNotAllowed = 36,
    PluginHttpFailed = 37,

    // Load.
    ResourceExhausted = 40,
    Busy = 41,
    ShuttingDown = 42,

    // Agent pools.
    PoolNotFound = 43,

    // Server faults.
    StorageFailure = 50,

    Internal = 60,

    // Access control, codes 51 and 52 (50 is StorageFailure).

    /// <summary>The caller's uid may not send this request. The message names the missing ownership or group.</summary>
    PermissionDenied = 51,
}
