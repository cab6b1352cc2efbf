namespace McpZero.Plugins;

/// <summary>
/// A failure to load or call a plugin. <see cref="Kind"/> is the stable cause.
/// </summary>
/// <remarks>
/// A call failure's message names the plugin (<see cref="PluginCall.PluginName"/> with the short SHA-256,
/// or the short SHA-256 alone), the method, the agent and the cause. A load failure's message is one line
/// with the cause only, for the caller to prefix with the plugin's name.
/// </remarks>
public sealed class PluginException : Exception
{
    /// <summary>Creates an exception of the given kind.</summary>
    public PluginException(PluginErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates an exception of the given kind that wraps the exception that caused it.</summary>
    public PluginException(PluginErrorKind kind, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>The cause of the failure.</summary>
    public PluginErrorKind Kind { get; }

    /// <summary>Time spent in the call before it failed; zero for failures outside a call.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Fuel the call consumed before it failed, so failed calls are charged too.</summary>
    public ulong FuelConsumed { get; init; }
}
