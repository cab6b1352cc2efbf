using McpZero.Agents;
using McpZero.Agents.Governance;
using McpZero.Protocol;

namespace McpZero.UnitTests.Governance;

/// <summary>
/// Admission decisions of the governor with one worker held busy by a blocked execution, so what
/// waits and what is rejected does not depend on timing.
/// </summary>
public sealed class ExecutionGovernorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FullAgentQueueRejectsWithBusy()
    {
        using var governor = NewGovernor(maxQueuedPerAgent: 1, maxQueuedInputBytes: 1_000);
        using var release = new ManualResetEventSlim();
        Task<int> blocker = await StartBlockerAsync(governor, release);

        Task<int> queued = governor.RunAsync("greedy", 10, _ => 2);
        AgentException error = await Assert.ThrowsAsync<AgentException>(() => governor.RunAsync("greedy", 10, _ => 3)).WaitAsync(Timeout);
        release.Set();

        Assert.Equal(ErrorCode.Busy, error.Code);
        Assert.Contains("the execution queue of agent 'greedy' is full", error.Message);
        Assert.NotNull(error.RetryAfter);
        Assert.Equal(1, await blocker.WaitAsync(Timeout));
        Assert.Equal(2, await queued.WaitAsync(Timeout));
        Assert.Equal(1, governor.RejectedQueueFull);
    }

    [Fact]
    public async Task QueuedInputBytesAreBounded()
    {
        using var governor = NewGovernor(maxQueuedPerAgent: 10, maxQueuedInputBytes: 100);
        using var release = new ManualResetEventSlim();
        Task<int> blocker = await StartBlockerAsync(governor, release);

        Task<int> queued = governor.RunAsync("a", 80, _ => 2);
        long heldWhileQueued = governor.QueuedInputBytes;
        AgentException error = await Assert.ThrowsAsync<AgentException>(() => governor.RunAsync("b", 30, _ => 3)).WaitAsync(Timeout);
        release.Set();

        Assert.Equal(80, heldWhileQueued);
        Assert.Equal(ErrorCode.Busy, error.Code);
        Assert.Contains("waiting requests hold 80 bytes of input", error.Message);
        Assert.Contains("the limit of 100 bytes", error.Message);
        Assert.Equal(1, await blocker.WaitAsync(Timeout));
        Assert.Equal(2, await queued.WaitAsync(Timeout));
        Assert.Equal(0, governor.QueuedInputBytes);
    }

    [Fact]
    public async Task WorkExceptionReachesCaller()
    {
        using var governor = NewGovernor(maxQueuedPerAgent: 1, maxQueuedInputBytes: 1_000);

        Task<int> failing = governor.RunAsync<int>("a", 0, _ => throw new AgentException(ErrorCode.PluginTrap, "trapped"));
        AgentException error = await Assert.ThrowsAsync<AgentException>(() => failing).WaitAsync(Timeout);

        Assert.Equal(ErrorCode.PluginTrap, error.Code);
        Assert.Equal(0, governor.RunningExecutions);
    }

    [Fact]
    public async Task DisposeRejectsWaitingRequests()
    {
        var governor = NewGovernor(maxQueuedPerAgent: 4, maxQueuedInputBytes: 1_000);
        using var release = new ManualResetEventSlim();
        Task<int> blocker = await StartBlockerAsync(governor, release);
        Task<int> queued = governor.RunAsync("b", 1, _ => 2);

        Task disposed = Task.Run(governor.Dispose);
        AgentException error = await Assert.ThrowsAsync<AgentException>(() => queued).WaitAsync(Timeout);
        release.Set();
        await disposed.WaitAsync(Timeout);

        Assert.Equal(ErrorCode.ShuttingDown, error.Code);
        Assert.Equal(1, await blocker.WaitAsync(Timeout));
    }

    private static ExecutionGovernor NewGovernor(int maxQueuedPerAgent, long maxQueuedInputBytes) => new(
        new ExecutionGovernorOptions
        {
            Workers = 1,
            CpuBudgetCores = 1,
            MaxQueuedPerAgent = maxQueuedPerAgent,
            MaxQueuedTotal = 100,
            MaxQueuedInputBytes = maxQueuedInputBytes,
            QueueTimeout = TimeSpan.FromMinutes(5),
        },
        memory: null,
        TimeProvider.System);

    // Occupies the only slot until release is set, and returns once the blocker is running.
    private static async Task<Task<int>> StartBlockerAsync(ExecutionGovernor governor, ManualResetEventSlim release)
    {
        using var started = new SemaphoreSlim(0);
        Task<int> blocker = Task.Run(() => governor.RunAsync("blocker", 0, _ =>
        {
            started.Release();
            release.Wait(Timeout);
            return 1;
        }));
        Assert.True(await started.WaitAsync(Timeout), "the blocking execution did not start");
        return blocker;
    }
}
