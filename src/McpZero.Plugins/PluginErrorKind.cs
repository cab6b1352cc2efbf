namespace McpZero.Plugins;

/// <summary>
/// The cause of a <see cref="PluginException"/>.
/// </summary>
public enum PluginErrorKind
{
    /// <summary>The bytes are not a valid WebAssembly module, or their SHA-256 differs from the stated one.</summary>
    InvalidModule,

    /// <summary>The module has no export of the requested name with the type <c>() -> i32</c>.</summary>
    MissingExport,

    /// <summary>The plugin trapped (unreachable, out-of-bounds access, a failed host call and so on).</summary>
    Trap,

    /// <summary>The call ran past <see cref="PluginLimits.TimeoutMs"/>.</summary>
    Timeout,

    /// <summary>The call used all of <see cref="PluginLimits.Fuel"/>.</summary>
    OutOfFuel,

    /// <summary>The plugin reached <see cref="PluginLimits.MaxMemoryBytes"/> in linear or kernel memory.</summary>
    OutOfMemory,

    /// <summary>The plugin reported failure: a non-zero return value, <c>error_set</c> or a non-zero WASI exit code.</summary>
    PluginError,

    /// <summary>The output is larger than <see cref="PluginLimits.MaxOutputBytes"/>.</summary>
    OutputTooLarge,

    /// <summary>The module imports something this host does not define.</summary>
    Linking,

    /// <summary>The host cancelled the call through <see cref="PluginCall.Cancellation"/>, for example at shutdown.</summary>
    Cancelled,

    /// <summary>
    /// A new instance could not reserve its linear memory, because the process-wide
    /// <see cref="MemoryBudget"/> stayed spent until the call's deadline.
    /// </summary>
    MemoryBudgetExhausted,

    /// <summary>
    /// The plugin's <c>http_request</c> named a host that <see cref="PluginCall.AllowedHosts"/> does not
    /// match, or was redirected to one.
    /// </summary>
    HttpNotAllowed,

    /// <summary>
    /// The plugin's <c>http_request</c> failed: an invalid request, a connection or protocol error, or a
    /// response body over <see cref="PluginLimits.MaxHttpResponseBytes"/>.
    /// </summary>
    HttpFailed,
}
