using System.Security.Cryptography;
using System.Text;
using McpZero.Agents.Caching;

namespace McpZero.UnitTests.Agents;

public sealed class ResultCacheTests
{
    private const string ModuleA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ModuleB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static readonly Dictionary<string, string> NoConfig = [];

    [Fact]
    public void Key_SameCallSameKey()
    {
        var config = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        var reordered = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };

        Assert.Equal(Key(ModuleA, "run", config, "input"), Key(ModuleA, "run", reordered, "input"));
    }

    [Fact]
    public void Key_EveryPartChangesKey()
    {
        ResultKey baseline = Key(ModuleA, "run", NoConfig, "input");

        Assert.NotEqual(baseline, Key(ModuleB, "run", NoConfig, "input"));
        Assert.NotEqual(baseline, Key(ModuleA, "walk", NoConfig, "input"));
        Assert.NotEqual(baseline, Key(ModuleA, "run", new Dictionary<string, string> { ["a"] = "1" }, "input"));
        Assert.NotEqual(baseline, Key(ModuleA, "run", NoConfig, "input2"));
    }

    [Fact]
    public void Key_LengthPrefixSeparatesConfig()
    {
        // Without length prefixes both would hash the bytes "ab" followed by "c".
        var first = new Dictionary<string, string> { ["ab"] = "c" };
        var second = new Dictionary<string, string> { ["a"] = "bc" };

        Assert.NotEqual(Key(ModuleA, "run", first, "x"), Key(ModuleA, "run", second, "x"));
    }

    [Fact]
    public void TryGet_CountsHitsAndMisses()
    {
        var cache = new ResultCache(1 << 20);
        ResultKey key = Key(ModuleA, "run", NoConfig, "input");

        Assert.False(cache.TryGet(key, out _));
        cache.Add(key, [1, 2, 3]);
        Assert.True(cache.TryGet(key, out byte[] output));

        Assert.Equal(new byte[] { 1, 2, 3 }, output);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
        Assert.Equal(1, cache.Count);
        Assert.Equal(3 + ResultCache.EntryOverheadBytes, cache.Bytes);
    }

    [Fact]
    public void Add_EvictsLeastRecentlyUsed()
    {
        // Room for four entries of 100 output bytes each; one entry may take a quarter of the cache.
        var cache = new ResultCache(4 * (100 + ResultCache.EntryOverheadBytes) + 10);
        ResultKey[] keys = [.. Enumerable.Range(1, 5).Select(i => Key(ModuleA, "run", NoConfig, i.ToString()))];
        for (int i = 0; i < 4; i++)
        {
            cache.Add(keys[i], new byte[100]);
        }

        Assert.True(cache.TryGet(keys[0], out _));
        cache.Add(keys[4], new byte[100]);

        Assert.True(cache.TryGet(keys[0], out _));
        Assert.False(cache.TryGet(keys[1], out _));
        Assert.True(cache.TryGet(keys[2], out _));
        Assert.True(cache.TryGet(keys[3], out _));
        Assert.True(cache.TryGet(keys[4], out _));
        Assert.Equal(1, cache.Evictions);
        Assert.Equal(4, cache.Count);
        Assert.True(cache.Bytes <= cache.CapacityBytes, $"{cache.Bytes} bytes held in a cache of {cache.CapacityBytes}");
    }

    [Fact]
    public void Add_SkipsOutputOverQuarterCapacity()
    {
        var cache = new ResultCache(4096);
        ResultKey key = Key(ModuleA, "run", NoConfig, "big");

        cache.Add(key, new byte[1024]);

        Assert.False(cache.TryGet(key, out _));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Add_SameKeyTwiceKeepsOneEntry()
    {
        var cache = new ResultCache(1 << 20);
        ResultKey key = Key(ModuleA, "run", NoConfig, "input");

        cache.Add(key, [1]);
        cache.Add(key, [1]);

        Assert.Equal(1, cache.Count);
        Assert.Equal(1 + ResultCache.EntryOverheadBytes, cache.Bytes);
    }

    private static ResultKey Key(string module, string method, Dictionary<string, string> config, string input) =>
        ResultCache.CreateKey(module, method, config, SHA256.HashData(Encoding.UTF8.GetBytes(input)));
}
