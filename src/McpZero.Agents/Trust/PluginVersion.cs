using System.Diagnostics.CodeAnalysis;

namespace McpZero.Agents.Trust;

/// <summary>
/// A plugin version of the form <c>MAJOR.MINOR.PATCH</c> with an optional <c>-PRERELEASE</c>, ordered
/// as Semantic Versioning 2.0.0 orders them.
/// </summary>
/// <remarks>
/// MAJOR, MINOR and PATCH are decimal numbers without leading zeros and compare numerically. A
/// version with a pre-release sorts below the same version without one. Pre-release identifiers are
/// separated by dots and compare left to right: numeric identifiers numerically, others by ordinal
/// string order, a numeric identifier below an alphanumeric one, and a shorter list below a longer
/// one that starts with it. Build metadata (<c>+...</c>) is rejected, so two different strings are
/// never the same version.
/// </remarks>
public sealed class PluginVersion : IComparable<PluginVersion>
{
    private const int MaxLength = 64;

    private readonly string[] _prerelease;

    private PluginVersion(string text, ulong major, ulong minor, ulong patch, string[] prerelease)
    {
        Text = text;
        Major = major;
        Minor = minor;
        Patch = patch;
        _prerelease = prerelease;
    }

    public string Text { get; }

    public ulong Major { get; }

    public ulong Minor { get; }

    public ulong Patch { get; }

    public bool IsPrerelease => _prerelease.Length > 0;

    /// <summary>Parses a version, or throws an <see cref="AgentException"/> that names the text.</summary>
    public static PluginVersion Parse(string text) =>
        TryParse(text, out PluginVersion? version)
            ? version
            : throw new AgentException(
                Protocol.ErrorCode.InvalidArgument,
                $"plugin version '{text}' is invalid; use MAJOR.MINOR.PATCH with an optional -PRERELEASE, such as 1.2.0 or 2.0.0-rc.1");

    public static bool TryParse(string? text, [NotNullWhen(true)] out PluginVersion? version)
    {
        version = null;
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            return false;
        }

        string core = text;
        string[] prerelease = [];
        int dash = text.IndexOf('-');
        if (dash >= 0)
        {
            core = text[..dash];
            prerelease = text[(dash + 1)..].Split('.');
            foreach (string identifier in prerelease)
            {
                if (!IsPrereleaseIdentifier(identifier))
                {
                    return false;
                }
            }
        }

        string[] parts = core.Split('.');
        if (parts.Length != 3
            || !TryParseNumber(parts[0], out ulong major)
            || !TryParseNumber(parts[1], out ulong minor)
            || !TryParseNumber(parts[2], out ulong patch))
        {
            return false;
        }

        version = new PluginVersion(text, major, minor, patch, prerelease);
        return true;
    }

    public int CompareTo(PluginVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        int core = Major != other.Major ? Major.CompareTo(other.Major)
            : Minor != other.Minor ? Minor.CompareTo(other.Minor)
            : Patch.CompareTo(other.Patch);
        if (core != 0)
        {
            return core;
        }

        // A release sorts above any of its pre-releases.
        if (_prerelease.Length == 0 || other._prerelease.Length == 0)
        {
            return (_prerelease.Length == 0 ? 1 : 0) - (other._prerelease.Length == 0 ? 1 : 0);
        }

        for (int i = 0; i < Math.Min(_prerelease.Length, other._prerelease.Length); i++)
        {
            int identifier = CompareIdentifiers(_prerelease[i], other._prerelease[i]);
            if (identifier != 0)
            {
                return identifier;
            }
        }

        return _prerelease.Length.CompareTo(other._prerelease.Length);
    }

    /// <summary>
    /// Compares two catalog version strings, where the empty string is an unversioned plugin that
    /// sorts below every version.
    /// </summary>
    public static int CompareText(string left, string right)
    {
        if (left.Length == 0 || right.Length == 0)
        {
            return (left.Length == 0 ? 0 : 1) - (right.Length == 0 ? 0 : 1);
        }

        return Parse(left).CompareTo(Parse(right));
    }

    public override string ToString() => Text;

    private static int CompareIdentifiers(string left, string right)
    {
        bool leftNumeric = ulong.TryParse(left, out ulong leftNumber) && left.All(char.IsAsciiDigit);
        bool rightNumeric = ulong.TryParse(right, out ulong rightNumber) && right.All(char.IsAsciiDigit);
        if (leftNumeric && rightNumeric)
        {
            return leftNumber.CompareTo(rightNumber);
        }

        if (leftNumeric != rightNumeric)
        {
            return leftNumeric ? -1 : 1;
        }

        return string.CompareOrdinal(left, right);
    }

    private static bool TryParseNumber(string text, out ulong value)
    {
        value = 0;
        if (text.Length == 0 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        return ulong.TryParse(text, out value);
    }

    private static bool IsPrereleaseIdentifier(string identifier)
    {
        if (identifier.Length == 0 || !identifier.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return false;
        }

        // Numeric identifiers must not have leading zeros.
        return !(identifier.All(char.IsAsciiDigit) && identifier.Length > 1 && identifier[0] == '0');
    }
}
