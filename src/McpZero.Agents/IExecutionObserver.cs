using McpZero.Protocol;

namespace McpZero.Agents;

/// <summary>Receives the outcome of every plugin call the runtime runs, for monitoring.</summary>
/// <remarks>
/// Called on the thread that ran the call, after the call and before its trace record is appended.
/// An implementation must be thread-safe, fast and must not throw.
/// </remarks>
public interface IExecutionObserver
{
    /// <param name="plugin">The plugin's installed name.</param>
    /// <param name="method">The export that ran.</param>
    /// <param name="status"><see cref="ErrorCode.Ok"/>, or the error the call failed with.</param>
    /// <param name="durationMicros">Wall-clock time of the WebAssembly call, in microseconds.</param>
    void Executed(string plugin, string method, ErrorCode status, long durationMicros);
}
