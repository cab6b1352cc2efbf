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
        [nameof(HelloRequest)] = () => new HelloRequest { ProtocolVersion = 7, ClientName = "unit-tests" },
        [nameof(StatusRequest)] = () => new StatusRequest(),
        [nameof(PluginInstallRequest)] = () => new PluginInstallRequest
        {
            Name = "counter",
            Wasm = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00],
            ManifestJson = """{"wasm":[{"path":"counter.wasm"}],"config":{"step":"2"}}""",
            Replace = true,
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
        [nameof(TraceListRequest)] = () => new TraceListRequest { AgentId = "a-17", SinceUnixMicros = 1_700_000_000_000_000, Limit = 5 },
        [nameof(TraceVerifyRequest)] = () => new TraceVerifyRequest { FromSequence = 41 },
        [nameof(AgentSnapshotDeleteRequest)] = () => new AgentSnapshotDeleteRequest { SnapshotId = "s-4" },
    };

    public static readonly IReadOnlyDictionary<string, Func<IResponse>> Responses = new Dictionary<string, Func<IResponse>>
    {
        [nameof(HelloResponse)] = () => new HelloResponse { ProtocolVersion = 1, ServerVersion = "1.2.3", MaxFrameBytes = 65_536 },
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
        },
        [nameof(ErrorResponse)] = () => new ErrorResponse { Code = ErrorCode.PluginTimeout, Message = "plugin 'counter' timed out after 2500 ms" },
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
        },
    };

    private static PluginInfo SamplePlugin() => new()
    {
        Name = "counter",
        Sha256 = new string('f', 64),
        SizeBytes = 20_480,
        Exports = ["count", "reset"],
        Config = new Dictionary<string, string> { ["step"] = "2" },
        InstalledUnixMicros = 1_700_000_000_000_003,
        AttachedAgents = 4,
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
    };
}
