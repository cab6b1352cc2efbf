namespace McpZero.UnitTests.Governance;

/// <summary>A clock that moves only when a test calls <see cref="Advance"/>.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _timestamp = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _timestamp;

    public void Advance(TimeSpan elapsed) => _timestamp += elapsed.Ticks;
}
