using System.Security.Cryptography;
using System.Text;
using McpZero.Agents;
using McpZero.Agents.Trust;
using McpZero.Protocol;

namespace McpZero.UnitTests.Agents;

public sealed class BundleSignatureTests : IDisposable
{
    private static readonly byte[] Manifest = """{"name":"counter","version":"1.0.0"}"""u8.ToArray();
    private static readonly byte[] Module = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];
    private static readonly byte[] Readme = "# counter\n"u8.ToArray();

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mz-sig-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void StatementHasTheDocumentedLines()
    {
        string statement = BundleSignature.Statement(new string('1', 64), new string('2', 64), new string('3', 64), "none");

        Assert.Equal(
            "mcpzero-signature-v1\n"
            + "algorithm: ecdsa-p256-sha256\n"
            + $"key-id: {new string('1', 64)}\n"
            + $"manifest-sha256: {new string('2', 64)}\n"
            + $"module-sha256: {new string('3', 64)}\n"
            + "readme-sha256: none\n",
            statement);
    }

    [Fact]
    public void SignatureFileRoundTrips()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        BundleSignature signed = SigningKeys.Sign(key, Manifest, Module, Readme);

        byte[] file = signed.Encode();
        BundleSignature parsed = BundleSignature.Parse(file);

        Assert.Equal(SigningKeys.KeyId(key), parsed.KeyId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Manifest)), parsed.ManifestSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Module)), parsed.ModuleSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Readme)), parsed.ReadmeSha256);
        Assert.Equal(signed.Signature, parsed.Signature);
        Assert.Equal(BundleSignature.SignatureBytes, parsed.Signature.Length);
        Assert.EndsWith($"signature: {Convert.ToBase64String(signed.Signature)}\n", Encoding.UTF8.GetString(file));
    }

    [Fact]
    public void SignatureWithoutReadmeRecordsNone()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        BundleSignature signed = SigningKeys.Sign(key, Manifest, Module, readme: null);

        Assert.Equal("none", BundleSignature.Parse(signed.Encode()).ReadmeSha256);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("mcpzero-signature-v2\na\nb\nc\nd\ne\nf\n", "first line")]
    [InlineData("mcpzero-signature-v1\nalgorithm: rsa\n", "7 lines")]
    public void MalformedSignatureFileIsRejected(string text, string expected)
    {
        AgentException error = Assert.Throws<AgentException>(() => BundleSignature.Parse(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(ErrorCode.SignatureInvalid, error.Code);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void UnknownAlgorithmIsRejected()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string text = Encoding.UTF8.GetString(SigningKeys.Sign(key, Manifest, Module, Readme).Encode())
            .Replace("ecdsa-p256-sha256", "ed25519", StringComparison.Ordinal);

        AgentException error = Assert.Throws<AgentException>(() => BundleSignature.Parse(Encoding.UTF8.GetBytes(text)));

        Assert.Contains("algorithm 'ed25519' is not supported", error.Message);
    }

    [Fact]
    public void TrustedKeyVerifiesBundle()
    {
        string keyId = SigningKeys.Generate(_directory, "dev");
        using ECDsa key = SigningKeys.LoadPrivateKey(Path.Combine(_directory, "dev.key"));
        byte[] signature = SigningKeys.Sign(key, Manifest, Module, Readme).Encode();
        using TrustedKeys trusted = TrustedKeys.Load(_directory);

        Assert.Equal(1, trusted.Count);
        Assert.Equal(keyId, trusted.Verify("counter@1.0.0", signature, Manifest, Module, Readme));
    }

    [Fact]
    public void PrivateKeyFileIsOwnerOnly()
    {
        SigningKeys.Generate(_directory, "dev");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "dev.key")));
    }

    [Fact]
    public void GenerateKeepsExistingKeys()
    {
        SigningKeys.Generate(_directory, "dev");
        string before = File.ReadAllText(Path.Combine(_directory, "dev.key"));

        Assert.Throws<IOException>(() => SigningKeys.Generate(_directory, "dev"));
        Assert.Equal(before, File.ReadAllText(Path.Combine(_directory, "dev.key")));
    }

    [Fact]
    public void UnknownKeyIsRejectedByKeyId()
    {
        SigningKeys.Generate(_directory, "trusted");
        using ECDsa stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] signature = SigningKeys.Sign(stranger, Manifest, Module, Readme).Encode();
        using TrustedKeys trusted = TrustedKeys.Load(_directory);

        AgentException error = Assert.Throws<AgentException>(() => trusted.Verify("counter@1.0.0", signature, Manifest, Module, Readme));

        Assert.Equal(ErrorCode.UntrustedSigner, error.Code);
        Assert.Contains(SigningKeys.KeyId(stranger), error.Message);
    }

    [Fact]
    public void ChangedModuleIsRejectedNamingBothHashes()
    {
        (TrustedKeys trusted, byte[] signature) = SignWithTrustedKey();
        byte[] changed = [.. Module, 0x00];

        AgentException error = Assert.Throws<AgentException>(() => trusted.Verify("counter@1.0.0", signature, Manifest, changed, Readme));

        Assert.Equal(ErrorCode.SignatureInvalid, error.Code);
        Assert.Contains("plugin.wasm", error.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(changed)), error.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Module)), error.Message);
        trusted.Dispose();
    }

    [Fact]
    public void ChangedManifestIsRejected()
    {
        (TrustedKeys trusted, byte[] signature) = SignWithTrustedKey();
        byte[] changed = """{"name":"counter","version":"1.0.1"}"""u8.ToArray();

        AgentException error = Assert.Throws<AgentException>(() => trusted.Verify("counter@1.0.0", signature, changed, Module, Readme));

        Assert.Equal(ErrorCode.SignatureInvalid, error.Code);
        Assert.Contains("manifest.json", error.Message);
        trusted.Dispose();
    }

    [Fact]
    public void RemovedReadmeIsRejected()
    {
        (TrustedKeys trusted, byte[] signature) = SignWithTrustedKey();

        AgentException error = Assert.Throws<AgentException>(() => trusted.Verify("counter@1.0.0", signature, Manifest, Module, readme: null));

        Assert.Contains("README.md", error.Message);
        trusted.Dispose();
    }

    [Fact]
    public void EditedStatementFailsVerification()
    {
        (TrustedKeys trusted, byte[] signature) = SignWithTrustedKey();
        byte[] otherModule = [.. Module, 0x01];
        string edited = Encoding.UTF8.GetString(signature).Replace(
            Convert.ToHexStringLower(SHA256.HashData(Module)),
            Convert.ToHexStringLower(SHA256.HashData(otherModule)),
            StringComparison.Ordinal);

        AgentException error = Assert.Throws<AgentException>(() => trusted.Verify("counter@1.0.0", Encoding.UTF8.GetBytes(edited), Manifest, otherModule, Readme));

        Assert.Equal(ErrorCode.SignatureInvalid, error.Code);
        Assert.Contains("does not verify", error.Message);
        trusted.Dispose();
    }

    [Fact]
    public void InvalidKeyFileIsSkipped()
    {
        SigningKeys.Generate(_directory, "good");
        File.WriteAllText(Path.Combine(_directory, "broken.pub"), "not a key\n");

        using TrustedKeys trusted = TrustedKeys.Load(_directory);

        Assert.Equal(1, trusted.Count);
        Assert.Single(trusted.Skipped);
        Assert.EndsWith("broken.pub", trusted.Skipped[0].Path);
    }

    private (TrustedKeys Trusted, byte[] Signature) SignWithTrustedKey()
    {
        SigningKeys.Generate(_directory, "dev");
        using ECDsa key = SigningKeys.LoadPrivateKey(Path.Combine(_directory, "dev.key"));
        return (TrustedKeys.Load(_directory), SigningKeys.Sign(key, Manifest, Module, Readme).Encode());
    }
}
