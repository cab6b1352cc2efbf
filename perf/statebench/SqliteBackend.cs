using Microsoft.Data.Sqlite;

namespace McpZero.StateBench;

/// <summary>
/// Agent variables in one SQLite table keyed by (agent, name), in WAL mode with synchronous set
/// to NORMAL or FULL, through one prepared statement per operation.
/// </summary>
/// <remarks>
/// Every operation runs inside an explicit transaction that <see cref="CommitAsync"/> commits and
/// reopens, so a commit is the durability point, as a checkpoint is for FASTER. In WAL mode with
/// synchronous=NORMAL, SQLite does not fsync at a commit, only when it checkpoints the WAL into the
/// database file: a commit survives a crash of the process but can be lost on power loss. With
/// synchronous=FULL it fsyncs the WAL at every commit.
/// </remarks>
internal sealed class SqliteBackend : IStateBackend
{
    private readonly Workload _workload;
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _read;
    private readonly SqliteParameter _readAgent;
    private readonly SqliteParameter _readName;
    private readonly SqliteCommand _upsert;
    private readonly SqliteParameter _upsertAgent;
    private readonly SqliteParameter _upsertName;
    private readonly SqliteParameter _upsertValue;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;

    public SqliteBackend(Workload workload, string directory)
    {
        _workload = workload;
        System.IO.Directory.CreateDirectory(directory);

        // Without pooling, dispose really closes the connection, so SQLite checkpoints the WAL into
        // the database file and deletes it, and the size on disk is the database alone.
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "state.db"),
            Pooling = false,
        };
        _connection = new SqliteConnection(builder.ConnectionString);
        _connection.Open();

        string journalMode = (string)ExecuteScalar("PRAGMA journal_mode=WAL")!;
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite kept journal_mode '{journalMode}' instead of WAL in '{directory}'");
        }

        ExecuteScalar($"PRAGMA synchronous={workload.Options.SqliteSynchronous}");
        long synchronous = (long)ExecuteScalar("PRAGMA synchronous")!;
        long expectedSynchronous = workload.Options.SqliteSynchronous == "FULL" ? 2 : 1;
        if (synchronous != expectedSynchronous)
        {
            throw new InvalidOperationException(
                $"SQLite reports synchronous={synchronous} instead of {workload.Options.SqliteSynchronous} ({expectedSynchronous}) in '{directory}'");
        }
        ExecuteScalar(
            "CREATE TABLE IF NOT EXISTS variables (agent TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, " +
            "PRIMARY KEY (agent, name)) WITHOUT ROWID");

        _read = _connection.CreateCommand();
        _read.CommandText = "SELECT value FROM variables WHERE agent = $agent AND name = $name";
        _readAgent = _read.Parameters.Add("$agent", SqliteType.Text);
        _readName = _read.Parameters.Add("$name", SqliteType.Text);
        _read.Prepare();

        _upsert = _connection.CreateCommand();
        _upsert.CommandText =
            "INSERT INTO variables (agent, name, value) VALUES ($agent, $name, $value) " +
            "ON CONFLICT (agent, name) DO UPDATE SET value = excluded.value";
        _upsertAgent = _upsert.Parameters.Add("$agent", SqliteType.Text);
        _upsertName = _upsert.Parameters.Add("$name", SqliteType.Text);
        _upsertValue = _upsert.Parameters.Add("$value", SqliteType.Blob);
        _upsert.Prepare();

        // Plain BEGIN and COMMIT statements, because SqliteTransaction would require setting the
        // Transaction property of every command after each commit.
        _begin = _connection.CreateCommand();
        _begin.CommandText = "BEGIN";
        _begin.Prepare();
        _commit = _connection.CreateCommand();
        _commit.CommandText = "COMMIT";
        _commit.Prepare();

        _begin.ExecuteNonQuery();
    }

    public byte[]? Read(int key)
    {
        _readAgent.Value = _workload.AgentIds[_workload.AgentOf(key)];
        _readName.Value = _workload.VariableOf(key);
        return _read.ExecuteScalar() as byte[];
    }

    public void Upsert(int key, byte[] value)
    {
        _upsertAgent.Value = _workload.AgentIds[_workload.AgentOf(key)];
        _upsertName.Value = _workload.VariableOf(key);
        _upsertValue.Value = value;
        _upsert.ExecuteNonQuery();
    }

    public ValueTask CommitAsync()
    {
        _commit.ExecuteNonQuery();
        _begin.ExecuteNonQuery();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        // The transaction opened after the last commit contains no upserts, because the workload
        // ends with a commit. It is committed anyway, so that no write can be lost here.
        _commit.ExecuteNonQuery();

        _read.Dispose();
        _upsert.Dispose();
        _begin.Dispose();
        _commit.Dispose();
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns the version of the SQLite library that Microsoft.Data.Sqlite loaded.</summary>
    public static string ReadLibraryVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private object? ExecuteScalar(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
