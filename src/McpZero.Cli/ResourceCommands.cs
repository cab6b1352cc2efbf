using McpZero.Protocol.Messages;

namespace McpZero.Cli;

/// <summary>`mcpzero resource ...`: the resources registry, read through the resources collection.</summary>
internal static class ResourceCommands
{
    private static readonly string[] ListFields = ["resource_id", "resource_type", "owner", "capabilities", "location"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing resource command: find or list");
        }

        CommandSpec spec = args[0] switch
        {
            "find" => CommandSpec.Client("resource find", 0, "capability", "type", "owner", "limit"),
            "list" => CommandSpec.Client("resource list", 0, "limit"),
            _ => throw new UsageException($"unknown resource command '{args[0]}'; use find or list"),
        };
        CommandLine line = CommandLine.Parse(args[1..], spec);
        var conditions = new List<DbCondition>();
        if (args[0] == "find")
        {
            string capability = line.Option("capability") ?? throw new UsageException("missing --capability NAME");
            conditions.Add(Equal("capabilities", capability));
            if (line.Option("type") is { } type)
            {
                conditions.Add(Equal("resource_type", type));
            }

            if (line.Option("owner") is { } owner)
            {
                conditions.Add(Equal("owner", owner));
            }
        }

        var request = new DbFindRequest
        {
            Collection = "resources",
            Conditions = [.. conditions],
            Fields = ListFields,
            Limit = (int)(line.LongOption("limit", 1, 10_000) ?? 1000),
        };
        return await DbCommands.FindAsync(line, request, line.Flag("json")).ConfigureAwait(false);
    }

    private static DbCondition Equal(string field, string value) => new() { Field = field, Operator = DbOperator.Equal, Values = [value] };
}
