using McpZero.Agents;
using McpZero.Agents.Trust;

namespace McpZero.UnitTests.Agents;

public sealed class PluginVersionTests
{
    // Each version sorts strictly below the next one, as Semantic Versioning 2.0.0 orders them.
    private static readonly string[] Ascending =
    [
        "0.0.1",
        "0.9.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.2.0",
        "1.10.0",
        "2.0.0",
        "10.0.0",
    ];

    [Fact]
    public void VersionsSortInSemverOrder()
    {
        for (int i = 0; i < Ascending.Length; i++)
        {
            for (int j = 0; j < Ascending.Length; j++)
            {
                int expected = i.CompareTo(j);
                int actual = Math.Sign(PluginVersion.Parse(Ascending[i]).CompareTo(PluginVersion.Parse(Ascending[j])));
                Assert.True(expected == actual, $"{Ascending[i]} vs {Ascending[j]}: expected {expected}, got {actual}");
            }
        }
    }

    [Fact]
    public void UnversionedSortsBelowEveryVersion()
    {
        Assert.True(PluginVersion.CompareText("", "0.0.1") < 0);
        Assert.True(PluginVersion.CompareText("0.0.1-a", "") > 0);
        Assert.Equal(0, PluginVersion.CompareText("", ""));
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.0.0.0")]
    [InlineData("01.0.0")]
    [InlineData("1.0.0-")]
    [InlineData("1.0.0-01")]
    [InlineData("1.0.0-a..b")]
    [InlineData("1.0.0+build.5")]
    [InlineData("v1.0.0")]
    [InlineData("1.0.0-é")]
    [InlineData("")]
    public void InvalidVersionIsRejected(string text)
    {
        Assert.False(PluginVersion.TryParse(text, out _));
        AgentException error = Assert.Throws<AgentException>(() => PluginVersion.Parse(text));
        Assert.Contains($"'{text}'", error.Message);
    }

    [Fact]
    public void ParseKeepsTheParts()
    {
        PluginVersion version = PluginVersion.Parse("3.14.159-rc.2");

        Assert.Equal(3UL, version.Major);
        Assert.Equal(14UL, version.Minor);
        Assert.Equal(159UL, version.Patch);
        Assert.True(version.IsPrerelease);
        Assert.Equal("3.14.159-rc.2", version.Text);
    }
}
