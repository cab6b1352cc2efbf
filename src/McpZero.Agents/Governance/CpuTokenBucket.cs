namespace McpZero.Agents.Governance;

/// <summary>
/// A token bucket of CPU time. Tokens are CPU-seconds, refilled at <see cref="BudgetCores"/> per second
/// of wall time up to <see cref="CapacitySeconds"/>. A call may start while the balance is positive and
/// is charged its measured CPU time afterwards, so the balance can go negative (debt), and the next call
/// waits until the refill has paid the debt.
/// </summary>
/// <remarks>Not thread-safe; <see cref="ExecutionGovernor"/> calls it under its lock.</remarks>
internal sealed class CpuTokenBucket
{
    private readonly TimeProvider _time;
    private double _tokens;
    private long _refilledAt;

    /// <param name="budgetCores">Sustained CPU in cores: 0.27 is 27% of one core.</param>
    /// <param name="burst">Wall time whose refill the bucket holds at most, so it starts full with budget × burst CPU-seconds.</param>
    /// <param name="time">Clock of the refill, which tests replace with a manual one.</param>
    /// <exception cref="ArgumentOutOfRangeException">The budget or the burst is not positive.</exception>
    public CpuTokenBucket(double budgetCores, TimeSpan burst, TimeProvider time)
    {
        if (!(budgetCores > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(budgetCores), budgetCores, "the CPU budget must be positive");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(burst, TimeSpan.Zero);
        BudgetCores = budgetCores;
        CapacitySeconds = budgetCores * burst.TotalSeconds;
        _time = time;
        _tokens = CapacitySeconds;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Sustained CPU budget in cores.</summary>
    public double BudgetCores { get; }

    /// <summary>Maximum balance in CPU-seconds.</summary>
    public double CapacitySeconds { get; }

    /// <summary>Total CPU-seconds charged since the bucket was created.</summary>
    public double ChargedSeconds { get; private set; }

    /// <summary>Returns the balance in CPU-seconds now, which is negative while calls are in debt.</summary>
    public double GetBalanceSeconds()
    {
        Refill();
        return _tokens;
    }

    /// <summary>Returns true when a call may start now, that is when the balance is positive.</summary>
    public bool CanStart() => GetBalanceSeconds() > 0;

    /// <summary>Returns the wall time until the balance is positive again, or zero when it already is.</summary>
    public TimeSpan GetTimeUntilPositive()
    {
        double balance = GetBalanceSeconds();
        if (balance > 0)
        {
            return TimeSpan.Zero;
        }

        // One extra tick, because a balance of exactly zero does not admit a call.
        return TimeSpan.FromSeconds(-balance / BudgetCores) + TimeSpan.FromTicks(1);
    }

    /// <summary>Subtracts the CPU time a finished call used.</summary>
    public void Charge(TimeSpan cpu)
    {
        Refill();
        double seconds = Math.Max(0, cpu.TotalSeconds);
        _tokens -= seconds;
        ChargedSeconds += seconds;
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        double elapsedSeconds = (now - _refilledAt) / (double)_time.TimestampFrequency;
        _refilledAt = now;
        if (elapsedSeconds > 0)
        {
            _tokens = Math.Min(CapacitySeconds, _tokens + elapsedSeconds * BudgetCores);
        }
    }
}
