namespace McpZero.Plugins;

/// <summary>
/// A host directory that a plugin opens through WASI under <see cref="GuestPath"/>.
/// </summary>
/// <param name="HostPath">Absolute path of the directory on the host.</param>
/// <param name="GuestPath">The path the plugin opens it by, for example <c>/data</c>.</param>
/// <param name="Writable">
/// True lets the plugin create, change and delete files and directories below it; false allows only
/// reads and directory listings.
/// </param>
public sealed record PluginPathGrant(string HostPath, string GuestPath, bool Writable);
