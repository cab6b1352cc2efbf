using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

internal static class TraceCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing trace command: list or verify");
        }

        CommandSpec spec = args[0] switch
        {
            "list" => CommandSpec.Client("trace list", 0, "agent", "since", "until", "limit"),
            "verify" => CommandSpec.Client("trace verify", 0, "from"),
            _ => throw new UsageException($"unknown trace command '{args[0]}'; use list or verify"),
        };
        CommandLine line = CommandLine.Parse(args[1..], spec);
        bool json = line.Flag("json");
        switch (args[0])
        {
            case "list":
            {
                var request = new TraceListRequest
                {
                    AgentId = line.Option("agent"),
                    SinceUnixMicros = line.Option("since") is { } since ? TimeFormat.ParseSince(since) : 0,
                    UntilUnixMicros = line.Option("until") is { } until ? TimeFormat.ParseSince(until, "until") : long.MaxValue,
                    Limit = (int)(line.LongOption("limit", 1, 10_000) ?? 100),
                };
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                TraceListResponse list = await ClientCommand.RequestAsync<TraceListResponse>(client, request).ConfigureAwait(false);
                if (json)
                {
                    JsonOutput.Write(list, CliJsonContext.Relaxed.TraceListResponse);
                    return Cli.ExitOk;
                }

                var table = new TextTable("SEQ", "TIME", "AGENT", "CALL", "STATUS", "MICROS", "INPUT", "OUTPUT", "HASH");
                foreach (TraceInfo record in list.Records)
                {
                    table.Add(
                        record.Sequence.ToString(),
                        TimeFormat.FromUnixMicros(record.TimestampUnixMicros),
                        record.AgentId,
                        $"{record.Plugin}.{record.Method}",
                        record.Cached ? "cached" : record.Status == ErrorCode.Ok ? "ok" : record.Status.ToString(),
                        record.DurationMicros.ToString(),
                        record.InputSha256[..12],
                        record.OutputSha256[..12],
                        record.Hash[..12]);
                }

                table.Write(Output.Out);
                return Cli.ExitOk;
            }

            case "verify":
            {
                var request = new TraceVerifyRequest { FromSequence = line.LongOption("from", 0, long.MaxValue) ?? 0 };
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                TraceVerifyResponse result = await ClientCommand.RequestAsync<TraceVerifyResponse>(client, request).ConfigureAwait(false);
                if (json)
                {
                    JsonOutput.Write(result, CliJsonContext.Relaxed.TraceVerifyResponse);
                }
                else if (result.Ok)
                {
                    Output.Out.WriteLine($"ok: {result.RecordsChecked} records verified; head {result.HeadHash}");
                    if (result.AnchorSequence >= 0)
                    {
                        Output.Out.WriteLine($"records 0 to {result.AnchorSequence} were removed by retention; the chain starts from anchor {result.AnchorHash}");
                    }
                }
                else
                {
                    Output.Out.WriteLine($"FAILED at record {result.FirstBadSequence} after {result.RecordsChecked} records: {result.Message}");
                }

                return result.Ok ? Cli.ExitOk : Cli.ExitServerError;
            }

            default:
                throw new UsageException($"unknown trace command '{args[0]}'; use list or verify");
        }
    }
}
