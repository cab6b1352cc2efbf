namespace McpZero.Plugins.Internal;

/// <summary>
/// Thrown by a host function to stop the plugin with a trap. wasmtime-dotnet catches every exception at
/// the wasm-to-host transition, turns it into a trap and attaches it as the inner exception of the
/// exception the call throws, which is how <see cref="Kind"/> reaches the caller.
/// </summary>
internal sealed class HostTrapException : Exception
{
    public HostTrapException(PluginErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public PluginErrorKind Kind { get; }
}
