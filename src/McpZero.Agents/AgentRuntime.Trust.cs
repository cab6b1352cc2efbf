using System.Text;
using McpZero.Agents.Trust;
using McpZero.Protocol;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    /// <summary>The folder of trusted signing keys; see <see cref="AgentRuntimeOptions.TrustedKeysDirectory"/>.</summary>
    public string TrustedKeysDirectory =>
        _options.TrustedKeysDirectory ?? Path.Combine(_options.DataDirectory, "trusted-keys");

    /// <summary>
    /// Checks an install against the trusted keys and returns the signer's key id, or null for an
    /// unsigned plugin that <see cref="AgentRuntimeOptions.AllowUnsignedPlugins"/> lets through.
    /// </summary>
    private string? VerifyTrust(string pluginId, string? manifestJson, byte[] wasm, byte[]? signature, string? readme)
    {
        if (signature is null)
        {
            if (!_options.AllowUnsignedPlugins)
            {
                throw new AgentException(
                    ErrorCode.SignatureInvalid,
                    $"plugin '{pluginId}' is unsigned and this daemon installs only signed bundles; sign it with `mcpzero plugin sign` and install the bundle folder, or start the daemon with --allow-unsigned-plugins for development");
            }

            Log.UnsignedPluginAccepted(_logger, pluginId);
            return null;
        }

        if (manifestJson is null)
        {
            throw new AgentException(ErrorCode.SignatureInvalid, $"plugin '{pluginId}' has a signature but no manifest.json; a signed bundle needs both");
        }

        using TrustedKeys keys = TrustedKeys.Load(TrustedKeysDirectory);
        foreach ((string path, string reason) in keys.Skipped)
        {
            Log.TrustedKeySkipped(_logger, path, reason);
        }

        byte[]? readmeBytes = readme is null ? null : Encoding.UTF8.GetBytes(readme);
        string keyId = keys.Verify(pluginId, signature, Encoding.UTF8.GetBytes(manifestJson), wasm, readmeBytes);
        Log.SignedPluginAccepted(_logger, pluginId, BundleSignature.ShortenKeyId(keyId));
        return keyId;
    }
}
