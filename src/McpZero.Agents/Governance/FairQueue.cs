namespace McpZero.Agents.Governance;

/// <summary>
/// Bounded per-key FIFO queues served round-robin, at most one item per key at a time. A key is an
/// agent id, so an agent that floods requests fills only its own queue and gets one turn per round
/// like every other agent.
/// </summary>
/// <remarks>
/// Each item carries a deadline as a timestamp of the governor's <see cref="TimeProvider"/>; items past
/// it are handed back as expired instead of being dequeued. Not thread-safe; <see cref="ExecutionGovernor"/>
/// calls it under its lock.
/// </remarks>
internal sealed class FairQueue<T>(int maxPerKey, int maxTotal) where T : class
{
    private readonly Dictionary<string, KeyQueue> _queues = new(StringComparer.Ordinal);
    private readonly Queue<KeyQueue> _rotation = new();

    /// <summary>Maximum items waiting per key.</summary>
    public int MaxPerKey { get; } = maxPerKey;

    /// <summary>Maximum items waiting over all keys.</summary>
    public int MaxTotal { get; } = maxTotal;

    /// <summary>Items waiting over all keys.</summary>
    public int Count { get; private set; }

    /// <summary>Keys with an item dequeued and not yet completed.</summary>
    public int RunningKeys { get; private set; }

    /// <summary>Returns the items waiting under <paramref name="key"/>.</summary>
    public int CountFor(string key) => _queues.TryGetValue(key, out KeyQueue? queue) ? queue.Items.Count : 0;

    /// <summary>Appends <paramref name="item"/> to the queue of <paramref name="key"/> unless that queue or the total is full.</summary>
    public EnqueueResult TryEnqueue(string key, T item, long deadlineTimestamp)
    {
        KeyQueue? queue = _queues.GetValueOrDefault(key);
        if (queue is not null && queue.Items.Count >= MaxPerKey)
        {
            return EnqueueResult.KeyFull;
        }

        if (Count >= MaxTotal)
        {
            return EnqueueResult.TotalFull;
        }

        if (queue is null)
        {
            queue = new KeyQueue(key);
            _queues.Add(key, queue);
        }

        queue.Items.AddLast(new Entry(item, deadlineTimestamp));
        Count++;
        if (!queue.InRotation)
        {
            queue.InRotation = true;
            _rotation.Enqueue(queue);
        }

        return EnqueueResult.Queued;
    }

    /// <summary>
    /// Takes the first item of the next key in the rotation that has no item running, and marks that key
    /// running until <see cref="Complete"/>. Items whose deadline is at or before <paramref name="now"/> are
    /// removed on the way and added to <paramref name="expired"/>.
    /// </summary>
    /// <returns>False when every key with waiting items is running, or nothing waits.</returns>
    public bool TryDequeue(long now, List<T> expired, out string key, out T item)
    {
        int keysToVisit = _rotation.Count;
        for (int visited = 0; visited < keysToVisit; visited++)
        {
            KeyQueue queue = _rotation.Dequeue();
            RemoveExpired(queue, now, expired);
            if (queue.Items.Count == 0)
            {
                queue.InRotation = false;
                Forget(queue);
                continue;
            }

            if (queue.Running)
            {
                _rotation.Enqueue(queue);
                continue;
            }

            Entry first = queue.Items.First!.Value;
            queue.Items.RemoveFirst();
            Count--;
            queue.Running = true;
            RunningKeys++;

            // The key goes to the back of the rotation, so every other waiting key gets a turn first.
            if (queue.Items.Count > 0)
            {
                _rotation.Enqueue(queue);
            }
            else
            {
                queue.InRotation = false;
            }

            key = queue.Key;
            item = first.Item;
            return true;
        }

        key = "";
        item = null!;
        return false;
    }

    /// <summary>
    /// Marks <paramref name="key"/> running without queueing, for an item that may run at once because
    /// nothing waits in any queue, so it overtakes no queued item. Complete it with <see cref="Complete"/>.
    /// </summary>
    /// <returns>False when an item waits or <paramref name="key"/> is running.</returns>
    public bool TryStartImmediately(string key)
    {
        if (Count > 0)
        {
            return false;
        }

        if (!_queues.TryGetValue(key, out KeyQueue? queue))
        {
            queue = new KeyQueue(key);
            _queues.Add(key, queue);
        }
        else if (queue.Running)
        {
            return false;
        }

        queue.Running = true;
        RunningKeys++;
        return true;
    }

    /// <summary>Marks the running item of <paramref name="key"/> finished, so the key can be served again.</summary>
    public void Complete(string key)
    {
        if (!_queues.TryGetValue(key, out KeyQueue? queue) || !queue.Running)
        {
            throw new InvalidOperationException($"key '{key}' has no running item to complete");
        }

        queue.Running = false;
        RunningKeys--;
        Forget(queue);
    }

    /// <summary>Removes a waiting item, for example when its caller gave up, and returns false when it is not waiting.</summary>
    public bool Remove(string key, T item)
    {
        if (!_queues.TryGetValue(key, out KeyQueue? queue))
        {
            return false;
        }

        for (LinkedListNode<Entry>? node = queue.Items.First; node is not null; node = node.Next)
        {
            if (ReferenceEquals(node.Value.Item, item))
            {
                queue.Items.Remove(node);
                Count--;
                Forget(queue);
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes every waiting item into <paramref name="removed"/>. Running keys stay marked.</summary>
    public void DrainAll(List<T> removed)
    {
        foreach (KeyQueue queue in _queues.Values)
        {
            foreach (Entry entry in queue.Items)
            {
                removed.Add(entry.Item);
            }

            Count -= queue.Items.Count;
            queue.Items.Clear();
        }
    }

    /// <summary>Returns the earliest deadline of any waiting item, or null when nothing waits.</summary>
    public long? GetEarliestDeadline()
    {
        long? earliest = null;
        foreach (KeyQueue queue in _queues.Values)
        {
            foreach (Entry entry in queue.Items)
            {
                if (earliest is null || entry.DeadlineTimestamp < earliest)
                {
                    earliest = entry.DeadlineTimestamp;
                }
            }
        }

        return earliest;
    }

    private void RemoveExpired(KeyQueue queue, long now, List<T> expired)
    {
        LinkedListNode<Entry>? node = queue.Items.First;
        while (node is not null)
        {
            LinkedListNode<Entry>? next = node.Next;
            if (node.Value.DeadlineTimestamp <= now)
            {
                expired.Add(node.Value.Item);
                queue.Items.Remove(node);
                Count--;
            }

            node = next;
        }
    }

    // Drops the per-key state of an idle key, so that agents that come and go leave nothing behind.
    // A key still in the rotation stays, because the rotation holds a reference to it.
    private void Forget(KeyQueue queue)
    {
        if (queue.Items.Count == 0 && !queue.Running && !queue.InRotation)
        {
            _queues.Remove(queue.Key);
        }
    }

    private readonly record struct Entry(T Item, long DeadlineTimestamp);

    private sealed class KeyQueue(string key)
    {
        public string Key { get; } = key;

        public LinkedList<Entry> Items { get; } = new();

        public bool Running { get; set; }

        public bool InRotation { get; set; }
    }
}

/// <summary>The outcome of <see cref="FairQueue{T}.TryEnqueue"/>.</summary>
internal enum EnqueueResult
{
    Queued,

    /// <summary>The key's own queue contains <see cref="FairQueue{T}.MaxPerKey"/> items.</summary>
    KeyFull,

    /// <summary>All queues together contain <see cref="FairQueue{T}.MaxTotal"/> items.</summary>
    TotalFull,
}
