using McpZero.Protocol.Messages;

namespace McpZero.Client;

public static partial class McpZeroClientExtensions
{
    /// <summary>Installs a WebAssembly module as a plugin.</summary>
    /// <param name="client">The client to send the request with.</param>
    /// <param name="wasm">The module's bytes.</param>
    /// <param name="name">The plugin's name; null takes the name from the manifest.</param>
    /// <param name="manifestJson">The plugin manifest as JSON, or null for none.</param>
    /// <param name="replace">Switch active agents to this module when the name is in use by a different module.</param>
    /// <param name="cancellationToken">Cancels the wait for the reply.</param>
    public static ValueTask<PluginInfo> InstallPluginAsync(
        this IMcpZeroClient client,
        byte[] wasm,
        string? name = null,
        string? manifestJson = null,
        bool replace = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wasm);
        var request = new PluginInstallRequest { Wasm = wasm, Name = name, ManifestJson = manifestJson, Replace = replace };
        return Checked(client).RequestAsync<PluginInfo>(request, cancellationToken);
    }

    /// <summary>Lists the installed plugins.</summary>
    public static async ValueTask<PluginInfo[]> ListPluginsAsync(this IMcpZeroClient client, CancellationToken cancellationToken = default)
    {
        PluginListResponse list = await Checked(client).RequestAsync<PluginListResponse>(new PluginListRequest(), cancellationToken).ConfigureAwait(false);
        return list.Plugins;
    }

    /// <summary>Reads one installed plugin; throws <c>PluginNotFound</c> when there is none of that name.</summary>
    public static ValueTask<PluginInfo> GetPluginAsync(this IMcpZeroClient client, string name, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<PluginInfo>(new PluginShowRequest { Name = name }, cancellationToken);

    /// <summary>Removes an installed plugin; the daemon rejects this while agents use it.</summary>
    public static async ValueTask RemovePluginAsync(this IMcpZeroClient client, string name, CancellationToken cancellationToken = default) =>
        await Checked(client).RequestAsync<OkResponse>(new PluginRemoveRequest { Name = name }, cancellationToken).ConfigureAwait(false);
}
