using MemoryPack;

namespace McpZero.Protocol.Messages;

// Document database messages. Documents travel as UTF-8 JSON objects in strings, one object per
// document, with the collection's snake_case field names; PROTOCOL.md lists the fields.

/// <summary>How a <see cref="DbCondition"/> compares a field with its values.</summary>
public enum DbOperator : byte
{
    /// <summary>The field equals the single value; a list field matches when it contains the value.</summary>
    Equal = 0,

    /// <summary>The field equals any of the values; a list field matches when it contains any of them.</summary>
    In = 1,

    /// <summary>An integer field is greater than or equal to the single value.</summary>
    GreaterOrEqual = 2,

    /// <summary>An integer field is less than the single value.</summary>
    Less = 3,
}

/// <summary>One condition of a find; a document matches a find when it matches every condition.</summary>
/// <remarks>Values are text: integers in decimal, strings as they are.</remarks>
[MemoryPackable]
public sealed partial class DbCondition
{
    public string Field { get; set; } = "";
    public DbOperator Operator { get; set; }
    public string[] Values { get; set; } = [];
}

/// <summary>Inserts one or more documents in one batch that is made durable once, before the reply.</summary>
[MemoryPackable]
public sealed partial class DbInsertRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbInsert;
    public string Collection { get; set; } = "";

    /// <summary>Each element is one JSON object.</summary>
    public string[] Documents { get; set; } = [];
}

/// <summary>Reads one document by id; <see cref="Fields"/> empty means every field.</summary>
[MemoryPackable]
public sealed partial class DbGetRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbGet;
    public string Collection { get; set; } = "";
    public string Id { get; set; } = "";
    public string[] Fields { get; set; } = [];
}

/// <summary>Changes the fields named in <see cref="Changes"/>, a JSON object, on one document.</summary>
[MemoryPackable]
public sealed partial class DbUpdateRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbUpdate;
    public string Collection { get; set; } = "";
    public string Id { get; set; } = "";
    public string Changes { get; set; } = "";
}

[MemoryPackable]
public sealed partial class DbDeleteRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbDelete;
    public string Collection { get; set; } = "";
    public string Id { get; set; } = "";
}

/// <summary>
/// Returns up to <see cref="Limit"/> documents that match every condition, with only the
/// <see cref="Fields"/> requested (every field when empty).
/// </summary>
[MemoryPackable]
public sealed partial class DbFindRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbFind;
    public string Collection { get; set; } = "";
    public DbCondition[] Conditions { get; set; } = [];
    public string[] Fields { get; set; } = [];
    public int Limit { get; set; } = 100;
}

/// <summary>Builds a persisted secondary index on one field; an index that exists already is kept.</summary>
[MemoryPackable]
public sealed partial class DbCreateIndexRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbCreateIndex;
    public string Collection { get; set; } = "";
    public string Field { get; set; } = "";
}

[MemoryPackable]
public sealed partial class DbIndexListRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbIndexList;
}

/// <summary>Documents from a get or a find.</summary>
[MemoryPackable]
public sealed partial class DbDocumentsResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbDocuments;

    /// <summary>Each element is one JSON object with the requested fields.</summary>
    public string[] Documents { get; set; } = [];

    /// <summary>The indexed field the find read candidates from; null when it scanned the collection.</summary>
    public string? UsedIndex { get; set; }

    /// <summary>Number of documents the server read and tested against the conditions.</summary>
    public long Examined { get; set; }
}

/// <summary>Result of an insert, update or delete.</summary>
[MemoryPackable]
public sealed partial class DbWriteResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbWriteResult;

    /// <summary>Ids of the documents written, in request order; trace ids are sequence numbers.</summary>
    public string[] Ids { get; set; } = [];
}

[MemoryPackable]
public sealed partial class DbIndexInfo
{
    public string Collection { get; set; } = "";
    public string Field { get; set; } = "";

    /// <summary>Number of distinct values in the index.</summary>
    public long Values { get; set; }

    /// <summary>Number of (value, document) entries in the index.</summary>
    public long Entries { get; set; }

    /// <summary>Whether the server creates this index by itself.</summary>
    public bool BuiltIn { get; set; }
}

[MemoryPackable]
public sealed partial class DbIndexListResponse : IResponse
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.DbIndexListResult;
    public DbIndexInfo[] Indexes { get; set; } = [];
}
