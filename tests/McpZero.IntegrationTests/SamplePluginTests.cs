namespace McpZero.IntegrationTests;

/// <summary>
/// The count_vowels samples in Rust and AssemblyScript (src/plugins) build from source and give the
/// same output for the same calls, including the running total kept in the agent's variables.
/// </summary>
public sealed class SamplePluginTests
{
    public static TheoryData<string> Samples => new() { "count_vowels_rust", "count_vowels_as" };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task CountVowelsKeepsRunningTotal(string plugin)
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin(plugin));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", plugin);
        string customAgentId = await daemon.OkAsync("agent", "spawn", "--plugin", plugin, "--config", "vowels=AEIOUY\"");

        Assert.Equal("""{"count":4,"total":4,"vowels":"aeiou"}""", await daemon.OkAsync("agent", "exec", agentId, "count_vowels", "Hello World, yes"));
        Assert.Equal("""{"count":5,"total":9,"vowels":"aeiou"}""", await daemon.OkAsync("agent", "exec", agentId, "count_vowels", "AEIOU"));
        Assert.Equal("""{"count":0,"total":9,"vowels":"aeiou"}""", await daemon.OkAsync("agent", "exec", agentId, "count_vowels", ""));

        // The agent's config replaces the vowel set, so "y" and the quote count, and the quote is
        // escaped in the JSON output.
        Assert.Equal("""{"count":7,"total":7,"vowels":"aeiouy\""}""", await daemon.OkAsync("agent", "exec", customAgentId, "count_vowels", "Hello World, \"yes\""));

        Assert.Equal(0, await daemon.StopAsync());
        Assert.Contains($"Plugin {plugin} (agent {agentId}): count_vowels: 5 vowels, total 9", daemon.Log);
        await daemon.RestartAsync();

        Assert.Equal("""{"count":2,"total":11,"vowels":"aeiou"}""", await daemon.OkAsync("agent", "exec", agentId, "count_vowels", "Ada"));
    }
}
