using System.Security.Cryptography;
using System.Text;
using McpZero.Storage.Internal;

namespace McpZero.Storage.Tests;

public sealed class TraceLogTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TestDirectory _directory = new();
    private readonly ListLogger _logger = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Append_Reopen_KeepsChainAndCount()
    {
        byte[] head;
        await using (var log = Open())
        {
            for (var i = 0; i < 50; i++)
            {
                log.Append(Draft($"agent-{i % 3}", i));
            }

            await log.CommitAsync().AsTask().WaitAsync(Timeout);
            head = log.HeadHash;
            Assert.Equal(50, log.Count);
        }

        await using (var reopened = Open())
        {
            Assert.Equal(50, reopened.Count);
            Assert.Equal(head, reopened.HeadHash);

            var next = reopened.Append(Draft("agent-0", 50));
            Assert.Equal(50, next.Sequence);
            Assert.Equal(head, next.PreviousHash);

            var verification = reopened.Verify();
            Assert.True(verification.Ok, verification.Message);
            Assert.Equal(51, verification.RecordsChecked);
            Assert.Equal(-1, verification.FirstBadSequence);
        }
    }

    [Fact]
    public async Task Append_FirstRecord_LinksToGenesis()
    {
        await using var log = Open();

        var first = log.Append(Draft("agent-0", 0));
        var second = log.Append(Draft("agent-0", 1));

        Assert.Equal(0, first.Sequence);
        Assert.Equal(new byte[32], first.PreviousHash);
        Assert.Equal(32, first.Hash.Length);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.Equal(second.Hash, log.HeadHash);
    }

    [Fact]
    public async Task Append_ManyThreads_ChainStaysValid()
    {
        await using var log = Open();

        var tasks = Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                log.Append(Draft($"agent-{thread}", i));
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(Timeout);

        var verification = log.Verify();
        Assert.True(verification.Ok, verification.Message);
        Assert.Equal(2000, verification.RecordsChecked);
    }

    [Fact]
    public async Task Dispose_WithoutCommit_KeepsAppends()
    {
        await using (var log = Open())
        {
            for (var i = 0; i < 10; i++)
            {
                log.Append(Draft("agent-0", i));
            }
        }

        await using var reopened = Open();
        Assert.Equal(10, reopened.Count);
    }

    [Fact]
    public async Task List_FiltersByAgentSinceAndLimit()
    {
        await using var log = Open();
        for (var i = 0; i < 30; i++)
        {
            log.Append(Draft($"agent-{i % 2}", i) with { TimestampUnixMicros = 1000 + i });
        }

        var all = log.List(null, 0, long.MaxValue, 100);
        var agentOne = log.List("agent-1", 0, long.MaxValue, 100);
        var lastThree = log.List("agent-0", 0, long.MaxValue, 3);
        var recent = log.List(null, 1025, long.MaxValue, 100);
        var window = log.List(null, 1010, 1012, 100);

        Assert.Equal(30, all.Count);
        Assert.Equal(15, agentOne.Count);
        Assert.All(agentOne, record => Assert.Equal("agent-1", record.AgentId));
        Assert.Equal(new long[] { 24, 26, 28 }, lastThree.Select(record => record.Sequence));
        Assert.Equal(new long[] { 25, 26, 27, 28, 29 }, recent.Select(record => record.Sequence));
        Assert.Equal(new long[] { 10, 11, 12 }, window.Select(record => record.Sequence));
    }

    [Fact]
    public async Task Verify_ByteFlippedOnDisk_NamesRecord()
    {
        await using (var log = Open())
        {
            for (var i = 0; i < 20; i++)
            {
                log.Append(Draft("agent", i) with { Method = $"method-{i:D2}" });
            }
        }

        FlipByteOfMarker("method-07");

        await using var reopened = Open();
        var verification = reopened.Verify();

        Assert.False(verification.Ok);
        Assert.Equal(7, verification.FirstBadSequence);
        Assert.Equal(7, verification.RecordsChecked);
        Assert.Contains("record 7", verification.Message);
        Assert.Contains(_logger.Entries, entry => entry.EventId.Id == 3101);
    }

    [Fact]
    public async Task Verify_FromSequence_SkipsEarlierDamage()
    {
        await using (var log = Open())
        {
            for (var i = 0; i < 20; i++)
            {
                log.Append(Draft("agent", i) with { Method = $"method-{i:D2}" });
            }
        }

        FlipByteOfMarker("method-03");

        await using var reopened = Open();
        var fromTen = reopened.Verify(fromSequence: 10);
        var fromZero = reopened.Verify();

        Assert.True(fromTen.Ok, fromTen.Message);
        Assert.Equal(10, fromTen.RecordsChecked);
        Assert.Equal(3, fromZero.FirstBadSequence);
    }

    [Fact]
    public void ChainVerifier_ChangedRecord_FailsAtIt()
    {
        var chain = BuildChain(6);
        chain[3].DurationMicros++;

        var result = Run(chain);

        Assert.False(result.Ok);
        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public void ChainVerifier_RemovedRecord_FailsAtGap()
    {
        var chain = BuildChain(6);
        chain.RemoveAt(2);

        var result = Run(chain);

        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBadSequence);
        Assert.Contains("missing", result.Message);
    }

    [Fact]
    public void ChainVerifier_RemovedLastRecord_FailsAgainstCount()
    {
        var chain = BuildChain(6);
        chain.RemoveAt(5);

        var result = Run(chain, appendedCount: 6);

        Assert.False(result.Ok);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public void ChainVerifier_ReorderedRecords_FailAtFirstSwap()
    {
        var chain = BuildChain(6);
        (chain[2], chain[3]) = (chain[3], chain[2]);

        var result = Run(chain);

        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBadSequence);
    }

    [Fact]
    public void ChainVerifier_InsertedRecordWithRenumbering_FailsAtInsert()
    {
        // A forger renumbers the records after the insert and recomputes their hashes, but cannot make
        // the inserted record match the previous-hash link without rewriting every record after it.
        var chain = BuildChain(6);
        var forged = Record(2, chain[1].Hash);
        forged.PreviousHash = chain[1].Hash;
        forged.Hash = TraceHash.Compute(forged);
        chain.Insert(2, forged);
        for (var i = 3; i < chain.Count; i++)
        {
            chain[i].Sequence = i;
            chain[i].Hash = TraceHash.Compute(chain[i]);
        }

        var result = Run(chain);

        Assert.False(result.Ok);
        Assert.Equal(3, result.FirstBadSequence);
        Assert.Contains("does not link", result.Message);
    }

    [Fact]
    public void ChainVerifier_IntactChain_Ok()
    {
        var result = Run(BuildChain(6));

        Assert.True(result.Ok, result.Message);
        Assert.Equal(6, result.RecordsChecked);
    }

    [Fact]
    public void TraceHash_KnownRecord_MatchesGoldenValue()
    {
        // The encoding is part of the stored format: a change here breaks every existing chain.
        var record = Record(5, new byte[32]);

        var hash = TraceHash.Compute(record);

        Assert.Equal(GoldenHash, Convert.ToHexString(hash));
    }

    [Fact]
    public void MerkleTree_FiveLeaves_MatchesGoldenValue()
    {
        var leaves = Enumerable.Range(0, 5).Select(i => SHA256.HashData(new[] { (byte)i })).ToArray();

        var root = MerkleTree.ComputeRoot(leaves);

        // RFC 6962 MTH over leaves SHA-256(byte i), computed with Python hashlib.
        Assert.Equal("6B313B611B40676B9E1DFD70C4503F2379F88F0F1C2740FB7E1CACC32C113465", Convert.ToHexString(root));
    }

    [Fact]
    public void MerkleTree_AnyCount_MatchesRecursiveDefinition()
    {
        for (var count = 1; count <= 40; count++)
        {
            var leaves = Enumerable.Range(0, count).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToArray();

            Assert.Equal(Convert.ToHexString(ReferenceRoot(leaves)), Convert.ToHexString(MerkleTree.ComputeRoot(leaves)));
        }
    }

    // RFC 6962 section 2.1, written as the recursion it defines.
    private static byte[] ReferenceRoot(byte[][] leaves)
    {
        if (leaves.Length == 1)
        {
            return SHA256.HashData([0x00, .. leaves[0]]);
        }

        var split = 1;
        while (split * 2 < leaves.Length)
        {
            split *= 2;
        }

        return SHA256.HashData([0x01, .. ReferenceRoot(leaves[..split]), .. ReferenceRoot(leaves[split..])]);
    }

    // Computed outside .NET from the byte layout documented on TraceHash (Python struct.pack plus hashlib).
    private const string GoldenHash = "54AF530E8FCEA6A4D7BE46AE1C1EDB5252D929B003BB54287B7344ADADE0EFA7";

    private TraceLog Open() => TraceLog.Open(_directory.Path, _logger, new TraceLogOptions { CommitInterval = TimeSpan.FromMilliseconds(20) });

    private static TraceRecordDraft Draft(string agentId, int index) => new()
    {
        AgentId = agentId,
        Plugin = "echo",
        Method = "run",
        InputSha256 = SHA256.HashData(BitConverter.GetBytes(index)),
        OutputSha256 = SHA256.HashData(BitConverter.GetBytes(-index)),
        Status = index % 5 == 0 ? TraceStatus.Failed : TraceStatus.Ok,
        ErrorCode = (ushort)(index % 5 == 0 ? 31 : 0),
        DurationMicros = 100 + index,
    };

    private static TraceRecord Record(long sequence, byte[] previousHash) => new()
    {
        Sequence = sequence,
        TimestampUnixMicros = 1_700_000_000_000_000 + sequence,
        AgentId = "a-17",
        Plugin = "echo",
        Method = "run",
        InputSha256 = SHA256.HashData("in"u8),
        OutputSha256 = SHA256.HashData("out"u8),
        Status = TraceStatus.Ok,
        ErrorCode = 0,
        DurationMicros = 250,
        PreviousHash = previousHash,
    };

    private static List<TraceRecord> BuildChain(int count)
    {
        var chain = new List<TraceRecord>();
        var previous = new byte[32];
        for (var i = 0; i < count; i++)
        {
            var record = Record(i, previous);
            record.Hash = TraceHash.Compute(record);
            chain.Add(record);
            previous = record.Hash;
        }

        return chain;
    }

    private static TraceVerification Run(List<TraceRecord> chain, long? appendedCount = null)
    {
        // Every commit ends with a seal, so the chain gets one over the records it still contains.
        var verifier = new TraceChainVerifier(0);
        var hashes = new List<byte[]>();
        foreach (var record in chain)
        {
            if (!verifier.Accept(record))
            {
                return verifier.Complete(appendedCount ?? chain.Count);
            }

            hashes.Add(record.Hash);
        }

        verifier.AcceptSeal(new TraceSeal(chain[0].Sequence, chain[^1].Sequence, chain[^1].Hash, MerkleTree.ComputeRoot(hashes)));
        return verifier.Complete(appendedCount ?? chain.Count);
    }

    /// <summary>
    /// Changes one character of <paramref name="marker"/> inside the log segment files, whichever of
    /// UTF-16 or UTF-8 MemoryPack used for it.
    /// </summary>
    private void FlipByteOfMarker(string marker)
    {
        var patterns = new[] { Encoding.Unicode.GetBytes(marker), Encoding.UTF8.GetBytes(marker) };
        foreach (var file in Directory.GetFiles(_directory.Path, "trace.log.*"))
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var pattern in patterns)
            {
                var index = bytes.AsSpan().IndexOf(pattern);
                if (index < 0)
                {
                    continue;
                }

                // 'm' becomes 'n': still a valid string, so only the hash check can notice.
                bytes[index] ^= 0x03;
                File.WriteAllBytes(file, bytes);
                return;
            }
        }

        Assert.Fail($"marker '{marker}' not found in the trace log files under {_directory.Path}");
    }
}
