namespace McpZero.Plugins;

/// <summary>
/// The result of a successful <see cref="PluginEngine.Call"/>.
/// </summary>
/// <param name="Output">The bytes the plugin passed to <c>output_set</c>; empty when it set none.</param>
/// <param name="Duration">Wall-clock time of the call, including instantiation when one was needed.</param>
/// <param name="FuelConsumed">WebAssembly fuel the call consumed.</param>
public readonly record struct PluginCallResult(byte[] Output, TimeSpan Duration, ulong FuelConsumed);
