using McpZero.Agents.Pools;

namespace McpZero.UnitTests.Agents;

public sealed class PoolLedgerTests
{
    private const long Alice = 1;
    private const long Bob = 2;

    [Fact]
    public void LeaseTakesOldestReadyAgent()
    {
        var ledger = new PoolLedger(size: 2, max: 0);
        ledger.AddReady("a-1");
        ledger.AddReady("a-2");

        LeaseDecision decision = ledger.TryLease(Alice, out string? agentId);

        Assert.Equal(LeaseDecision.Leased, decision);
        Assert.Equal("a-1", agentId);
        Assert.Equal(1, ledger.ReadyCount);
        Assert.Equal(["a-1"], ledger.LeasedAgents);
    }

    [Fact]
    public void EmptyPoolUnderMaxReservesSpawn()
    {
        var ledger = new PoolLedger(size: 0, max: 2);

        Assert.Equal(LeaseDecision.Spawn, ledger.TryLease(Alice, out string? agentId));
        Assert.Null(agentId);
        Assert.Equal(1, ledger.Total);

        ledger.LeaseSpawned("a-1", Alice);
        Assert.Equal(1, ledger.LeasedCount);
        Assert.Equal(1, ledger.Total);
    }

    [Fact]
    public void PoolAtMaxIsFull()
    {
        var ledger = new PoolLedger(size: 1, max: 2);
        ledger.AddReady("a-1");
        Assert.Equal(LeaseDecision.Leased, ledger.TryLease(Alice, out _));
        Assert.Equal(LeaseDecision.Spawn, ledger.TryLease(Alice, out _));
        ledger.LeaseSpawned("a-2", Alice);

        Assert.Equal(LeaseDecision.Full, ledger.TryLease(Bob, out string? agentId));
        Assert.Null(agentId);
    }

    [Fact]
    public void PoolWithoutMaxAlwaysSpawns()
    {
        var ledger = new PoolLedger(size: 0, max: 0);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(LeaseDecision.Spawn, ledger.TryLease(Alice, out _));
            ledger.LeaseSpawned($"a-{i}", Alice);
        }

        Assert.Equal(100, ledger.LeasedCount);
    }

    [Fact]
    public void SpawnReservationCountsTowardMax()
    {
        var ledger = new PoolLedger(size: 0, max: 1);

        Assert.Equal(LeaseDecision.Spawn, ledger.TryLease(Alice, out _));
        Assert.Equal(LeaseDecision.Full, ledger.TryLease(Bob, out _));

        ledger.CancelLeaseSpawn();
        Assert.Equal(LeaseDecision.Spawn, ledger.TryLease(Bob, out _));
    }

    [Fact]
    public void ReturnedAgentBecomesReady()
    {
        var ledger = new PoolLedger(size: 1, max: 0);
        ledger.AddReady("a-1");
        ledger.TryLease(Alice, out _);

        Assert.True(ledger.TryBeginReturn("a-1"));
        Assert.Equal(0, ledger.LeasedCount);
        Assert.Equal(1, ledger.Total);
        Assert.Equal(ReturnDecision.Ready, ledger.CompleteReturn("a-1"));
        Assert.Equal(["a-1"], ledger.ReadyAgents);
    }

    [Fact]
    public void ReturnOfAgentNotLeasedFails()
    {
        var ledger = new PoolLedger(size: 1, max: 0);
        ledger.AddReady("a-1");

        Assert.False(ledger.TryBeginReturn("a-1"));
        Assert.False(ledger.TryBeginReturn("a-unknown"));
        Assert.Equal(1, ledger.ReadyCount);
    }

    [Fact]
    public void ReturnBeyondSizeIsSurplus()
    {
        var ledger = new PoolLedger(size: 1, max: 0);
        ledger.AddReady("a-1");
        ledger.TryLease(Alice, out _);
        ledger.TryLease(Alice, out _);
        ledger.LeaseSpawned("a-2", Alice);

        ledger.TryBeginReturn("a-1");
        Assert.Equal(ReturnDecision.Ready, ledger.CompleteReturn("a-1"));
        ledger.TryBeginReturn("a-2");
        Assert.Equal(ReturnDecision.Surplus, ledger.CompleteReturn("a-2"));

        Assert.Equal(["a-1"], ledger.ReadyAgents);
        Assert.Equal(1, ledger.Total);
    }

    [Fact]
    public async Task ReturnHandsAgentToFirstWaiter()
    {
        var ledger = new PoolLedger(size: 0, max: 1);
        ledger.TryLease(Alice, out _);
        ledger.LeaseSpawned("a-1", Alice);
        Assert.Equal(LeaseDecision.Full, ledger.TryLease(Bob, out _));
        PoolWaiter first = ledger.AddWaiter(Bob);
        PoolWaiter second = ledger.AddWaiter(Alice);

        ledger.TryBeginReturn("a-1");
        Assert.Equal(ReturnDecision.Ready, ledger.CompleteReturn("a-1"));

        Assert.True(first.Completion.Task.IsCompletedSuccessfully);
        Assert.Equal("a-1", await ResultOf(first));
        Assert.False(second.Completion.Task.IsCompleted);
        Assert.Equal(["a-1"], ledger.LeasedAgents);
        Assert.Equal(0, ledger.ReadyCount);
        Assert.Equal(1, ledger.WaiterCount);
    }

    [Fact]
    public void RemovedWaiterGetsNothing()
    {
        var ledger = new PoolLedger(size: 1, max: 1);
        ledger.TryLease(Alice, out _);
        ledger.LeaseSpawned("a-1", Alice);
        PoolWaiter waiter = ledger.AddWaiter(Bob);

        Assert.True(ledger.RemoveWaiter(waiter));
        ledger.TryBeginReturn("a-1");
        ledger.CompleteReturn("a-1");

        Assert.False(waiter.Completion.Task.IsCompleted);
        Assert.Equal(["a-1"], ledger.ReadyAgents);
    }

    [Fact]
    public async Task CompletedWaiterCannotBeRemoved()
    {
        var ledger = new PoolLedger(size: 0, max: 1);
        ledger.TryLease(Alice, out _);
        ledger.LeaseSpawned("a-1", Alice);
        PoolWaiter waiter = ledger.AddWaiter(Bob);
        ledger.TryBeginReturn("a-1");
        ledger.CompleteReturn("a-1");

        Assert.False(ledger.RemoveWaiter(waiter));
        Assert.Equal("a-1", await ResultOf(waiter));
    }

    [Fact]
    public async Task ForgottenAgentWakesWaiterToSpawn()
    {
        var ledger = new PoolLedger(size: 0, max: 1);
        ledger.TryLease(Alice, out _);
        ledger.LeaseSpawned("a-1", Alice);
        PoolWaiter waiter = ledger.AddWaiter(Bob);

        ledger.Forget("a-1");

        Assert.True(waiter.Completion.Task.IsCompletedSuccessfully);
        Assert.Null(await ResultOf(waiter));
        Assert.Equal(LeaseDecision.Spawn, ledger.TryLease(Bob, out _));
    }

    [Fact]
    public void BeginReturnAllTakesOnlyOwnersLeases()
    {
        var ledger = new PoolLedger(size: 3, max: 0);
        ledger.AddReady("a-1");
        ledger.AddReady("a-2");
        ledger.AddReady("a-3");
        ledger.TryLease(Alice, out _);
        ledger.TryLease(Bob, out _);
        ledger.TryLease(Alice, out _);

        List<string> returned = ledger.BeginReturnAll(Alice);

        Assert.Equal(["a-1", "a-3"], returned.Order());
        Assert.Equal(["a-2"], ledger.LeasedAgents);
        Assert.Equal(3, ledger.Total);
    }

    [Fact]
    public void RefillStopsAtSize()
    {
        var ledger = new PoolLedger(size: 2, max: 0);
        ledger.AddReady("a-1");

        Assert.True(ledger.TryReserveRefill());
        Assert.False(ledger.TryReserveRefill());

        ledger.CompleteRefill("a-2");
        Assert.Equal(2, ledger.ReadyCount);
        Assert.False(ledger.TryReserveRefill());
    }

    [Fact]
    public void RefillStopsAtMax()
    {
        var ledger = new PoolLedger(size: 2, max: 2);
        ledger.AddReady("a-1");
        ledger.AddReady("a-2");
        ledger.TryLease(Alice, out _);
        ledger.TryLease(Alice, out _);

        Assert.False(ledger.TryReserveRefill());
    }

    [Fact]
    public async Task RefilledAgentGoesToWaiter()
    {
        var ledger = new PoolLedger(size: 1, max: 0);
        Assert.True(ledger.TryReserveRefill());
        PoolWaiter waiter = ledger.AddWaiter(Bob);

        ledger.CompleteRefill("a-1");

        Assert.Equal("a-1", await ResultOf(waiter));
        Assert.Equal(["a-1"], ledger.LeasedAgents);
    }

    [Fact]
    public async Task WakeAllWaitersCompletesEachWithNothing()
    {
        var ledger = new PoolLedger(size: 0, max: 1);
        PoolWaiter first = ledger.AddWaiter(Alice);
        PoolWaiter second = ledger.AddWaiter(Bob);

        ledger.WakeAllWaiters();

        Assert.Null(await ResultOf(first));
        Assert.Null(await ResultOf(second));
        Assert.Equal(0, ledger.WaiterCount);
    }

    [Fact]
    public void CompleteReturnOfUnknownAgentThrows()
    {
        var ledger = new PoolLedger(size: 1, max: 0);

        Assert.Throws<InvalidOperationException>(() => ledger.CompleteReturn("a-1"));
    }

    // The ledger completes waiters synchronously, so a waiter that got nothing fails here at once.
    private static Task<string?> ResultOf(PoolWaiter waiter)
    {
        Assert.True(waiter.Completion.Task.IsCompletedSuccessfully, "the waiter was not completed");
        return waiter.Completion.Task;
    }
}
