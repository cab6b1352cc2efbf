using System.Text;

namespace McpZero.Plugins;

/// <summary>
/// An agent's plugin variables: string keys mapped to bytes, kept between calls and changed by the
/// plugin through <c>var_set</c>.
/// </summary>
/// <remarks>
/// Not thread-safe: the caller runs one call at a time per agent. <see cref="TotalBytes"/> counts UTF-8
/// key bytes plus value bytes, the figure <see cref="PluginLimits.MaxVariableBytes"/> limits. Every change
/// since the last <see cref="TryTakeChanges"/> is recorded so the caller can persist just those keys.
/// Arrays passed to <see cref="Set"/> and returned by <see cref="Get"/> are shared, not copied: do not
/// modify them.
/// </remarks>
public sealed class PluginVariables
{
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changedKeys = new(StringComparer.Ordinal);
    private long _totalBytes;

    /// <summary>Creates an empty variable set.</summary>
    public PluginVariables()
    {
    }

    /// <summary>Creates a variable set holding persisted values; they do not count as changes.</summary>
    public PluginVariables(IEnumerable<KeyValuePair<string, byte[]>> values)
    {
        ArgumentNullException.ThrowIfNull(values);

        foreach (KeyValuePair<string, byte[]> pair in values)
        {
            ArgumentNullException.ThrowIfNull(pair.Key);
            ArgumentNullException.ThrowIfNull(pair.Value);
            _totalBytes -= SizeOf(pair.Key, _values.GetValueOrDefault(pair.Key));
            _values[pair.Key] = pair.Value;
            _totalBytes += SizeOf(pair.Key, pair.Value);
        }
    }

    /// <summary>Total size of the variables: UTF-8 key bytes plus value bytes.</summary>
    public long TotalBytes => _totalBytes;

    /// <summary>The keys that have a value.</summary>
    public IReadOnlyCollection<string> Keys => _values.Keys;

    /// <summary>True when a variable changed since the last <see cref="TryTakeChanges"/>.</summary>
    public bool IsDirty => _changedKeys.Count > 0;

    /// <summary>Returns the value of <paramref name="key"/>, or null when it has none.</summary>
    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _values.GetValueOrDefault(key);
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; null deletes it.</summary>
    public void Set(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);

        byte[]? previous = _values.GetValueOrDefault(key);
        if (previous is null && value is null)
        {
            return;
        }

        _totalBytes += SizeOf(key, value) - SizeOf(key, previous);
        if (value is null)
        {
            _values.Remove(key);
        }
        else
        {
            _values[key] = value;
        }

        _changedKeys.Add(key);
    }

    /// <summary>
    /// Returns the keys changed since the last call with their current values (null for deleted keys),
    /// and clears the change set; returns false when nothing changed.
    /// </summary>
    public bool TryTakeChanges(out IReadOnlyList<KeyValuePair<string, byte[]?>> changes)
    {
        if (_changedKeys.Count == 0)
        {
            changes = [];
            return false;
        }

        var taken = new List<KeyValuePair<string, byte[]?>>(_changedKeys.Count);
        foreach (string key in _changedKeys)
        {
            taken.Add(new KeyValuePair<string, byte[]?>(key, _values.GetValueOrDefault(key)));
        }

        _changedKeys.Clear();
        changes = taken;
        return true;
    }

    /// <summary>Returns a copy of every key and value, for a full write to the store.</summary>
    public IEnumerable<KeyValuePair<string, byte[]>> Snapshot()
    {
        return _values.ToArray();
    }

    /// <summary>Returns <see cref="TotalBytes"/> as it would be after setting <paramref name="key"/> to a value of <paramref name="valueLength"/> bytes.</summary>
    internal long TotalBytesAfterSet(string key, int valueLength)
    {
        byte[]? previous = _values.GetValueOrDefault(key);
        return _totalBytes - SizeOf(key, previous) + Encoding.UTF8.GetByteCount(key) + valueLength;
    }

    private static long SizeOf(string key, byte[]? value)
    {
        return value is null ? 0 : Encoding.UTF8.GetByteCount(key) + value.LongLength;
    }
}
