using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.UnitTests.Protocol;

/// <summary>
/// One instance of every message type with every member set to a value other than its default, so a
/// member that a round trip drops shows up as a changed value.
/// </summary>
internal static class MessageSamples
{
    public static readonly IReadOnlyDictionary<string, Func<IRequest>> Requests = new Dictionary<string, Func<IRequest>>
    {
        [nameof(HelloRequest)] = () => new HelloRequest { ProtocolVersion = 7, ClientName = "unit-tests", CompressionCodecs = ["lz4", "zstd"] },
        [nameof(StatusRequest)] = () => new StatusRequest(),
        [nameof(PluginInstallRequest)] = () => new PluginInstallRequest
        {
            Name = "counter",
            Wasm = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00],
            ManifestJson = """{"wasm":[{"path":"counter.wasm"}],"config":{"step":"2"}}""",
            Replace = true,
            Signature = [0x6D, 0x63, 0x70, 0x7A],
            Readme = "# counter\nCounts calls.\n",
        },
        [nameof(PluginListRequest)] = () => new PluginListRequest(),
        [nameof(PluginShowRequest)] = () => new PluginShowRequest { Name = "counter" },
        [nameof(PluginRemoveRequest)] = () => new PluginRemoveRequest { Name = "échelle-β" },
        [nameof(AgentSpawnRequest)] = () => new AgentSpawnRequest
        {
            Owner = "ops",
            Constraints = new AgentConstraints { MemoryMb = 32, TimeoutMs = 2_500, Fuel = 1_000_000_000_000 },
            Config = new Dictionary<string, string> { ["mode"] = "fast", ["region"] = "eu" },
            Plugins = ["counter", "echo"],
        },
        [nameof(AgentListRequest)] = () => new AgentListRequest(),
        [nameof(AgentShowRequest)] = () => new AgentShowRequest { AgentId = "a-17" },
        [nameof(AgentAttachRequest)] = () => new AgentAttachRequest { AgentId = "a-17", Plugin = "echo" },
        [nameof(AgentExecRequest)] = () => new AgentExecRequest
        {
            AgentId = "a-17",
            Method = "count",
            Input = [1, 2, 3, 0, 255],
            Plugin = "counter",
        },
        [nameof(AgentSnapshotRequest)] = () => new AgentSnapshotRequest { AgentId = "a-17" },
        [nameof(AgentRecoverRequest)] = () => new AgentRecoverRequest { SnapshotId = "s-3" },
        [nameof(AgentTerminateRequest)] = () => new AgentTerminateRequest { AgentId = "a-18" },
        [nameof(TraceListRequest)] = () => new TraceListRequest { AgentId = "a-17", SinceUnixMicros = 1_700_000_000_000_000, Limit = 5, UntilUnixMicros = 1_700_000_000_500_000 },
        [nameof(TraceVerifyRequest)] = () => new TraceVerifyRequest { FromSequence = 41 },
        [nameof(PoolCreateRequest)] = () => new PoolCreateRequest
        {
            Name = "workers",
            Owner = "ops",
            Constraints = new AgentConstraints { MemoryMb = 16, TimeoutMs = 100, Fuel = 5_000 },
            Config = new Dictionary<string, string> { ["mode"] = "fast" },
            Plugins = ["counter", "echo"],
            Size = 2,
            Max = 5,
        },
        [nameof(PoolListRequest)] = () => new PoolListRequest(),
        [nameof(PoolShowRequest)] = () => new PoolShowRequest { Name = "workers" },
        [nameof(PoolLeaseRequest)] = () => new PoolLeaseRequest { Name = "workers", WaitMs = 2_500 },
        [nameof(PoolReturnRequest)] = () => new PoolReturnRequest { Name = "workers", AgentId = "a-17", KeepState = true },
        [nameof(PoolRemoveRequest)] = () => new PoolRemoveRequest { Name = "workers", Force = true },
        [nameof(StatsRequest)] = () => new StatsRequest(),
        [nameof(DbInsertRequest)] = () => new DbInsertRequest
        {
            Collection = "resources",
            Documents = ["""{"resource_type":"camera","owner":"ada"}""", """{"resource_type":"gpu","owner":"bob"}"""],
        },
        [nameof(DbGetRequest)] = () => new DbGetRequest { Collection = "agents", Id = "a-17", Fields = ["owner", "status"] },
        [nameof(DbUpdateRequest)] = () => new DbUpdateRequest { Collection = "resources", Id = "cam-1", Changes = """{"owner":"grace"}""" },
        [nameof(DbDeleteRequest)] = () => new DbDeleteRequest { Collection = "resources", Id = "cam-1" },
        [nameof(DbFindRequest)] = () => new DbFindRequest
        {
            Collection = "traces",
            Conditions =
            [
                new DbCondition { Field = "agent_id", Operator = DbOperator.In, Values = ["a-1", "a-2"] },
                new DbCondition { Field = "timestamp_unix_micros", Operator = DbOperator.GreaterOrEqual, Values = ["1700000000000000"] },
            ],
            Fields = ["sequence", "method"],
            Limit = 7,
        },
        [nameof(DbCreateIndexRequest)] = () => new DbCreateIndexRequest { Collection = "resources", Field = "owner" },
        [nameof(DbIndexListRequest)] = () => new DbIndexListRequest(),
        [nameof(AgentSnapshotDeleteRequest)] = () => new AgentSnapshotDeleteRequest { SnapshotId = "s-4" },
        [nameof(BatchRequest)] = () => new BatchRequest
        {
            Requests = [new StatusRequest(), new AgentShowRequest { AgentId = "a-17" }],
        },
        [nameof(CancelRequest)] = () => new CancelRequest { RequestId = 42 },
    };

    public static readonly IReadOnlyDictionary<string, Func<IResponse>> Responses = new Dictionary<string, Func<IResponse>>
    {
        [nameof(HelloResponse)] = () => new HelloResponse
        {
            ProtocolVersion = 1,
            ServerVersion = "1.2.3",
            MaxFrameBytes = 65_536,
            CompressionCodec = "lz4",
            CompressionThresholdBytes = 4096,
        },
        [nameof(StatusResponse)] = () => new StatusResponse
        {
            ServerVersion = "1.2.3",
            WasmtimeVersion = "50.0.1",
            DataDirectory = "/var/lib/mcpzero",
            SocketPath = "/run/mcpzero/mcpzero.sock",
            ProcessId = 4242,
            UptimeMilliseconds = 86_400_000,
            Agents = 3,
            Plugins = 2,
            Executions = 9_876_543_210,
            TraceRecords = 12_345,
            ResidentBytes = 123 * 1024 * 1024,
            PeakResidentBytes = 456 * 1024 * 1024,
            GcHeapBytes = 7 * 1024 * 1024,
            GcHeapHardLimitBytes = 512L * 1024 * 1024,
            ModulesCompiled = 4,
            ModulesLoadedFromCache = 5,
            Connections = 6,
            MemoryCeilingBytes = 827_000_000,
            WasmMemoryBudgetBytes = 424_346_816,
            WasmMemoryReservedBytes = 64L * 1024 * 1024,
            CpuBudgetPercent = 27,
            QueuedExecutions = 7,
            CallerUid = 1000,
            CallerIsAdmin = true,
            LoadedModules = 2,
            ModulesUnloaded = 3,
            ResultCacheHits = 41,
            ResultCacheMisses = 9,
            ResultCacheBytes = 4096,
            ResultCacheEntries = 8,
            ResultCacheCapacityBytes = 16L * 1024 * 1024,
            AllowUnsignedPlugins = true,
            TrustedKeysDirectory = "/var/lib/mcpzero/trusted-keys",
        },
        [nameof(ErrorResponse)] = () => new ErrorResponse
        {
            Code = ErrorCode.Busy,
            Message = "the execution queue of agent 'a-18' is full: it holds the limit of MaxQueuedPerAgent=16 requests; retry after 120 ms",
            RetryAfterMilliseconds = 120,
        },
        [nameof(OkResponse)] = () => new OkResponse { Message = "agent 'a-18' terminated" },
        [nameof(PluginInfo)] = SamplePlugin,
        [nameof(PluginListResponse)] = () => new PluginListResponse { Plugins = [SamplePlugin(), SamplePlugin()] },
        [nameof(AgentInfo)] = SampleAgent,
        [nameof(AgentListResponse)] = () => new AgentListResponse { Agents = [SampleAgent()] },
        [nameof(ExecResponse)] = () => new ExecResponse
        {
            Output = [9, 8, 7],
            Plugin = "counter",
            DurationMicros = 1_234,
            FuelConsumed = ulong.MaxValue - 1,
            TraceSequence = 77,
        },
        [nameof(SnapshotResponse)] = () => new SnapshotResponse
        {
            SnapshotId = "s-3",
            AgentId = "a-17",
            CreatedUnixMicros = 1_700_000_000_000_001,
            Variables = 2,
        },
        [nameof(TraceListResponse)] = () => new TraceListResponse
        {
            Records =
            [
                new TraceInfo
                {
                    Sequence = 5,
                    TimestampUnixMicros = 1_700_000_000_000_002,
                    AgentId = "a-17",
                    Plugin = "counter",
                    Method = "count",
                    InputSha256 = new string('a', 64),
                    OutputSha256 = new string('b', 64),
                    Status = ErrorCode.PluginTrap,
                    DurationMicros = 321,
                    PreviousHash = new string('c', 64),
                    Hash = new string('d', 64),
                    Cached = true,
                },
            ],
        },
        [nameof(TraceVerifyResponse)] = () => new TraceVerifyResponse
        {
            Ok = true,
            RecordsChecked = 1_000,
            FirstBadSequence = -1,
            Message = "chain intact",
            HeadHash = new string('e', 64),
            AnchorSequence = 40,
            AnchorHash = new string('d', 64),
        },
        [nameof(PoolInfo)] = SamplePool,
        [nameof(PoolListResponse)] = () => new PoolListResponse { Pools = [SamplePool(), SamplePool()] },
        [nameof(PoolLeaseResponse)] = () => new PoolLeaseResponse { Pool = "workers", AgentId = "a-17" },
        [nameof(StatsResponse)] = () => new StatsResponse
        {
            UptimeMilliseconds = 90_000,
            CpuTimeMicros = 1_250_000,
            CpuPercent = 12.5,
            CpuWindowMilliseconds = 2_000,
            ResidentBytes = 50_000_000,
            PeakResidentBytes = 60_000_000,
            GcHeapBytes = 10_000_000,
            GcHeapLimitBytes = 268_435_456,
            WasmLinearMemoryBytes = 131_072,
            WasmInstances = 2,
            StoreLogMemoryBytes = 4_194_304,
            StoreIndexBytes = 65_536,
            StoreReads = 11,
            StoreWrites = 12,
            StorePendingOperations = 13,
            StoreBytesWritten = 14,
            StoreCheckpoints = 15,
            TraceAppends = 16,
            TraceBytesAppended = 17,
            TraceCommits = 18,
            ExecutionsRunning = 19,
            ExecutionsQueued = 20,
            ModuleCacheHits = 21,
            ModuleCacheMisses = 22,
            InstancePoolHits = 23,
            InstancePoolMisses = 24,
            Connections = 25,
            Requests = [new RequestStats { MessageType = MessageTypes.AgentExec, Name = "AgentExec", Latency = SampleLatency() }],
            PluginMethods = [new PluginMethodStats { Plugin = "counter", Method = "count", Failures = 3, Duration = SampleLatency() }],
            Errors = [new ErrorStats { Code = ErrorCode.PluginTrap, Count = 4 }],
            Denials = [new DenialStats { MessageType = MessageTypes.AgentExec, Name = "AgentExec", Count = 5 }],
            LoadedModules = 2,
            ModulesUnloaded = 3,
            ResultCacheHits = 41,
            ResultCacheMisses = 9,
            ResultCacheBytes = 4096,
            ResultCacheEntries = 8,
            ResultCacheEvictions = 1,
        },
        [nameof(DbDocumentsResponse)] = () => new DbDocumentsResponse
        {
            Documents = ["""{"agent_id":"a-17","owner":"ops"}"""],
            UsedIndex = "owner",
            Examined = 3,
        },
        [nameof(DbWriteResponse)] = () => new DbWriteResponse { Ids = ["0", "1"] },
        [nameof(DbIndexListResponse)] = () => new DbIndexListResponse
        {
            Indexes = [new DbIndexInfo { Collection = "agents", Field = "owner", Values = 2, Entries = 5, BuiltIn = true }],
        },
        [nameof(BatchResponse)] = () => new BatchResponse
        {
            Responses = [new OkResponse { Message = "done" }, new ErrorResponse { Code = ErrorCode.Busy, Message = "queue full", RetryAfterMilliseconds = 20 }],
        },
    };

    private static PoolInfo SamplePool() => new()
    {
        Name = "workers",
        Owner = "ops",
        Constraints = new AgentConstraints { MemoryMb = 16, TimeoutMs = 100, Fuel = 5_000 },
        Config = new Dictionary<string, string> { ["mode"] = "fast" },
        Plugins = ["counter"],
        Size = 2,
        Max = 5,
        CreatedUnixMicros = 1_700_000_000_000_005,
        ReadyAgents = ["a-17", "a-18"],
        LeasedAgents = ["a-19"],
    };

    private static LatencySummary SampleLatency() => new()
    {
        Count = 100,
        SumMicros = 5_000,
        P50Micros = 40,
        P99Micros = 250,
        P999Micros = 900,
        MaxMicros = 1_200,
    };

    private static PluginInfo SamplePlugin() => new()
    {
        Name = "counter",
        Sha256 = new string('f', 64),
        SizeBytes = 20_480,
        Exports = ["count", "reset"],
        Config = new Dictionary<string, string> { ["step"] = "2" },
        InstalledUnixMicros = 1_700_000_000_000_003,
        Version = "1.2.0-rc.1",
        Description = "Counts calls",
        SignerKeyId = new string('a', 64),
        Readme = "# counter\n",
        Capabilities = ["counting"],
        InstalledVersions = ["1.0.0", "1.2.0-rc.1"],
        AttachedAgents = 4,
        AllowedHosts = ["*.example.com"],
        AllowedPaths = new Dictionary<string, string> { ["rw:/srv/out"] = "/out" },
        MaxHttpResponseBytes = 65_536,
    };

    private static AgentInfo SampleAgent() => new()
    {
        AgentId = "a-17",
        Owner = "ops",
        Status = "active",
        Constraints = new AgentConstraints { MemoryMb = 16, TimeoutMs = 100, Fuel = 5_000 },
        Config = new Dictionary<string, string> { ["mode"] = "fast" },
        Plugins = ["counter"],
        CreatedUnixMicros = 1_700_000_000_000_004,
        Executions = 12,
        Variables = [new VariableInfo { Name = "count", SizeBytes = 8 }],
        Snapshots = ["s-1", "s-2"],
        OwnerUid = 1000,
    };
}
