using System.Diagnostics;
using McpZero.Agents;
using McpZero.Plugins;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Server.Metrics;
using Microsoft.Extensions.Logging;

namespace McpZero.Server;

/// <summary>Maps each request to the agent runtime and each outcome to a response.</summary>
internal sealed partial class RequestDispatcher(AgentRuntimeService runtimeService, ServerOptions options, MemoryPlan memoryPlan, ServerState state, StatsCollector stats, ILogger<RequestDispatcher> logger)
{
    /// <param name="connectionId">The connection that sent the request; it holds the pool leases the request takes.</param>
    /// <param name="callCancellation">Stops a running plugin call of an exec request, for a client's cancel.</param>
    public async Task<IResponse> DispatchAsync(IRequest request, long connectionId, CancellationToken cancellationToken, CancellationToken callCancellation = default)
    {
        if (Authorize(request, connectionId) is ErrorResponse denied)
        {
            return denied;
        }

        AgentRuntime runtime = runtimeService.Runtime;
        try
        {
            IResponse response = IsPoolRequest(request)
                ? await HandlePoolAsync(runtime, request, connectionId, cancellationToken).ConfigureAwait(false)
                : AdjustForCaller(await HandleAsync(runtime, request, connectionId, cancellationToken, callCancellation).ConfigureAwait(false), connectionId);

            // Catalog changes are rare and must survive a crash. The sync commit policy has already
            // made them durable before the handler returned; the other policies checkpoint them here.
            // Index writes do not wait for a commit, so a new index is checkpointed under every policy.
            bool catalogChange = request is PluginInstallRequest or PluginRemoveRequest or AgentSpawnRequest
                or AgentAttachRequest or AgentSnapshotRequest or AgentRecoverRequest or AgentTerminateRequest or AgentSnapshotDeleteRequest
                or PoolCreateRequest or PoolRemoveRequest;
            if (response is not ErrorResponse && ((catalogChange && !runtime.CommitsEveryChange) || request is DbCreateIndexRequest))
            {
                await runtime.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return response;
        }
        catch (AgentException ex)
        {
            Log.RequestRejected(logger, request.MessageType, ex.Code, ex.Message);
            ErrorResponse error = Error(ex.Code, ex.Message);
            error.RetryAfterMilliseconds = ex.RetryAfter is TimeSpan retryAfter ? (int)Math.Ceiling(retryAfter.TotalMilliseconds) : 0;
            return error;
        }
        catch (PluginException ex)
        {
            Log.RequestRejected(logger, request.MessageType, ErrorCode.InvalidModule, ex.Message);
            return Error(ErrorCode.InvalidModule, ex.Message);
        }
    }

    private async Task<IResponse> HandleAsync(AgentRuntime runtime, IRequest request, long connectionId, CancellationToken cancellationToken, CancellationToken callCancellation)
    {
        return request switch
        {
            StatusRequest => CreateStatus(runtime),
            PluginInstallRequest install => runtime.InstallPlugin(install.Name, install.Wasm, install.ManifestJson, install.Replace, install.Signature, install.Readme),
            PluginListRequest => new PluginListResponse { Plugins = runtime.ListPlugins() },
            PluginShowRequest show => runtime.ShowPlugin(show.Name),
            PluginRemoveRequest remove => Ok(() => runtime.RemovePlugin(remove.Name), $"removed plugin '{remove.Name}'"),
            AgentSpawnRequest spawn => runtime.SpawnAgent(spawn.Owner, spawn.Constraints ?? new AgentConstraints(), spawn.Config ?? [], spawn.Plugins ?? [], OwnerUidOf(connectionId)),
            AgentListRequest => new AgentListResponse { Agents = runtime.ListAgents() },
            AgentShowRequest show => await runtime.ShowAgentAsync(show.AgentId, cancellationToken).ConfigureAwait(false),
            AgentAttachRequest attach => await runtime.AttachAsync(attach.AgentId, attach.Plugin, cancellationToken).ConfigureAwait(false),
            AgentExecRequest exec => await runtime.ExecAsync(exec.AgentId, exec.Method, exec.Input ?? [], exec.Plugin, cancellationToken, callCancellation).ConfigureAwait(false),
            AgentSnapshotRequest snapshot => await runtime.SnapshotAsync(snapshot.AgentId, cancellationToken).ConfigureAwait(false),
            AgentRecoverRequest recover => await runtime.RecoverAsync(recover.SnapshotId, cancellationToken).ConfigureAwait(false),
            AgentTerminateRequest terminate => await TerminateAsync(runtime, terminate.AgentId, cancellationToken).ConfigureAwait(false),
            TraceListRequest list => new TraceListResponse { Records = runtime.ListTraces(list.AgentId, list.SinceUnixMicros, list.UntilUnixMicros == 0 ? long.MaxValue : list.UntilUnixMicros, list.Limit) },
            TraceVerifyRequest verify => runtime.VerifyTraces(verify.FromSequence),
            StatsRequest => stats.Collect(),
            DbInsertRequest insert => await runtime.InsertDocumentsAsync(insert.Collection ?? "", insert.Documents ?? [], cancellationToken).ConfigureAwait(false),
            DbGetRequest get => runtime.GetDocument(get.Collection ?? "", get.Id ?? "", get.Fields ?? []),
            DbUpdateRequest update => await runtime.UpdateDocumentAsync(update.Collection ?? "", update.Id ?? "", update.Changes ?? "", cancellationToken).ConfigureAwait(false),
            DbDeleteRequest delete => await runtime.DeleteDocumentAsync(delete.Collection ?? "", delete.Id ?? "", cancellationToken).ConfigureAwait(false),
            DbFindRequest find => runtime.FindDocuments(find.Collection ?? "", find.Conditions ?? [], find.Fields ?? [], find.Limit),
            DbCreateIndexRequest create => runtime.CreateIndex(create.Collection ?? "", create.Field ?? ""),
            DbIndexListRequest => runtime.ListIndexes(),
            AgentSnapshotDeleteRequest delete => await DeleteSnapshotAsync(runtime, delete.SnapshotId, cancellationToken).ConfigureAwait(false),
            HelloRequest => Error(ErrorCode.BadRequest, "hello was already exchanged on this connection"),
            _ => Error(ErrorCode.UnknownMessageType, $"message type {request.MessageType} has no handler"),
        };
    }

    public static ErrorResponse Error(ErrorCode code, string message) => new() { Code = code, Message = message };

    private static async Task<IResponse> TerminateAsync(AgentRuntime runtime, string agentId, CancellationToken cancellationToken)
    {
        await runtime.TerminateAsync(agentId, cancellationToken).ConfigureAwait(false);
        return new OkResponse { Message = $"terminated agent '{agentId}'" };
    }

    private static async Task<IResponse> DeleteSnapshotAsync(AgentRuntime runtime, string snapshotId, CancellationToken cancellationToken)
    {
        await runtime.DeleteSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        return new OkResponse { Message = $"deleted snapshot '{snapshotId}'" };
    }

    private static OkResponse Ok(Action action, string message)
    {
        action();
        return new OkResponse { Message = message };
    }

    private StatusResponse CreateStatus(AgentRuntime runtime)
    {
        (long resident, long peak) = ProcessMemory.Read();
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        return new StatusResponse
        {
            ServerVersion = ServerInfo.Version,
            WasmtimeVersion = PluginEngine.WasmtimeVersion,
            DataDirectory = options.DataDirectory,
            SocketPath = options.SocketPath,
            ProcessId = Environment.ProcessId,
            UptimeMilliseconds = (long)(DateTime.UtcNow - Process.GetCurrentProcess().StartTime.ToUniversalTime()).TotalMilliseconds,
            Agents = runtime.AgentCount,
            Plugins = runtime.PluginCount,
            Executions = runtime.Executions,
            TraceRecords = runtime.TraceRecords,
            ResidentBytes = resident,
            PeakResidentBytes = peak,
            GcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
            GcHeapHardLimitBytes = gc.TotalAvailableMemoryBytes,
            ModulesCompiled = runtime.ModulesCompiled,
            ModulesLoadedFromCache = runtime.ModulesLoadedFromCache,
            Connections = state.Connections,
            MemoryCeilingBytes = memoryPlan.CeilingBytes,
            WasmMemoryBudgetBytes = memoryPlan.WasmBudgetBytes,
            WasmMemoryReservedBytes = runtime.MemoryBudget?.ReservedBytes ?? 0,
            CpuBudgetPercent = options.AdmissionControl ? options.CpuBudgetPercent : 0,
            QueuedExecutions = runtime.Governor?.QueueDepth ?? 0,
            LoadedModules = runtime.LoadedModules,
            ModulesUnloaded = runtime.ModulesUnloaded,
            ResultCacheHits = runtime.ResultCacheHits,
            ResultCacheMisses = runtime.ResultCacheMisses,
            ResultCacheBytes = runtime.ResultCacheBytes,
            ResultCacheEntries = runtime.ResultCacheEntries,
            ResultCacheCapacityBytes = runtime.ResultCacheCapacityBytes,
            AllowUnsignedPlugins = options.AllowUnsignedPlugins,
            TrustedKeysDirectory = runtime.TrustedKeysDirectory,
        };
    }
}
