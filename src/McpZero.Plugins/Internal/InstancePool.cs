namespace McpZero.Plugins.Internal;

/// <summary>
/// Idle instances of one module, at most <c>capacity</c>, each bound to the agent it served.
/// </summary>
/// <remarks>
/// A call takes the idle instance of its own agent or gets none and instantiates a fresh one; it never
/// receives another agent's instance. On return, the least recently used idle instance is evicted when
/// the pool is full. Instances in use are not counted, so concurrent calls are never blocked.
/// </remarks>
internal sealed class InstancePool(int capacity)
{
    private readonly Lock _lock = new();
    private readonly List<PluginInstance> _idle = new();
    private bool _closed;

    /// <summary>Idle instances held now.</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Takes the idle instance of <paramref name="agentId"/>, or returns null.</summary>
    public PluginInstance? TryRent(string agentId)
    {
        lock (_lock)
        {
            for (int i = _idle.Count - 1; i >= 0; i--)
            {
                PluginInstance instance = _idle[i];
                if (instance.AgentId == agentId)
                {
                    _idle.RemoveAt(i);
                    return instance;
                }
            }
        }

        return null;
    }

    /// <summary>Keeps <paramref name="instance"/> warm, or disposes it when the pool is closed or has no room.</summary>
    public void Return(PluginInstance instance)
    {
        PluginInstance? evicted = null;
        lock (_lock)
        {
            if (_closed || capacity <= 0)
            {
                evicted = instance;
            }
            else
            {
                if (_idle.Count >= capacity)
                {
                    evicted = _idle[0];
                    _idle.RemoveAt(0);
                }

                _idle.Add(instance);
            }
        }

        evicted?.Dispose();
    }

    /// <summary>Disposes the least recently used idle instance; returns false when there is none.</summary>
    public bool EvictOldest()
    {
        PluginInstance evicted;
        lock (_lock)
        {
            if (_idle.Count == 0)
            {
                return false;
            }

            evicted = _idle[0];
            _idle.RemoveAt(0);
        }

        evicted.Dispose();
        return true;
    }

    /// <summary>Disposes every idle instance; returns how many there were.</summary>
    public int Clear()
    {
        PluginInstance[] idle;
        lock (_lock)
        {
            idle = _idle.ToArray();
            _idle.Clear();
        }

        foreach (PluginInstance instance in idle)
        {
            instance.Dispose();
        }

        return idle.Length;
    }

    /// <summary>Disposes the idle instances and every instance returned from now on.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }

        Clear();
    }
}
