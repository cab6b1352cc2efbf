namespace McpZero.Client;

public sealed partial class McpZeroClient
{
    /// <summary>The daemon's document collections over this connection.</summary>
    public McpZeroDatabase Db => new(this);
}
