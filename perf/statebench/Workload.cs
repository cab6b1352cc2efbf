namespace McpZero.StateBench;

/// <summary>Sizes and mix of the agent-state workload, from the command line.</summary>
internal sealed record WorkloadOptions
{
    public int Agents { get; init; } = 1_000;

    public int VariablesPerAgent { get; init; } = 20;

    public int ValueBytes { get; init; } = 64;

    public int ReadPercent { get; init; } = 80;

    public int Operations { get; init; } = 200_000;

    public int WarmupOperations { get; init; } = 20_000;

    /// <summary>Number of upserts between two durable commits.</summary>
    public int CommitEveryWrites { get; init; } = 1_000;

    public int Seed { get; init; } = 1;

    /// <summary>SQLite's synchronous setting: NORMAL (the default here) or FULL.</summary>
    public string SqliteSynchronous { get; init; } = "NORMAL";

    public int KeyCount => Agents * VariablesPerAgent;
}

/// <summary>One read or upsert of one agent variable.</summary>
/// <param name="Key">Index of the variable: agent index times variables per agent plus variable index.</param>
/// <param name="ValueIndex">Index into <see cref="Workload.Values"/> for an upsert; -1 for a read.</param>
internal readonly record struct Operation(int Key, int ValueIndex)
{
    public bool IsWrite => ValueIndex >= 0;
}

/// <summary>
/// The operations, keys and values that every backend runs, generated once from a seed so that each
/// backend gets the same sequence.
/// </summary>
internal sealed class Workload
{
    // Distinct random values that upserts pick from, so the timed loop allocates no value bytes.
    private const int ValuePoolSize = 256;

    private Workload(WorkloadOptions options, string[] agentIds, string[] variableNames, byte[][] values, Operation[] warmup, Operation[] measured)
    {
        Options = options;
        AgentIds = agentIds;
        VariableNames = variableNames;
        Values = values;
        Warmup = warmup;
        Measured = measured;
    }

    public WorkloadOptions Options { get; }

    /// <summary>Agent ids in the product's format: "a-" and ten hex digits.</summary>
    public string[] AgentIds { get; }

    public string[] VariableNames { get; }

    public byte[][] Values { get; }

    /// <summary>Untimed operations run before <see cref="Measured"/>, so the JIT and caches are warm.</summary>
    public Operation[] Warmup { get; }

    public Operation[] Measured { get; }

    public static Workload Create(WorkloadOptions options)
    {
        var random = new Random(options.Seed);

        var agentIds = new string[options.Agents];
        for (int i = 0; i < agentIds.Length; i++)
        {
            agentIds[i] = "a-" + random.NextInt64(0, 1L << 40).ToString("x10");
        }

        var variableNames = new string[options.VariablesPerAgent];
        for (int i = 0; i < variableNames.Length; i++)
        {
            variableNames[i] = $"var{i:D2}";
        }

        var values = new byte[ValuePoolSize][];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = new byte[options.ValueBytes];
            random.NextBytes(values[i]);
        }

        Operation[] warmup = CreateOperations(random, options, options.WarmupOperations);
        Operation[] measured = CreateOperations(random, options, options.Operations);
        return new Workload(options, agentIds, variableNames, values, warmup, measured);
    }

    public int AgentOf(int key) => key / Options.VariablesPerAgent;

    public string VariableOf(int key) => VariableNames[key % Options.VariablesPerAgent];

    /// <summary>Value index that the load phase writes to <paramref name="key"/>.</summary>
    public static int InitialValueIndex(int key) => key % ValuePoolSize;

    public string Describe()
    {
        WorkloadOptions options = Options;
        int writes = Measured.Count(operation => operation.IsWrite);
        return $"{options.Agents} agents x {options.VariablesPerAgent} variables of {options.ValueBytes} bytes, loaded and committed first (untimed); " +
            $"then {options.WarmupOperations} untimed warm-up operations and {options.Operations} timed operations " +
            $"({options.ReadPercent}% reads, {100 - options.ReadPercent}% upserts; {writes} upserts in this run), " +
            $"each on a variable chosen uniformly at random (seed {options.Seed}), one at a time on one thread; " +
            $"a durable commit every {options.CommitEveryWrites} upserts and one at the end, counted in ops_per_s but not in the per-operation percentiles; " +
            "FASTER: McpZero.Storage StateStore with default options and no background checkpoints, commit = CheckpointAsync; " +
            $"SQLite: WAL, synchronous={options.SqliteSynchronous}, one prepared statement per operation, table keyed by (agent, name), commit = COMMIT of the open transaction";
    }

    private static Operation[] CreateOperations(Random random, WorkloadOptions options, int count)
    {
        var operations = new Operation[count];
        for (int i = 0; i < count; i++)
        {
            int key = random.Next(options.KeyCount);
            bool isRead = random.Next(100) < options.ReadPercent;
            operations[i] = new Operation(key, isRead ? -1 : random.Next(ValuePoolSize));
        }

        return operations;
    }
}
