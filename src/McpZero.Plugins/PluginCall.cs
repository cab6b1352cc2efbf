using Microsoft.Extensions.Logging;

namespace McpZero.Plugins;

/// <summary>
/// One call of a plugin export on behalf of an agent.
/// </summary>
public sealed class PluginCall
{
    /// <summary>The agent the call runs for. Calls of one agent reuse its warm instance; other agents never see it.</summary>
    public required string AgentId { get; init; }

    /// <summary>
    /// The name users know the plugin by. When set, every <see cref="PluginException"/> message of the call
    /// names it with the short SHA-256 in parentheses, and plugin log lines name it in place of the hash.
    /// Null names the plugin by the short hash alone.
    /// </summary>
    public string? PluginName { get; init; }

    /// <summary>The export to call; it must have the type <c>() -> i32</c>, or be <c>_start</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The call's input, read by the plugin through <c>input_*</c>.</summary>
    public required ReadOnlyMemory<byte> Input { get; init; }

    /// <summary>Read-only configuration the plugin reads through <c>config_get</c>.</summary>
    public required IReadOnlyDictionary<string, string> Config { get; init; }

    /// <summary>The agent's variables, read and changed by the plugin through <c>var_get</c> and <c>var_set</c>.</summary>
    public required PluginVariables Variables { get; init; }

    /// <summary>Time, fuel, memory, variable and output limits of this call.</summary>
    public PluginLimits Limits { get; init; } = PluginLimits.Default;

    /// <summary>Logger for the plugin's <c>log_*</c> calls and its WASI stdout and stderr; null discards them.</summary>
    public ILogger? Log { get; init; }

    /// <summary>
    /// Stops the call with <see cref="PluginErrorKind.Cancelled"/> when cancelled. Guest code notices
    /// it at the next epoch check, within about 100 ms; a host function in progress finishes first.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// The <see cref="System.Diagnostics.Stopwatch"/> timestamp until which a call that needs a new
    /// instance waits for the engine's <see cref="MemoryBudget"/>; 0 does not wait.
    /// </summary>
    public long MemoryWaitDeadline { get; init; }

    /// <summary>
    /// Host name patterns that <c>http_request</c> may reach, as in an Extism manifest's
    /// <c>allowed_hosts</c>. Empty (the default) denies every request.
    /// </summary>
    /// <remarks>
    /// A pattern is matched against the whole host name of the URL, ignoring case and the port. <c>*</c>
    /// matches any run of characters, dots included, and <c>?</c> matches one character, so
    /// <c>*.example.com</c> matches <c>api.example.com</c> but not <c>example.com</c>, and <c>*</c> allows
    /// every host.
    /// </remarks>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>
    /// Host directories preopened for WASI, each under its guest path. Empty (the default) gives the plugin
    /// no filesystem. An instance keeps the directories it was created with, so a call with a different list
    /// gets a new instance.
    /// </summary>
    public IReadOnlyList<PluginPathGrant> AllowedPaths { get; init; } = [];

    /// <summary>
    /// The services behind the <c>extism:host/user</c> functions, such as <c>find_resources</c>. When it is
    /// null, those functions fail the call with a message that the host offers none.
    /// </summary>
    public IPluginHostServices? HostServices { get; init; }
}
