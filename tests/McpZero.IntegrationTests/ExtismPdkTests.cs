using System.Text.Json;

namespace McpZero.IntegrationTests;

/// <summary>
/// A plugin built with the public Extism AssemblyScript PDK (tests/plugins/as_pdk) runs unmodified:
/// input, output, config, variables, logging and the error path all go through the PDK's own code.
/// </summary>
public sealed class ExtismPdkTests
{
    [Fact]
    public async Task AssemblyScriptPdkPluginRunsUnmodified()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("as_pdk"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "as_pdk", "--config", "vowels=aeiouy");

        // "y" counts only because the agent's config replaced the plugin's default vowels "aeiou".
        using JsonDocument first = await CountVowelsAsync(daemon, agentId, "Yellow sky");
        Assert.Equal(4, first.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(4, first.RootElement.GetProperty("total").GetInt32());
        Assert.Equal("aeiouy", first.RootElement.GetProperty("vowels").GetString());

        // The running total lives in the plugin variable "total", which must survive between calls.
        using JsonDocument second = await CountVowelsAsync(daemon, agentId, "Hello");
        Assert.Equal(2, second.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(6, second.RootElement.GetProperty("total").GetInt32());

        CliResult failure = await daemon.CliAsync("agent", "exec", agentId, "fail_with_error");
        Assert.Equal(1, failure.ExitCode);
        Assert.Contains("as_pdk: fail_with_error was called", failure.Stderr);

        // The PDK's Host.log line is checked after the stop, when the daemon has flushed its log.
        Assert.Equal(0, await daemon.StopAsync());
        Assert.Contains("count_vowels: 2 vowels, total 6", daemon.Log);

        await daemon.RestartAsync();

        using JsonDocument afterRestart = await CountVowelsAsync(daemon, agentId, "Yay");
        Assert.Equal(3, afterRestart.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(9, afterRestart.RootElement.GetProperty("total").GetInt32());
        Assert.Equal("aeiouy", afterRestart.RootElement.GetProperty("vowels").GetString());
    }

    private static async Task<JsonDocument> CountVowelsAsync(Daemon daemon, string agentId, string input)
    {
        string output = await daemon.OkAsync("agent", "exec", agentId, "count_vowels", input);
        return JsonDocument.Parse(output);
    }
}
