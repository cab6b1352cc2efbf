using McpZero.Agents.Governance;

namespace McpZero.UnitTests.Governance;

public class FairQueueTests
{
    private const long Never = long.MaxValue;

    [Fact]
    public void KeysAreServedRoundRobin()
    {
        var queue = new FairQueue<string>(maxPerKey: 10, maxTotal: 100);
        foreach (string item in new[] { "greedy-1", "greedy-2", "greedy-3" })
        {
            Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue("greedy", item, Never));
        }

        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue("polite", "polite-1", Never));

        var order = new List<string>();
        while (queue.TryDequeue(0, [], out string key, out string item))
        {
            order.Add(item);
            queue.Complete(key);
        }

        Assert.Equal(["greedy-1", "polite-1", "greedy-2", "greedy-3"], order);
    }

    [Fact]
    public void RunningKeyIsSkipped()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "a-1", Never);
        queue.TryEnqueue("a", "a-2", Never);
        queue.TryEnqueue("b", "b-1", Never);

        Assert.True(queue.TryDequeue(0, [], out _, out string first));
        Assert.True(queue.TryDequeue(0, [], out _, out string second));
        bool third = queue.TryDequeue(0, [], out _, out _);

        Assert.Equal("a-1", first);
        Assert.Equal("b-1", second);
        Assert.False(third);
        Assert.Equal(1, queue.Count);
        Assert.Equal(2, queue.RunningKeys);
    }

    [Fact]
    public void CompletedKeyIsServedAgain()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "a-1", Never);
        queue.TryEnqueue("a", "a-2", Never);

        Assert.True(queue.TryDequeue(0, [], out string key, out _));
        Assert.False(queue.TryDequeue(0, [], out _, out _));
        queue.Complete(key);

        Assert.True(queue.TryDequeue(0, [], out _, out string item));
        Assert.Equal("a-2", item);
    }

    [Fact]
    public void FullKeyQueueIsRejected()
    {
        var queue = new FairQueue<string>(maxPerKey: 2, maxTotal: 100);
        queue.TryEnqueue("greedy", "1", Never);
        queue.TryEnqueue("greedy", "2", Never);

        Assert.Equal(EnqueueResult.KeyFull, queue.TryEnqueue("greedy", "3", Never));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue("polite", "1", Never));
        Assert.Equal(2, queue.CountFor("greedy"));
    }

    [Fact]
    public void FullTotalIsRejected()
    {
        var queue = new FairQueue<string>(maxPerKey: 10, maxTotal: 2);
        queue.TryEnqueue("a", "1", Never);
        queue.TryEnqueue("b", "1", Never);

        Assert.Equal(EnqueueResult.TotalFull, queue.TryEnqueue("c", "1", Never));
    }

    [Fact]
    public void ExpiredItemsAreHandedBack()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "late", 100);
        queue.TryEnqueue("a", "on-time", 300);
        var expired = new List<string>();

        Assert.True(queue.TryDequeue(200, expired, out _, out string item));

        Assert.Equal("on-time", item);
        Assert.Equal(["late"], expired);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void DeadlineEqualToNowIsExpired()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "item", 500);
        var expired = new List<string>();

        Assert.False(queue.TryDequeue(500, expired, out _, out _));
        Assert.Equal(["item"], expired);
    }

    [Fact]
    public void RemoveWithdrawsWaitingItem()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "first", Never);
        queue.TryEnqueue("a", "second", Never);

        Assert.True(queue.Remove("a", "first"));
        Assert.False(queue.Remove("a", "first"));
        Assert.True(queue.TryDequeue(0, [], out _, out string item));
        Assert.Equal("second", item);
    }

    [Fact]
    public void EarliestDeadlineCoversAllKeys()
    {
        var queue = new FairQueue<string>(10, 100);
        Assert.Null(queue.GetEarliestDeadline());

        queue.TryEnqueue("a", "a-1", 900);
        queue.TryEnqueue("b", "b-1", 400);
        queue.TryEnqueue("b", "b-2", 700);

        Assert.Equal(400, queue.GetEarliestDeadline());
    }

    [Fact]
    public void DrainAllEmptiesEveryQueue()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "a-1", Never);
        queue.TryEnqueue("b", "b-1", Never);
        var drained = new List<string>();

        queue.DrainAll(drained);

        Assert.Equal(2, drained.Count);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryDequeue(0, [], out _, out _));
    }

    [Fact]
    public void CompleteWithoutRunningItemThrows()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "a-1", Never);

        Assert.Throws<InvalidOperationException>(() => queue.Complete("a"));
    }

    [Fact]
    public void CompletedKeyAcceptsNewItems()
    {
        var queue = new FairQueue<string>(maxPerKey: 1, maxTotal: 100);
        queue.TryEnqueue("a", "a-1", Never);
        Assert.True(queue.TryDequeue(0, [], out string key, out _));
        queue.Complete(key);

        // A fresh queue for the key accepts again up to its limit.
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue("a", "a-2", Never));
        Assert.Equal(1, queue.CountFor("a"));
    }

    [Fact]
    public void ImmediateStartWhenNothingWaits()
    {
        var queue = new FairQueue<string>(10, 100);

        Assert.True(queue.TryStartImmediately("a"));
        Assert.False(queue.TryStartImmediately("a"));
        Assert.True(queue.TryStartImmediately("b"));
        Assert.Equal(2, queue.RunningKeys);
    }

    [Fact]
    public void ImmediateStartNeverOvertakesWaitingItems()
    {
        var queue = new FairQueue<string>(10, 100);
        queue.TryEnqueue("a", "a-1", Never);

        Assert.False(queue.TryStartImmediately("b"));
    }

    [Fact]
    public void ImmediateStartBlocksKeyUntilComplete()
    {
        var queue = new FairQueue<string>(10, 100);
        Assert.True(queue.TryStartImmediately("a"));
        queue.TryEnqueue("a", "a-1", Never);

        Assert.False(queue.TryDequeue(0, [], out _, out _));
        queue.Complete("a");
        Assert.True(queue.TryDequeue(0, [], out _, out string item));
        Assert.Equal("a-1", item);
    }
}
