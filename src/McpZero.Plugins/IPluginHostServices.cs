namespace McpZero.Plugins;

/// <summary>
/// Services of the embedding application that plugins reach through the <c>extism:host/user</c>
/// functions. The engine calls them on the thread of the plugin call, inside the call's time limit.
/// </summary>
public interface IPluginHostServices
{
    /// <summary>
    /// Returns the resources that have <paramref name="capability"/> as a UTF-8 JSON array of objects,
    /// at most <paramref name="limit"/> of them. The array is empty when none match.
    /// </summary>
    byte[] FindResources(string agentId, string capability, int limit);
}
