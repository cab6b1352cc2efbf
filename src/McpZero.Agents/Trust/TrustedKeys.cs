using System.Security.Cryptography;
using System.Text;
using McpZero.Protocol;

namespace McpZero.Agents.Trust;

/// <summary>
/// The public keys in a trusted-keys folder: every <c>*.pub</c> file holding an ECDSA P-256 key in
/// SubjectPublicKeyInfo PEM, by key id.
/// </summary>
public sealed class TrustedKeys : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys;

    private TrustedKeys(string directory, Dictionary<string, ECDsa> keys, List<(string Path, string Reason)> skipped)
    {
        Directory = directory;
        _keys = keys;
        Skipped = skipped;
    }

    public string Directory { get; }

    public int Count => _keys.Count;

    /// <summary>Files in the folder that were not loaded, with the reason.</summary>
    public IReadOnlyList<(string Path, string Reason)> Skipped { get; }

    /// <summary>Reads every <c>*.pub</c> file of <paramref name="directory"/>; a missing folder gives an empty set.</summary>
    public static TrustedKeys Load(string directory)
    {
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        var skipped = new List<(string, string)>();
        if (!System.IO.Directory.Exists(directory))
        {
            return new TrustedKeys(directory, keys, skipped);
        }

        foreach (string path in System.IO.Directory.EnumerateFiles(directory, "*" + SigningKeys.PublicKeyExtension).Order(StringComparer.Ordinal))
        {
            try
            {
                ECDsa key = SigningKeys.LoadPublicKey(path);
                if (!keys.TryAdd(SigningKeys.KeyId(key), key))
                {
                    key.Dispose();
                }
            }
            catch (Exception ex) when (ex is AgentException or IOException or UnauthorizedAccessException)
            {
                skipped.Add((path, ex.Message));
            }
        }

        return new TrustedKeys(directory, keys, skipped);
    }

    /// <summary>
    /// Checks a bundle's signature against these keys and returns the signer's key id.
    /// </summary>
    /// <exception cref="AgentException">
    /// <see cref="ErrorCode.UntrustedSigner"/> when no trusted key has the signature's key id, and
    /// <see cref="ErrorCode.SignatureInvalid"/> when signature.bin is malformed, a file's hash differs
    /// from the one signed, or the signature does not verify. The message names the key id or the hashes.
    /// </exception>
    public string Verify(string pluginName, byte[] signatureFile, byte[] manifest, byte[] module, byte[]? readme)
    {
        BundleSignature signature = BundleSignature.Parse(signatureFile);
        if (!_keys.TryGetValue(signature.KeyId, out ECDsa? key))
        {
            throw new AgentException(
                ErrorCode.UntrustedSigner,
                System.IO.Directory.Exists(Directory)
                    ? $"plugin '{pluginName}' is signed by key {signature.ShortKeyId}, which is not trusted: no .pub file in '{Directory}' has key id {signature.KeyId}; copy the signer's public key there if you trust it"
                    : $"plugin '{pluginName}' is signed by key {signature.ShortKeyId}, which is not trusted: the trusted-keys folder '{Directory}' does not exist; create it and copy the signer's public key (key id {signature.KeyId}) there if you trust it");
        }

        CheckHash(pluginName, "plugin.wasm", BundleSignature.HashOf(module), signature.ModuleSha256, signature);
        CheckHash(pluginName, "manifest.json", BundleSignature.HashOf(manifest), signature.ManifestSha256, signature);
        CheckHash(pluginName, "README.md", BundleSignature.HashOf(readme), signature.ReadmeSha256, signature);

        byte[] statement = Encoding.UTF8.GetBytes(signature.StatementText);
        if (!key.VerifyData(statement, signature.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new AgentException(
                ErrorCode.SignatureInvalid,
                $"signature of plugin '{pluginName}' does not verify with key {signature.ShortKeyId}: {BundleSignature.FileName} was changed after signing; sign the bundle again");
        }

        return signature.KeyId;
    }

    public void Dispose()
    {
        foreach (ECDsa key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private static void CheckHash(string pluginName, string file, string actual, string signed, BundleSignature signature)
    {
        if (!string.Equals(actual, signed, StringComparison.Ordinal))
        {
            throw new AgentException(
                ErrorCode.SignatureInvalid,
                $"{file} of plugin '{pluginName}' was changed after signing: its sha256 is {actual} but the signature by key {signature.ShortKeyId} covers {signed}");
        }
    }
}
