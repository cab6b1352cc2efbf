using System.Security.Cryptography;
using McpZero.Protocol;

namespace McpZero.Agents.Trust;

/// <summary>
/// ECDSA P-256 key files for plugin signing: a private key as PKCS#8 PEM (<c>NAME.key</c>, mode 0600)
/// and its public key as SubjectPublicKeyInfo PEM (<c>NAME.pub</c>), the file a daemon trusts.
/// </summary>
/// <remarks>The keys come from System.Security.Cryptography, which uses the system's OpenSSL on Linux.</remarks>
public static class SigningKeys
{
    public const string PrivateKeyExtension = ".key";
    public const string PublicKeyExtension = ".pub";

    /// <summary>Returns the key id: the SHA-256 in lowercase hex of the public key's SubjectPublicKeyInfo DER.</summary>
    public static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>
    /// Generates a key pair and writes <c>DIRECTORY/NAME.key</c> and <c>DIRECTORY/NAME.pub</c>.
    /// Existing files are never overwritten.
    /// </summary>
    /// <returns>The key id.</returns>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    /// <exception cref="IOException">A file exists already or cannot be written.</exception>
    public static string Generate(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        string privatePath = Path.Combine(directory, name + PrivateKeyExtension);
        string publicPath = Path.Combine(directory, name + PublicKeyExtension);
        foreach (string path in new[] { privatePath, publicPath })
        {
            if (File.Exists(path))
            {
                throw new IOException($"'{path}' exists already; choose another --name or folder, or delete the old key first");
            }
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // The private key file is created with mode 0600, so it is never readable by others, not even briefly.
        var privateOptions = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var writer = new StreamWriter(privatePath, privateOptions))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
            writer.Write('\n');
        }

        File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem() + "\n");
        return KeyId(key);
    }

    /// <summary>Reads a PKCS#8 PEM private key and checks that it is on P-256.</summary>
    /// <exception cref="AgentException">The file is not such a key.</exception>
    public static ECDsa LoadPrivateKey(string path)
    {
        string pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            key.ExportParameters(includePrivateParameters: true);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new AgentException(ErrorCode.InvalidArgument, $"'{path}' is not an ECDSA private key in PEM ({ex.Message.TrimEnd('.')}); create one with `mcpzero plugin keygen`");
        }

        return RequireP256(key, path);
    }

    /// <summary>Reads a SubjectPublicKeyInfo PEM public key and checks that it is on P-256.</summary>
    /// <exception cref="AgentException">The file is not such a key.</exception>
    public static ECDsa LoadPublicKey(string path)
    {
        string pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new AgentException(ErrorCode.InvalidArgument, $"'{path}' is not an ECDSA public key in PEM: {ex.Message}");
        }

        return RequireP256(key, path);
    }

    /// <summary>Signs a bundle's files and returns the content of its signature.bin.</summary>
    public static BundleSignature Sign(ECDsa key, byte[] manifest, byte[] module, byte[]? readme)
    {
        string keyId = KeyId(key);
        string manifestSha256 = BundleSignature.HashOf(manifest);
        string moduleSha256 = BundleSignature.HashOf(module);
        string readmeSha256 = BundleSignature.HashOf(readme);
        byte[] statement = System.Text.Encoding.UTF8.GetBytes(BundleSignature.Statement(keyId, manifestSha256, moduleSha256, readmeSha256));
        return new BundleSignature
        {
            KeyId = keyId,
            ManifestSha256 = manifestSha256,
            ModuleSha256 = moduleSha256,
            ReadmeSha256 = readmeSha256,
            Signature = key.SignData(statement, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        };
    }

    private static ECDsa RequireP256(ECDsa key, string path)
    {
        if (key.KeySize != 256 || key.ExportParameters(includePrivateParameters: false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            key.Dispose();
            throw new AgentException(ErrorCode.InvalidArgument, $"key '{path}' is not on curve P-256; plugin signatures use ECDSA P-256");
        }

        return key;
    }
}
