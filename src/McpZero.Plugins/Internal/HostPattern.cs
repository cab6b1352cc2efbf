namespace McpZero.Plugins.Internal;

/// <summary>
/// Matches URL host names against <c>allowed_hosts</c> patterns with the glob wildcards Extism's runtime
/// accepts there: <c>*</c> for any run of characters (dots included) and <c>?</c> for one character.
/// </summary>
/// <remarks>
/// Host names are compared without regard to case, because DNS names are case-insensitive and
/// <see cref="Uri.Host"/> keeps the case of the URL. Character classes such as <c>[a-z]</c> are not
/// supported and match literally.
/// </remarks>
internal static class HostPattern
{
    /// <summary>Returns true when any of <paramref name="patterns"/> matches the whole of <paramref name="host"/>.</summary>
    public static bool MatchesAny(IReadOnlyList<string> patterns, string host)
    {
        foreach (string pattern in patterns)
        {
            if (Matches(pattern, host))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns true when <paramref name="pattern"/> matches the whole of <paramref name="host"/>.</summary>
    public static bool Matches(string pattern, string host)
    {
        // Iterative glob match with one backtrack point: the position after the last '*'.
        int p = 0;
        int h = 0;
        int starPattern = -1;
        int starHost = 0;
        while (h < host.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(host[h])))
            {
                p++;
                h++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starPattern = p++;
                starHost = h;
            }
            else if (starPattern >= 0)
            {
                p = starPattern + 1;
                h = ++starHost;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
