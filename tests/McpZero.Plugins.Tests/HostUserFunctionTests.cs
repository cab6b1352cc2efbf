using System.Buffers.Binary;
using System.Text;

namespace McpZero.Plugins.Tests;

/// <summary>
/// The extism:host/user functions agent_id and find_resources, and call limits on a warm instance.
/// </summary>
public sealed class HostUserFunctionTests : IDisposable
{
    private readonly EngineFixture _fixture = new();
    private readonly PluginModule _module;

    public HostUserFunctionTests()
    {
        _module = _fixture.Load("host_services");
    }

    private PluginEngine Engine => _fixture.Engine;

    public void Dispose()
    {
        _module.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public void AgentId_ReturnsCallingAgent()
    {
        PluginCallResult first = Engine.Call(_module, EngineFixture.Call("agent_id", agentId: "a-0123456789"));
        PluginCallResult second = Engine.Call(_module, EngineFixture.Call("agent_id", agentId: "a-other"));

        Assert.Equal("a-0123456789", Encoding.UTF8.GetString(first.Output));
        Assert.Equal("a-other", Encoding.UTF8.GetString(second.Output));
    }

    [Fact]
    public void FindResources_PassesCapabilityAndAgent()
    {
        var services = new RecordingServices();
        PluginCall template = EngineFixture.Call("find", agentId: "a-finder", input: "camera"u8.ToArray());

        PluginCallResult result = Engine.Call(_module, WithServices(template, services));

        Assert.Equal("""[{"resource_id":"r-1"}]""", Encoding.UTF8.GetString(result.Output));
        (string agentId, string capability, int limit) = Assert.Single(services.Queries);
        Assert.Equal("a-finder", agentId);
        Assert.Equal("camera", capability);
        Assert.Equal(1000, limit);
    }

    [Fact]
    public void FindResources_WithoutServicesFails()
    {
        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, EngineFixture.Call("find", input: "camera"u8.ToArray())));

        Assert.Equal(PluginErrorKind.PluginError, error.Kind);
        Assert.Contains("find_resources is not available", error.Message);
    }

    [Fact]
    public void Timeout_EnforcedOnEveryWarmCall()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 100, Fuel = ulong.MaxValue };

        for (int round = 0; round < 2; round++)
        {
            // A few quick calls first, so the looping call runs on an instance that is already warm
            // and whose earlier calls each set and cleared their own deadline.
            Assert.Equal(1, Counter(limits));
            Assert.Equal(2, Counter(limits));
            long reusedBefore = Engine.InstancesReused;

            PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_module, EngineFixture.Call("spin", limits: limits)));

            Assert.Equal(PluginErrorKind.Timeout, error.Kind);
            Assert.Contains("timed out: limit 100 ms", error.Message);
            Assert.Equal(reusedBefore + 1, Engine.InstancesReused);
        }
    }

    private long Counter(PluginLimits limits)
    {
        return BinaryPrimitives.ReadInt64LittleEndian(Engine.Call(_module, EngineFixture.Call("counter", limits: limits)).Output);
    }

    private static PluginCall WithServices(PluginCall call, IPluginHostServices services)
    {
        return new PluginCall
        {
            AgentId = call.AgentId,
            Method = call.Method,
            Input = call.Input,
            Config = call.Config,
            Variables = call.Variables,
            Limits = call.Limits,
            HostServices = services,
        };
    }

    private sealed class RecordingServices : IPluginHostServices
    {
        public List<(string AgentId, string Capability, int Limit)> Queries { get; } = [];

        public byte[] FindResources(string agentId, string capability, int limit)
        {
            Queries.Add((agentId, capability, limit));
            return """[{"resource_id":"r-1"}]"""u8.ToArray();
        }
    }
}
