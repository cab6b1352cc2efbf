using System.Buffers;
using System.Text;
using System.Text.Json;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

/// <summary>`mcpzero db ...`: document operations on the agents, resources, traces and snapshots collections.</summary>
internal static class DbCommands
{
    private const string Commands = "find, get, insert, insert-many, update, delete, create-index or indexes";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException($"missing db command: {Commands}");
        }

        CommandSpec spec = args[0] switch
        {
            "find" => CommandSpec.Client("db find", 1, "where", "fields", "limit"),
            "get" => CommandSpec.Client("db get", 2, "fields"),
            "insert" => CommandSpec.Client("db insert", 2, "file"),
            "insert-many" => CommandSpec.Client("db insert-many", 2, "file"),
            "update" => CommandSpec.Client("db update", 3, "file"),
            "delete" => CommandSpec.Client("db delete", 2),
            "create-index" => CommandSpec.Client("db create-index", 2),
            "indexes" => CommandSpec.Client("db indexes", 0),
            _ => throw new UsageException($"unknown db command '{args[0]}'; use {Commands}"),
        };
        CommandLine line = CommandLine.Parse(args[1..], spec);
        bool json = line.Flag("json");
        switch (args[0])
        {
            case "find":
            {
                var request = new DbFindRequest
                {
                    Collection = line.Argument(0, "collection: agents, resources, traces or snapshots"),
                    Conditions = [.. line.Options("where").Select(WhereParser.Parse)],
                    Fields = SplitList(line.Option("fields")),
                    Limit = (int)(line.LongOption("limit", 1, 10_000) ?? 100),
                };
                return await FindAsync(line, request, json).ConfigureAwait(false);
            }

            case "get":
            {
                var request = new DbGetRequest
                {
                    Collection = line.Argument(0, "collection"),
                    Id = line.Argument(1, "document id"),
                    Fields = SplitList(line.Option("fields")),
                };
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                DbDocumentsResponse response = await ClientCommand.RequestAsync<DbDocumentsResponse>(client, request).ConfigureAwait(false);
                Output.Out.WriteLine(json ? Indent(response.Documents[0]) : response.Documents[0]);
                return Cli.ExitOk;
            }

            case "insert":
            {
                string collection = line.Argument(0, "collection");
                string document = await ReadInputAsync(line, 1, "document").ConfigureAwait(false);
                return await WriteAsync(line, new DbInsertRequest { Collection = collection, Documents = [document] }, json).ConfigureAwait(false);
            }

            case "insert-many":
            {
                string collection = line.Argument(0, "collection");
                string array = await ReadInputAsync(line, 1, "documents").ConfigureAwait(false);
                return await WriteAsync(line, new DbInsertRequest { Collection = collection, Documents = SplitArray(array) }, json).ConfigureAwait(false);
            }

            case "update":
            {
                var request = new DbUpdateRequest
                {
                    Collection = line.Argument(0, "collection"),
                    Id = line.Argument(1, "document id"),
                    Changes = await ReadInputAsync(line, 2, "changes").ConfigureAwait(false),
                };
                return await WriteAsync(line, request, json).ConfigureAwait(false);
            }

            case "delete":
            {
                var request = new DbDeleteRequest { Collection = line.Argument(0, "collection"), Id = line.Argument(1, "document id") };
                return await WriteAsync(line, request, json).ConfigureAwait(false);
            }

            case "create-index":
            {
                var request = new DbCreateIndexRequest { Collection = line.Argument(0, "collection"), Field = line.Argument(1, "field") };
                return await IndexesAsync(line, request, json).ConfigureAwait(false);
            }

            default:
                return await IndexesAsync(line, new DbIndexListRequest(), json).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a find and prints the documents as a table, or as JSON with the index used.</summary>
    public static async Task<int> FindAsync(CommandLine line, DbFindRequest request, bool json)
    {
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        DbDocumentsResponse response = await ClientCommand.RequestAsync<DbDocumentsResponse>(client, request).ConfigureAwait(false);
        if (json)
        {
            Output.Out.WriteLine(DocumentsJson(response));
            return Cli.ExitOk;
        }

        WriteTable(response.Documents);
        string source = response.UsedIndex is null ? "scan" : $"index on {response.UsedIndex}";
        Output.Out.WriteLine($"{response.Documents.Length} documents ({source}, {response.Examined} examined)");
        return Cli.ExitOk;
    }

    private static async Task<int> WriteAsync(CommandLine line, IRequest request, bool json)
    {
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        DbWriteResponse response = await ClientCommand.RequestAsync<DbWriteResponse>(client, request).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(response, CliJsonContext.Relaxed.DbWriteResponse);
            return Cli.ExitOk;
        }

        foreach (string id in response.Ids)
        {
            Output.Out.WriteLine(id);
        }

        return Cli.ExitOk;
    }

    private static async Task<int> IndexesAsync(CommandLine line, IRequest request, bool json)
    {
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        DbIndexListResponse response = await ClientCommand.RequestAsync<DbIndexListResponse>(client, request).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(response, CliJsonContext.Relaxed.DbIndexListResponse);
            return Cli.ExitOk;
        }

        var table = new TextTable("COLLECTION", "FIELD", "VALUES", "ENTRIES", "BUILT-IN");
        foreach (DbIndexInfo index in response.Indexes)
        {
            table.Add(index.Collection, index.Field, index.Values.ToString(), index.Entries.ToString(), index.BuiltIn ? "yes" : "no");
        }

        table.Write(Output.Out);
        return Cli.ExitOk;
    }

    /// <summary>Reads JSON from the positional argument at <paramref name="index"/>, or from --file.</summary>
    private static async Task<string> ReadInputAsync(CommandLine line, int index, string what)
    {
        string? path = line.Option("file");
        if (path is not null)
        {
            if (index < line.Positional.Count)
            {
                throw new UsageException($"give the {what} either as an argument or with --file, not both");
            }

            return await InputFile.ReadAllTextAsync(path, what + " file").ConfigureAwait(false);
        }

        return index < line.Positional.Count
            ? line.Positional[index]
            : throw new UsageException($"missing {what}: give JSON as an argument or --file PATH");
    }

    private static string[] SplitArray(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new UsageException($"insert-many needs a JSON array of objects, not a JSON {document.RootElement.ValueKind}");
            }

            return [.. document.RootElement.EnumerateArray().Select(element => element.GetRawText())];
        }
        catch (JsonException ex)
        {
            throw new UsageException($"insert-many input is not valid JSON: {ex.Message}");
        }
    }

    private static string[] SplitList(string? text) =>
        text is null ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string DocumentsJson(DbDocumentsResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("documents");
            foreach (string document in response.Documents)
            {
                using JsonDocument parsed = JsonDocument.Parse(document);
                parsed.RootElement.WriteTo(writer);
            }

            writer.WriteEndArray();
            if (response.UsedIndex is null)
            {
                writer.WriteNull("used_index");
            }
            else
            {
                writer.WriteString("used_index", response.UsedIndex);
            }

            writer.WriteNumber("examined", response.Examined);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Indent(string document)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            using JsonDocument parsed = JsonDocument.Parse(document);
            parsed.RootElement.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Prints documents as a table whose columns are the fields of the first document.</summary>
    private static void WriteTable(string[] documents)
    {
        if (documents.Length == 0)
        {
            return;
        }

        using JsonDocument first = JsonDocument.Parse(documents[0]);
        string[] columns = [.. first.RootElement.EnumerateObject().Select(property => property.Name)];
        var table = new TextTable([.. columns.Select(column => column.ToUpperInvariant())]);
        foreach (string document in documents)
        {
            using JsonDocument parsed = JsonDocument.Parse(document);
            table.Add([.. columns.Select(column => parsed.RootElement.TryGetProperty(column, out JsonElement value) ? Cell(value) : "")]);
        }

        table.Write(Output.Out);
    }

    private static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(Cell)),
        JsonValueKind.Object => string.Join(" ", value.EnumerateObject().Select(property => $"{property.Name}={Cell(property.Value)}")),
        _ => value.GetRawText(),
    };
}
