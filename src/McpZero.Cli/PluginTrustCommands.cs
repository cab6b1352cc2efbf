using System.Text;
using McpZero.Agents;
using McpZero.Agents.Trust;
using McpZero.Protocol;

namespace McpZero.Cli;

/// <summary>
/// <c>plugin keygen</c>, <c>plugin sign</c> and <c>plugin verify</c>: local commands on key files and
/// bundle folders that need no daemon.
/// </summary>
internal static class PluginTrustCommands
{
    public const string DefaultKeyName = "mcpzero-signing";

    // The trusted-keys folder of a daemon started by `make run`, which keeps its data in ./var.
    public const string DefaultTrustedKeys = "var/trusted-keys";

    public static int Keygen(CommandLine line, bool json)
    {
        string directory = line.Option("out") ?? throw new UsageException("missing --out DIR: the folder for the key files");
        string name = line.Option("name") ?? DefaultKeyName;
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.'))
        {
            throw new UsageException($"key name '{name}' is invalid; use a file name without '/' that does not start with '.'");
        }

        string keyId;
        try
        {
            keyId = SigningKeys.Generate(directory, name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write the key files: {ex.Message}");
        }

        string privatePath = Path.Combine(directory, name + SigningKeys.PrivateKeyExtension);
        string publicPath = Path.Combine(directory, name + SigningKeys.PublicKeyExtension);
        if (json)
        {
            Output.Out.WriteLine($"{{\"key_id\":\"{keyId}\",\"private_key\":{JsonString(privatePath)},\"public_key\":{JsonString(publicPath)}}}");
            return Cli.ExitOk;
        }

        Output.Out.WriteLine($"key id       {keyId}");
        Output.Out.WriteLine($"private key  {privatePath} (mode 0600; keep it secret)");
        Output.Out.WriteLine($"public key   {publicPath} (copy it into a daemon's trusted-keys folder)");
        return Cli.ExitOk;
    }

    public static int Sign(CommandLine line)
    {
        string folder = line.Argument(0, "bundle folder");
        string keyPath = line.Option("key") ?? throw new UsageException("missing --key FILE: the private key from `mcpzero plugin keygen`");
        if (!Directory.Exists(folder))
        {
            throw new UsageException($"bundle folder '{folder}' not found; sign a folder with manifest.json and plugin.wasm, then pack it with tar if you need a .tar");
        }

        return RunLocal(() =>
        {
            PluginBundle bundle = PluginBundle.Read(folder);
            (string name, string version) = bundle.ReadIdentity();
            using System.Security.Cryptography.ECDsa key = SigningKeys.LoadPrivateKey(ReadableFile(keyPath, "private key"));
            BundleSignature signature = SigningKeys.Sign(key, bundle.Manifest, bundle.Module, bundle.Readme);
            PluginBundle.WriteSignature(folder, signature);
            Output.Out.WriteLine($"signed {name}@{version} with key {signature.ShortKeyId}: {Path.Combine(folder, BundleSignature.FileName)}");
        });
    }

    public static int Verify(CommandLine line)
    {
        string path = line.Argument(0, "bundle folder or .tar");
        string trustedKeys = line.Option("trusted-keys") ?? DefaultTrustedKeys;
        if (!PluginBundle.IsBundlePath(path))
        {
            throw new UsageException($"'{path}' is not a bundle folder or .tar file");
        }

        return RunLocal(() =>
        {
            PluginBundle bundle = PluginBundle.Read(ReadableBundle(path));
            (string name, string version) = bundle.ReadIdentity();
            string pluginId = $"{name}@{version}";
            if (bundle.Signature is null)
            {
                throw new AgentException(ErrorCode.SignatureInvalid, $"plugin '{pluginId}' is unsigned: '{path}' has no {BundleSignature.FileName}; sign it with `mcpzero plugin sign`");
            }

            using TrustedKeys keys = TrustedKeys.Load(trustedKeys);
            foreach ((string skippedPath, string reason) in keys.Skipped)
            {
                Output.Error.WriteLine($"mcpzero: skipped '{skippedPath}': {reason}");
            }

            string keyId = keys.Verify(pluginId, bundle.Signature, bundle.Manifest, bundle.Module, bundle.Readme);
            Output.Out.WriteLine($"ok: {pluginId} is signed by key {BundleSignature.ShortenKeyId(keyId)}, trusted in '{trustedKeys}'");
        });
    }

    /// <summary>Decodes a bundle file as UTF-8, rejecting invalid bytes so that the daemon hashes the same bytes.</summary>
    public static string DecodeUtf8(byte[] bytes, string path, string file)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException($"{file} of bundle '{path}' is not valid UTF-8");
        }
    }

    // Local commands report failures as the daemon's errors do, with exit status 1.
    private static int RunLocal(Action action)
    {
        try
        {
            action();
            return Cli.ExitOk;
        }
        catch (AgentException ex)
        {
            Output.Error.WriteLine($"mcpzero: {ex.Message} ({ex.Code})");
            return Cli.ExitServerError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static string ReadableFile(string path, string role) =>
        File.Exists(path) ? path : throw new UsageException($"{role} '{path}' not found");

    private static string ReadableBundle(string path) =>
        Directory.Exists(path) || File.Exists(path) ? path : throw new UsageException($"bundle '{path}' not found");

    private static string JsonString(string text) => "\"" + System.Text.Json.JsonEncodedText.Encode(text).ToString() + "\"";
}
