using McpZero.Plugins.Internal;

namespace McpZero.Plugins.Tests;

public sealed class HostPatternTests
{
    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "EXAMPLE.com", true)]
    [InlineData("example.com", "api.example.com", false)]
    [InlineData("*.example.com", "api.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "example.com.evil.net", false)]
    [InlineData("api.*.com", "api.example.com", true)]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("10.0.0.?", "10.0.0.7", true)]
    [InlineData("10.0.0.?", "10.0.0.17", false)]
    [InlineData("", "example.com", false)]
    public void Matches_FollowsGlobRules(string pattern, string host, bool expected)
    {
        Assert.Equal(expected, HostPattern.Matches(pattern, host));
    }

    [Fact]
    public void MatchesAny_FalseForEmptyList()
    {
        Assert.False(HostPattern.MatchesAny([], "example.com"));
    }
}
