using System.Security.Cryptography;
using System.Text;
using McpZero.Protocol;

namespace McpZero.Agents.Trust;

/// <summary>
/// The content of a bundle's <c>signature.bin</c>: the signed statement and an ECDSA P-256 SHA-256
/// signature over it.
/// </summary>
/// <remarks>
/// The file is UTF-8 text with LF line ends and exactly these seven lines, in this order:
/// <code>
/// mcpzero-signature-v1
/// algorithm: ecdsa-p256-sha256
/// key-id: 64 lowercase hex digits, the SHA-256 of the signer's public key (SubjectPublicKeyInfo DER)
/// manifest-sha256: 64 lowercase hex digits, the SHA-256 of manifest.json's bytes
/// module-sha256: 64 lowercase hex digits, the SHA-256 of plugin.wasm
/// readme-sha256: 64 lowercase hex digits of README.md's SHA-256, or "none" when the bundle has none
/// signature: base64 of the 64-byte IEEE P1363 signature (r then s, 32 bytes each)
/// </code>
/// The statement is the first six lines including their line ends, and the signature covers its
/// UTF-8 bytes. Because the statement carries each hash, a verifier can name the file that changed.
/// </remarks>
public sealed class BundleSignature
{
    public const string FileName = "signature.bin";
    public const string FormatLine = "mcpzero-signature-v1";
    public const string Algorithm = "ecdsa-p256-sha256";
    public const string NoReadme = "none";

    /// <summary>Signature bytes of ECDSA P-256 in IEEE P1363 form.</summary>
    public const int SignatureBytes = 64;

    /// <summary>Hex digits of a key id shown in messages and listings.</summary>
    public const int ShortKeyIdLength = 16;

    // signature.bin is 7 short lines; anything far larger is not one.
    private const int MaxFileBytes = 4096;

    public required string KeyId { get; init; }

    public required string ManifestSha256 { get; init; }

    public required string ModuleSha256 { get; init; }

    /// <summary>SHA-256 of README.md in hex, or <see cref="NoReadme"/>.</summary>
    public required string ReadmeSha256 { get; init; }

    public required byte[] Signature { get; init; }

    public string ShortKeyId => ShortenKeyId(KeyId);

    /// <summary>The first <see cref="ShortKeyIdLength"/> hex digits of a key id, as messages show it.</summary>
    public static string ShortenKeyId(string keyId) => keyId.Length > ShortKeyIdLength ? keyId[..ShortKeyIdLength] : keyId;

    /// <summary>Builds the canonical statement that a signature covers.</summary>
    public static string Statement(string keyId, string manifestSha256, string moduleSha256, string readmeSha256) =>
        $"{FormatLine}\nalgorithm: {Algorithm}\nkey-id: {keyId}\nmanifest-sha256: {manifestSha256}\nmodule-sha256: {moduleSha256}\nreadme-sha256: {readmeSha256}\n";

    /// <summary>The SHA-256 in lowercase hex that the statement records for a file, or <see cref="NoReadme"/> for an absent README.</summary>
    public static string HashOf(byte[]? bytes) => bytes is null ? NoReadme : Convert.ToHexStringLower(SHA256.HashData(bytes));

    public string StatementText => Statement(KeyId, ManifestSha256, ModuleSha256, ReadmeSha256);

    public byte[] Encode() => Encoding.UTF8.GetBytes($"{StatementText}signature: {Convert.ToBase64String(Signature)}\n");

    /// <summary>Parses signature.bin, or throws <see cref="ErrorCode.SignatureInvalid"/> naming the line that is wrong.</summary>
    public static BundleSignature Parse(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw Invalid("the file is empty");
        }

        if (bytes.Length > MaxFileBytes)
        {
            throw Invalid($"the file has {bytes.Length} bytes, more than the {MaxFileBytes} a signature file can have");
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("the file is not UTF-8 text");
        }

        string[] lines = text.Split('\n');
        if (lines.Length != 8 || lines[7].Length != 0)
        {
            throw Invalid($"expected 7 lines each ending in LF, found {lines.Length - 1} complete lines");
        }

        if (lines[0] != FormatLine)
        {
            throw Invalid($"the first line must be '{FormatLine}'");
        }

        string algorithm = Field(lines[1], "algorithm");
        if (algorithm != Algorithm)
        {
            throw Invalid($"algorithm '{algorithm}' is not supported; only {Algorithm} is");
        }

        string keyId = HexField(lines[2], "key-id");
        string manifestSha256 = HexField(lines[3], "manifest-sha256");
        string moduleSha256 = HexField(lines[4], "module-sha256");
        string readmeSha256 = Field(lines[5], "readme-sha256") == NoReadme ? NoReadme : HexField(lines[5], "readme-sha256");

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(Field(lines[6], "signature"));
        }
        catch (FormatException)
        {
            throw Invalid("the signature line is not valid base64");
        }

        if (signature.Length != SignatureBytes)
        {
            throw Invalid($"the signature has {signature.Length} bytes; ECDSA P-256 in IEEE P1363 form has {SignatureBytes}");
        }

        return new BundleSignature
        {
            KeyId = keyId,
            ManifestSha256 = manifestSha256,
            ModuleSha256 = moduleSha256,
            ReadmeSha256 = readmeSha256,
            Signature = signature,
        };
    }

    private static string Field(string line, string name)
    {
        string prefix = name + ": ";
        return line.StartsWith(prefix, StringComparison.Ordinal)
            ? line[prefix.Length..]
            : throw Invalid($"expected a line '{name}: ...', found '{Truncate(line)}'");
    }

    private static string HexField(string line, string name)
    {
        string value = Field(line, name);
        bool isHex = value.Length == 64 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
        return isHex ? value : throw Invalid($"{name} must be 64 lowercase hex digits, found '{Truncate(value)}'");
    }

    private static string Truncate(string text) => text.Length > 80 ? text[..80] + "..." : text;

    private static AgentException Invalid(string reason) =>
        new(ErrorCode.SignatureInvalid, $"{FileName} is malformed: {reason}; sign the bundle again with `mcpzero plugin sign`");
}
