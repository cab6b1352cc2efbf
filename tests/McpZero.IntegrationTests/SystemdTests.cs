using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>
/// The systemd protocols of <c>mcpzero serve</c> without a real systemd: sd_notify messages on a
/// datagram socket the test binds, the watchdog, socket activation through
/// <c>systemd-socket-activate</c>, journal priorities and the resource limits read at start-up.
/// </summary>
public sealed partial class SystemdTests
{
    private static readonly TimeSpan MessageTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadyIsSentAfterSocketAnswers()
    {
        string directory = TestPaths.NewTestDirectory();
        await using var notify = new NotifyListener(Path.Combine(directory, "n.sock"), probeSocketPath: Path.Combine(directory, "s.sock"));
        await using Daemon daemon = await Daemon.StartAsync(directory, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });

        string ready = await notify.WaitForAsync("READY=1", MessageTimeout);

        Assert.True(notify.ReadyProbe == "ok", $"the socket did not answer hello when READY=1 arrived: {notify.ReadyProbe}\ndaemon log:\n{daemon.Log}");
        Assert.Contains($"MAINPID={daemon.ProcessId}", ready);
        Assert.Contains("STATUS=Serving on " + daemon.SocketPath, ready);
        Assert.Equal(1, notify.Count("READY=1"));
    }

    [Fact]
    public async Task StoppingIsSentOnSigterm()
    {
        string directory = TestPaths.NewTestDirectory();
        await using var notify = new NotifyListener(Path.Combine(directory, "n.sock"));
        await using Daemon daemon = await Daemon.StartAsync(directory, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync("READY=1", MessageTimeout);
        Assert.Equal(0, notify.Count("STOPPING=1"));

        Assert.Equal(0, await daemon.StopAsync());

        string stopping = await notify.WaitForAsync("STOPPING=1", MessageTimeout);
        Assert.Contains("STATUS=Stopping", stopping);
    }

    [Fact]
    public async Task AbstractNotifySocketReceivesReady()
    {
        string directory = TestPaths.NewTestDirectory();
        string name = "@mcpzero-test-" + Path.GetFileName(directory);
        await using var notify = new NotifyListener(name);
        await using Daemon daemon = await Daemon.StartAsync(directory, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = name });

        string ready = await notify.WaitForAsync("READY=1", MessageTimeout);

        Assert.Contains($"MAINPID={daemon.ProcessId}", ready);
    }

    [Fact]
    public async Task WatchdogPingsEveryHalfInterval()
    {
        string directory = TestPaths.NewTestDirectory();
        await using var notify = new NotifyListener(Path.Combine(directory, "n.sock"));
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "400000" };
        await using Daemon daemon = await Daemon.StartAsync(directory, environment);

        await notify.WaitForAsync("READY=1", MessageTimeout);
        await notify.WaitForAsync("WATCHDOG=1", MessageTimeout);
        await notify.WaitForAsync("WATCHDOG=1", MessageTimeout);

        Assert.True(notify.Count("WATCHDOG=1") >= 2);
        Assert.Contains("Watchdog enabled: interval 400 ms", daemon.Log);
        Assert.DoesNotContain("health check failed", daemon.Log);
        Assert.True(notify.IndexOf("READY=1") < notify.IndexOf("WATCHDOG=1"), "the first WATCHDOG=1 must follow READY=1");
    }

    [Fact]
    public async Task WatchdogForAnotherPidSendsNoPing()
    {
        string directory = TestPaths.NewTestDirectory();
        await using var notify = new NotifyListener(Path.Combine(directory, "n.sock"));
        var environment = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notify.Path,
            ["WATCHDOG_USEC"] = "200000",
            ["WATCHDOG_PID"] = "1",
        };
        await using Daemon daemon = await Daemon.StartAsync(directory, environment);
        await notify.WaitForAsync("READY=1", MessageTimeout);

        // Five intervals: a daemon that took the watchdog for itself would have pinged about ten times.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await daemon.OkAsync("status");

        Assert.Equal(0, notify.Count("WATCHDOG=1"));
        Assert.DoesNotContain("Watchdog enabled", daemon.Log);
    }

    [Fact]
    public async Task JournalOutputCarriesPriorities()
    {
        string directory = TestPaths.NewTestDirectory();
        var environment = new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" };
        await using Daemon daemon = await Daemon.StartAsync(directory, environment);
        await daemon.StopAsync();

        string[] lines = daemon.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, line => line.StartsWith("<6>McpZero.Server.UnixSocketServer[1] Listening on", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.Matches(@"^<[0-7]>", line));
        Assert.DoesNotContain("Press Ctrl+C", daemon.Log);
    }

    [Fact]
    public async Task ListenPidOfAnotherProcessIsIgnored()
    {
        var environment = new Dictionary<string, string> { ["LISTEN_PID"] = "1", ["LISTEN_FDS"] = "1" };
        await using Daemon daemon = await Daemon.StartAsync(environment: environment);

        await daemon.OkAsync("status");

        Assert.DoesNotContain("socket activation", daemon.Log);
        Assert.Equal(0, await daemon.StopAsync());
        Assert.False(File.Exists(daemon.SocketPath), "a daemon that bound its own socket removes it at stop");
    }

    [RequiresToolFact("systemd-socket-activate")]
    public async Task SocketActivationServesAndLeavesSocket()
    {
        string directory = TestPaths.NewTestDirectory();
        string socketPath = Path.Combine(directory, "a.sock");
        string dataDirectory = Path.Combine(directory, "data");
        await using var activator = ToolProcess.Start(
            "systemd-socket-activate",
            ["-l", socketPath, "-E", "MCPZERO__SHUTDOWNTIMEOUTSECONDS=5", "-E", "MCPZERO__ALLOWUNSIGNEDPLUGINS=true", TestPaths.Binary, "serve", "--data", dataDirectory],
            directory);
        await WaitForFileAsync(socketPath, activator);

        // The first connection makes systemd-socket-activate exec the daemon in its own process,
        // which then accepts the connection waiting in the backlog.
        await using (McpZeroClient client = await ConnectAsync(socketPath))
        {
            StatusResponse status = await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);
            Assert.Equal(activator.ProcessId, status.ProcessId);
            Assert.Equal(socketPath, status.SocketPath);
            Assert.Equal(dataDirectory, status.DataDirectory);
        }

        CliResult install = await Daemon.RunBinaryAsync(["plugin", "install", TestPaths.Plugin("hello"), "--socket", socketPath]);
        Assert.True(install.ExitCode == 0, $"{install}\nlog:\n{activator.Output}");
        CliResult spawn = await Daemon.RunBinaryAsync(["agent", "spawn", "--owner", "sd", "--plugin", "hello", "--socket", socketPath]);
        Assert.True(spawn.ExitCode == 0, $"{spawn}\nlog:\n{activator.Output}");

        Assert.Equal(0, await activator.StopAsync());
        Assert.Contains("Using the socket passed by systemd socket activation: " + socketPath, activator.Output);
        Assert.Contains("the socket file belongs to systemd", activator.Output);
        Assert.True(File.Exists(socketPath), "the socket file belongs to systemd-socket-activate and must stay after the daemon stops");
        Assert.False(File.Exists(Path.Combine(directory, "var", "mcpzero.sock")), "an activated daemon must not bind its configured socket");
    }

    [RequiresToolFact("prlimit")]
    public async Task OpenFilesLimitCapsConnections()
    {
        await using Daemon daemon = await Daemon.StartAsync(launcher: ["prlimit", "--nofile=200:200", "--"]);

        await daemon.OkAsync("status");

        Assert.Contains("open files 200 (hard 200); accepting up to 72 connections", daemon.Log);
        Assert.Contains("MaxConnections 256 lowered to 72", daemon.Log);
    }

    [RequiresToolFact("prlimit")]
    public async Task SoftOpenFilesLimitIsRaisedToHard()
    {
        await using Daemon daemon = await Daemon.StartAsync(launcher: ["prlimit", "--nofile=200:1000", "--"]);

        string limits = await File.ReadAllTextAsync($"/proc/{daemon.ProcessId}/limits");

        Assert.Matches(@"Max open files\s+1000\s+1000", limits);
        Assert.Contains("open files 1000 (hard 1000); accepting up to 256 connections", daemon.Log);
        Assert.DoesNotContain("lowered to", daemon.Log);
    }

    [RequiresToolFact("prlimit")]
    public async Task TinyOpenFilesLimitRejectsStart()
    {
        string directory = TestPaths.NewTestDirectory();
        string[] command = ["--nofile=100:100", "--", TestPaths.Binary, "serve", "--socket", Path.Combine(directory, "s.sock"), "--data", Path.Combine(directory, "data")];
        await using var daemon = ToolProcess.Start("prlimit", command, directory);

        int exitCode = await daemon.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("RLIMIT_NOFILE=100", daemon.Output);
        Assert.Contains("raise LimitNOFILE=", daemon.Output);
        Assert.False(File.Exists(Path.Combine(directory, "s.sock")));
    }

    [Fact]
    public async Task StartupLogsResourceLimits()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string limits = await File.ReadAllTextAsync($"/proc/{daemon.ProcessId}/limits");
        string openFiles = limits.Split('\n').Single(line => line.StartsWith("Max open files", StringComparison.Ordinal));
        string soft = openFiles.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];

        Assert.Contains($"open files {(soft == "unlimited" ? "unlimited" : soft)} (hard ", daemon.Log);
        Assert.Contains("Resource limits: cgroup ", daemon.Log);
    }

    private static async Task<McpZeroClient> ConnectAsync(string socketPath)
    {
        using var timeout = new CancellationTokenSource(Daemon.StartTimeout);
        return await McpZeroClient.ConnectAsync(socketPath, "systemd-test", timeout.Token);
    }

    private static async Task WaitForFileAsync(string path, ToolProcess process)
    {
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            Assert.True(deadline.Elapsed < Daemon.StartTimeout, $"'{path}' did not appear within {Daemon.StartTimeout}:\n{process.Output}");
            Assert.False(process.HasExited, $"the process exited before '{path}' appeared:\n{process.Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>A datagram socket that records every sd_notify message sent to it.</summary>
    private sealed class NotifyListener : IAsyncDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly ConcurrentQueue<string> _messages = new();
        private readonly Channel<string> _arrivals = Channel.CreateUnbounded<string>();
        private readonly CancellationTokenSource _closing = new();
        private readonly string? _probeSocketPath;
        private readonly Task _receiveLoop;

        /// <param name="path">A file path, or an abstract name starting with '@'.</param>
        /// <param name="probeSocketPath">When set, the daemon socket that must answer hello at the moment READY=1 arrives.</param>
        public NotifyListener(string path, string? probeSocketPath = null)
        {
            Path = path;
            _probeSocketPath = probeSocketPath;
            _socket.Bind(new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path));
            _receiveLoop = ReceiveLoopAsync();
        }

        public string Path { get; }

        /// <summary>"ok" when the daemon socket answered hello on READY=1, else the failure; null before READY=1.</summary>
        public string? ReadyProbe { get; private set; }

        public int Count(string assignment) => _messages.Count(message => Contains(message, assignment));

        public int IndexOf(string assignment) => _messages.ToList().FindIndex(message => Contains(message, assignment));

        /// <summary>Waits for the next message with <paramref name="assignment"/> not yet returned by an earlier wait.</summary>
        public async Task<string> WaitForAsync(string assignment, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                while (true)
                {
                    string message = await _arrivals.Reader.ReadAsync(deadline.Token);
                    if (Contains(message, assignment))
                    {
                        return message;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {assignment} on {Path} within {timeout}; received: [{string.Join(" | ", _messages)}]");
            }
        }

        public async ValueTask DisposeAsync()
        {
            _closing.Cancel();
            _socket.Dispose();
            await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(10));
        }

        private static bool Contains(string message, string assignment) => message.Split('\n').Contains(assignment);

        private async Task ReceiveLoopAsync()
        {
            byte[] buffer = new byte[4096];
            while (!_closing.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _closing.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                string message = Encoding.UTF8.GetString(buffer, 0, length);
                if (_probeSocketPath is not null && Contains(message, "READY=1"))
                {
                    ReadyProbe = await ProbeAsync(_probeSocketPath);
                }

                _messages.Enqueue(message);
                _arrivals.Writer.TryWrite(message);
            }
        }

        // One attempt, no retry: READY=1 promises that the socket already serves.
        private static async Task<string> ProbeAsync(string socketPath)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await using McpZeroClient client = await McpZeroClient.ConnectAsync(socketPath, "ready-probe", timeout.Token);
                return "ok";
            }
            catch (Exception ex) when (ex is McpZeroConnectionException or OperationCanceledException)
            {
                return ex.Message;
            }
        }
    }

    /// <summary>A process other than the daemon helper's, such as a launcher that execs the binary, with its output kept.</summary>
    private sealed partial class ToolProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private ToolProcess(Process process)
        {
            _process = process;
        }

        public int ProcessId => _process.Id;

        public bool HasExited => _process.HasExited;

        public string Output => string.Join('\n', _output);

        public static ToolProcess Start(string fileName, IReadOnlyList<string> args, string workingDirectory)
        {
            var info = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory,
            };
            foreach (string arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + fileName);
            var tool = new ToolProcess(process);
            process.OutputDataReceived += (_, line) => { if (line.Data is not null) { tool._output.Enqueue(line.Data); } };
            process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { tool._output.Enqueue(line.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return tool;
        }

        /// <summary>Sends SIGTERM and returns the exit status.</summary>
        public async Task<int> StopAsync()
        {
            _ = Kill(_process.Id, 15);
            return await WaitForExitAsync();
        }

        public async Task<int> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);

            // The output events may still be in flight after the exit; waiting without a timeout
            // drains them, and the process has already ended so it returns at once.
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }

            _process.Dispose();
        }

        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static partial int Kill(int pid, int signal);
    }
}

/// <summary>A fact that is skipped, with the reason, when a command-line tool is not on PATH.</summary>
internal sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        string[] directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        if (!directories.Any(directory => File.Exists(Path.Combine(directory, tool))))
        {
            Skip = $"'{tool}' is not on PATH; install it (Debian: systemd for systemd-socket-activate, util-linux for prlimit) to run this test";
        }
    }
}
