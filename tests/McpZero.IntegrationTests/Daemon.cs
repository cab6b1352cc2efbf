using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using McpZero.Client;

namespace McpZero.IntegrationTests;

/// <summary>Output of one CLI run.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// One daemon process of the real AOT binary, on its own socket and data directory, plus a way to
/// run CLI commands against it.
/// </summary>
internal sealed partial class Daemon : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    private readonly IReadOnlyList<string> _launcher;

    private Daemon(string directory, string dataDirectory, string socketPath, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> launcher, bool allowUnsignedPlugins)
    {
        AllowUnsignedPlugins = allowUnsignedPlugins;
        Directory = directory;
        DataDirectory = dataDirectory;
        SocketPath = socketPath;
        Environment = environment;
        _launcher = launcher;
    }

    public string Directory { get; }

    public string DataDirectory { get; }

    public string SocketPath { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>True starts the daemon with --allow-unsigned-plugins, so tests can install bare .wasm files.</summary>
    public bool AllowUnsignedPlugins { get; }

    public string Log => string.Join('\n', _log);

    /// <summary>Starts a daemon and waits until it replies to hello.</summary>
    /// <param name="launcher">
    /// A command and its arguments that run the binary, such as <c>prlimit --nofile=200:200 --</c>;
    /// it must exec the binary so that the process id stays the daemon's.
    /// </param>
    /// <param name="allowUnsignedPlugins">False starts the daemon with signature checks enforced, as a service runs.</param>
    public static async Task<Daemon> StartAsync(
        string? directory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? launcher = null,
        bool allowUnsignedPlugins = true)
    {
        directory ??= TestPaths.NewTestDirectory();
        var daemon = new Daemon(
            directory,
            Path.Combine(directory, "data"),
            Path.Combine(directory, "s.sock"),
            environment ?? new Dictionary<string, string>(),
            launcher ?? [],
            allowUnsignedPlugins);
        await daemon.StartProcessAsync().ConfigureAwait(false);
        return daemon;
    }

    /// <summary>Starts the process again on the same socket and data directory.</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>Sends SIGTERM and waits for the exit status, at most <paramref name="timeout"/> (default 30 seconds).</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        Process process = _process ?? throw new InvalidOperationException("the daemon is not running");
        if (!process.HasExited)
        {
            _ = Kill(process.Id, 15);
        }

        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        _process = null;
        return process.ExitCode;
    }

    /// <summary>Kills the daemon with SIGKILL, as a crash or power loss would, leaving the socket file behind.</summary>
    public async Task CrashAsync()
    {
        Process process = _process ?? throw new InvalidOperationException("the daemon is not running");
        _ = Kill(process.Id, 9);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        _process = null;
    }

    /// <summary>Runs <c>mcpzero ARGS --socket SOCKET</c> with optional stdin.</summary>
    public Task<CliResult> CliAsync(params string[] args) => RunCliAsync(args, stdin: null, appendSocket: true);

    public Task<CliResult> CliWithInputAsync(byte[] stdin, params string[] args) => RunCliAsync(args, stdin, appendSocket: true);

    /// <summary>Runs the binary without adding --socket, for commands such as serve.</summary>
    public Task<CliResult> RawAsync(params string[] args) => RunCliAsync(args, stdin: null, appendSocket: false);

    /// <summary>Asserts success and returns stdout trimmed.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        CliResult result = await CliAsync(args).ConfigureAwait(false);
        Assert.True(result.ExitCode == 0, $"mcpzero {string.Join(' ', args)} failed: {result}\ndaemon log:\n{Log}");
        return result.Stdout.Trim();
    }

    public async Task<McpZeroClient> ConnectAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await McpZeroClient.ConnectAsync(SocketPath, "integration-test", timeout.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder does not fail a test.
        }
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(_launcher.Count > 0 ? _launcher[0] : TestPaths.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_launcher.Count > 0)
        {
            foreach (string arg in _launcher.Skip(1))
            {
                info.ArgumentList.Add(arg);
            }

            info.ArgumentList.Add(TestPaths.Binary);
        }

        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--socket");
        info.ArgumentList.Add(SocketPath);
        info.ArgumentList.Add("--data");
        info.ArgumentList.Add(DataDirectory);
        if (AllowUnsignedPlugins)
        {
            info.ArgumentList.Add("--allow-unsigned-plugins");
        }

        foreach (KeyValuePair<string, string> variable in Environment)
        {
            info.Environment[variable.Key] = variable.Value;
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + TestPaths.Binary);
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { _log.Enqueue(line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { _log.Enqueue(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                await Task.Delay(200).ConfigureAwait(false);
                throw new InvalidOperationException($"the daemon exited with {process.ExitCode} during start-up:\n{Log}");
            }

            try
            {
                await using McpZeroClient client = await ConnectAsync().ConfigureAwait(false);
                return;
            }
            catch (McpZeroConnectionException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"the daemon did not answer on {SocketPath} within {StartTimeout}:\n{Log}");
    }

    private Task<CliResult> RunCliAsync(string[] args, byte[]? stdin, bool appendSocket) =>
        RunBinaryAsync(appendSocket ? [.. args, "--socket", SocketPath] : args, stdin);

    /// <summary>Runs the binary with <paramref name="args"/> and optional stdin, without any daemon of its own.</summary>
    public static async Task<CliResult> RunBinaryAsync(
        IReadOnlyList<string> args,
        byte[]? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(TestPaths.Binary)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable.Key] = variable.Value;
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + TestPaths.Binary);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin).ConfigureAwait(false);
        }

        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"mcpzero {string.Join(' ', args)} did not finish within {CommandTimeout}");
        }

        return new CliResult(process.ExitCode, await stdout.WaitAsync(timeout.Token).ConfigureAwait(false), await stderr.WaitAsync(timeout.Token).ConfigureAwait(false));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
