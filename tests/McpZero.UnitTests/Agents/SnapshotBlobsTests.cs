using McpZero.Agents;
using McpZero.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpZero.UnitTests.Agents;

public sealed class SnapshotBlobsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mcpzero-unit-tests", Guid.NewGuid().ToString("N"));
    private readonly StateStore _store;
    private readonly SnapshotBlobs _blobs;

    public SnapshotBlobsTests()
    {
        _store = StateStore.Open(
            new StateStoreOptions { Directory = _directory, CheckpointInterval = TimeSpan.Zero, IndexBuckets = 1 << 10 },
            NullLogger.Instance);
        _blobs = new SnapshotBlobs(_store);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void SecondSnapshot_UnchangedValues_AddsSmallRecord()
    {
        var variables = new Dictionary<string, byte[]> { ["big"] = RandomBytes(100_000, seed: 1), ["small"] = [1, 2, 3] };

        long before = _store.ApproximateSizeBytes;
        var first = _blobs.Add(variables);
        long afterFirst = _store.ApproximateSizeBytes;
        var second = _blobs.Add(variables);
        long afterSecond = _store.ApproximateSizeBytes;

        Assert.True(afterFirst - before >= 100_000, $"first snapshot added {afterFirst - before} bytes");
        Assert.True(afterSecond - afterFirst < 1_000, $"second snapshot added {afterSecond - afterFirst} bytes");
        Assert.Equal(first, second);
    }

    [Fact]
    public void Release_OneOfTwo_KeepsOtherIntact()
    {
        var variables = new Dictionary<string, byte[]> { ["big"] = RandomBytes(10_000, seed: 2), ["count"] = [7] };
        var first = _blobs.Add(variables);
        var second = _blobs.Add(new Dictionary<string, byte[]> { ["big"] = variables["big"], ["count"] = [8] });

        _blobs.Release(first);

        var restored = _blobs.Load(second);
        Assert.Equal(variables["big"], restored["big"]);
        Assert.Equal(new byte[] { 8 }, restored["count"]);
        Assert.False(_blobs.Contains(first["count"]));
        Assert.True(_blobs.Contains(first["big"]));
    }

    [Fact]
    public void Release_LastReference_DeletesValue()
    {
        var references = _blobs.Add(new Dictionary<string, byte[]> { ["value"] = [1] });

        _blobs.Release(references);

        Assert.False(_blobs.Contains(references["value"]));
        Assert.Throws<AgentException>(() => _blobs.Load(references));
    }

    [Fact]
    public void ReferenceCount_StoredAsInt64LittleEndian()
    {
        var references = _blobs.Add(new Dictionary<string, byte[]> { ["a"] = [5] });
        _blobs.Add(new Dictionary<string, byte[]> { ["b"] = [5] });

        Assert.True(_store.TryRead("blobref/" + references["a"], out var count));
        Assert.Equal("0200000000000000", Convert.ToHexString(count));
        Assert.True(_store.TryRead("blob/" + references["a"], out var value));
        Assert.Equal(new byte[] { 5 }, value);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
