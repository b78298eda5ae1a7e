using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Affect.Search.Index.Store;

/// <summary>A view's vector file as the current generation references it.</summary>
/// <param name="View">View name.</param>
/// <param name="File">File name inside the index's vectors folder, or null while the view is empty.</param>
/// <param name="Vectors">Positions used in the file (live and dead).</param>
/// <param name="Live">Positions still mapped to an item.</param>
/// <param name="Sha256">Hex SHA-256 of the file as committed, or null for a file committed before checksums were recorded.</param>
/// <param name="Bytes">Length of the file as committed, or null where <paramref name="Sha256"/> is.</param>
public sealed record ViewFile(string View, string? File, long Vectors, long Live, string? Sha256 = null, long? Bytes = null);

/// <summary>One committed generation.</summary>
public sealed record GenerationRecord(long Generation, DateTimeOffset CommittedAt, long Items, string Note);

/// <summary>
/// The SQLite part of an index: items, their labels, their embeddings (the source of truth from which a
/// vector file can be rebuilt), the position of each embedding in its view's vector file, the model
/// identity and the committed generations. The current generation's row in <c>meta</c> is the index's
/// commit point: a SQLite transaction either makes a whole generation visible or none of it.
/// </summary>
public sealed class ItemStore : IDisposable
{
    /// <summary>Schema version written in meta; a different one is refused.</summary>
    public const int SchemaVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SqliteConnection _connection;
    private SqliteTransaction? _transaction;
    private bool _viewsHaveChecksums;

    private ItemStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        FilePath = path;
    }

    /// <summary>The store file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// Whether the views table records each vector file's checksum. Stores written before checksums were
    /// recorded lack the columns until a writer opens them; their files are verified by count and dimension only.
    /// </summary>
    public bool RecordsChecksums => _viewsHaveChecksums;

    /// <summary>Opens the store file: a writer creates it and its schema when missing; a reader needs it to exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable SQLite database (truncated, bad header, damaged pages) or has another schema; the message names the file.</exception>
    public static ItemStore Open(string path, bool forWriting)
    {
        if (!forWriting && !File.Exists(path)) throw new DirectoryNotFoundException($"no index at '{Path.GetDirectoryName(path)}' (missing {Path.GetFileName(path)}); build one with 'affect index'");
        try { return OpenConnection(path, forWriting); }
        catch (SqliteException e) when (IsDamage(e)) { throw Damaged(path, e); }
    }

    private static ItemStore OpenConnection(string path, bool forWriting)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            // Readers open read-write too: a WAL database needs its shared-memory file, which a reader may create.
            Mode = forWriting ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        var store = new ItemStore(connection, path);
        try
        {
            if (forWriting)
            {
                // WAL lets readers see the last commit while a writer works; FULL sync makes a commit durable.
                store.Execute("PRAGMA journal_mode=WAL");
                store.Execute("PRAGMA synchronous=FULL");
                // One transaction: a writer killed while creating leaves either no schema or all of it.
                store.Begin();
                store.Execute("""
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS items (
                        slot INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, text TEXT, labels TEXT NOT NULL,
                        sources TEXT NOT NULL, modalities TEXT NOT NULL, source TEXT, generation INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS labels (slot INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
                    CREATE INDEX IF NOT EXISTS labels_by_value ON labels (kind, value, slot);
                    CREATE INDEX IF NOT EXISTS labels_by_slot ON labels (slot);
                    CREATE TABLE IF NOT EXISTS embeddings (
                        view TEXT NOT NULL, position INTEGER NOT NULL, slot INTEGER NOT NULL, vector BLOB NOT NULL,
                        PRIMARY KEY (view, position));
                    CREATE INDEX IF NOT EXISTS embeddings_by_slot ON embeddings (slot);
                    CREATE TABLE IF NOT EXISTS views (view TEXT PRIMARY KEY, file TEXT, vectors INTEGER NOT NULL, sha256 TEXT, bytes INTEGER);
                    CREATE TABLE IF NOT EXISTS generations (generation INTEGER PRIMARY KEY, committed_at TEXT NOT NULL, items INTEGER NOT NULL, note TEXT NOT NULL);
                    """);
                if (store.Meta("schema") is null) store.SetMeta("schema", SchemaVersion.ToString());
                // Stores made before vector files were checksummed gain the columns; their files get checksums
                // when a commit rewrites them or 'affect rebuild' runs.
                if (!store.ViewsHaveChecksumColumns())
                {
                    store.Execute("ALTER TABLE views ADD COLUMN sha256 TEXT");
                    store.Execute("ALTER TABLE views ADD COLUMN bytes INTEGER");
                }
                store.CommitTransaction();
            }
            else if (store.Scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'") is null) throw NotCreated(path);
            store._viewsHaveChecksums = store.ViewsHaveChecksumColumns();
            var schema = store.Meta("schema");
            if (schema is null && !forWriting) throw NotCreated(path);
            if (schema != SchemaVersion.ToString())
                throw new InvalidDataException($"{path}: index schema version {schema ?? "none"}, this program reads version {SchemaVersion}");
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private bool ViewsHaveChecksumColumns()
    {
        using var cmd = Command("SELECT COUNT(*) FROM pragma_table_info('views') WHERE name IN ('sha256', 'bytes')");
        return (long)cmd.ExecuteScalar()! == 2;
    }

    /// <summary>
    /// SQLite's error codes for a file that is not a sound database: I/O error, corrupt, cannot open, format,
    /// not a database. Busy and locked are not damage.
    /// </summary>
    private static bool IsDamage(SqliteException e) => e.SqliteErrorCode is 10 or 11 or 14 or 24 or 26;

    private static InvalidDataException Damaged(string path, SqliteException e)
        => new($"{path}: the index store is damaged or not an index store ({e.Message.TrimEnd('.')}); 'affect check' reports what is wrong", e);

    /// <summary>Runs <paramref name="read"/>, reporting SQLite's damage errors as <see cref="InvalidDataException"/> naming the file.</summary>
    private T Guard<T>(Func<T> read)
    {
        try { return read(); }
        catch (SqliteException e) when (IsDamage(e)) { throw Damaged(FilePath, e); }
    }

    private void Guard(Action write)
    {
        try { write(); }
        catch (SqliteException e) when (IsDamage(e)) { throw Damaged(FilePath, e); }
    }

    private IEnumerable<T> Guard<T>(IEnumerable<T> rows)
    {
        using var e = Guard(rows.GetEnumerator);
        while (Guard(e.MoveNext)) yield return e.Current;
    }

    /// <summary>
    /// SQLite's <c>PRAGMA integrity_check</c>: an empty list when the file is sound, else SQLite's description of each problem.
    /// </summary>
    public IReadOnlyList<string> IntegrityProblems() => Guard(() =>
    {
        using var cmd = Command("PRAGMA integrity_check");
        using var reader = cmd.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read()) lines.Add(reader.GetString(0));
        return lines is ["ok"] ? (IReadOnlyList<string>)[] : lines;
    });

    /// <summary>The error for a store whose creation never committed (a writer was stopped before its first commit).</summary>
    public static DirectoryNotFoundException NotCreated(string path)
        => new($"no committed index at '{Path.GetDirectoryName(path)}': {Path.GetFileName(path)} records none (its creation was interrupted, or the file was emptied); run 'affect index' again");

    /// <summary>The last committed generation (0 for a new index).</summary>
    public long Generation => long.Parse(Meta("generation") ?? "0");

    /// <summary>A value of the meta table, or null.</summary>
    public string? Meta(string key)
    {
        return Scalar("SELECT value FROM meta WHERE key = $k", ("$k", key)) as string;
    }

    /// <summary>Sets a meta value (inside the open transaction, if any).</summary>
    public void SetMeta(string key, string value)
        => Execute("INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$k", key), ("$v", value));

    /// <summary>Starts the transaction that the next <see cref="Commit"/> makes visible, unless one is open.</summary>
    public void Begin() => _transaction ??= Guard(() => _connection.BeginTransaction(deferred: false));

    /// <summary>Whether changes are pending.</summary>
    public bool InTransaction => _transaction is not null;

    /// <summary>Records generation <paramref name="generation"/> and commits every pending change atomically.</summary>
    public void Commit(long generation, string note)
    {
        Begin();
        SetMeta("generation", generation.ToString());
        Execute("INSERT INTO generations (generation, committed_at, items, note) VALUES ($g, $t, (SELECT COUNT(*) FROM items), $n)",
            ("$g", generation), ("$t", DateTimeOffset.UtcNow.ToString("O")), ("$n", note));
        CommitTransaction();
    }

    private void CommitTransaction()
    {
        Guard(_transaction!.Commit);
        _transaction.Dispose();
        _transaction = null;
    }

    /// <summary>Drops every pending change.</summary>
    public void Rollback()
    {
        _transaction?.Rollback();
        _transaction?.Dispose();
        _transaction = null;
    }

    /// <summary>Number of items.</summary>
    public long ItemCount => (long)Scalar("SELECT COUNT(*) FROM items")!;

    /// <summary>The slot of the item with <paramref name="id"/>, or null.</summary>
    public long? SlotOf(string id) => Scalar("SELECT slot FROM items WHERE id = $id", ("$id", id)) as long?;

    /// <summary>Inserts an item (its id must be new) and returns its slot.</summary>
    public long Insert(IndexedItem item, long generation)
    {
        Begin();
        var slot = (long)Scalar("""
            INSERT INTO items (id, text, labels, sources, modalities, source, generation)
            VALUES ($id, $text, $labels, $sources, $modalities, $source, $g) RETURNING slot
            """, ("$id", item.Id), ("$text", item.Text), ("$labels", JsonSerializer.Serialize(item.Labels, Json)),
            ("$sources", JsonSerializer.Serialize(item.Sources, Json)), ("$modalities", item.Modalities), ("$source", item.Source), ("$g", generation))!;
        foreach (var (kind, values) in item.Labels)
            foreach (var value in values.Distinct())
                Execute("INSERT INTO labels (slot, kind, value) VALUES ($s, $k, $v)", ("$s", slot), ("$k", kind), ("$v", value));
        return slot;
    }

    /// <summary>Removes an item, its labels and its embeddings; returns the (view, position) pairs it had.</summary>
    public IReadOnlyList<(string View, long Position)> Remove(long slot)
    {
        Begin();
        var positions = new List<(string, long)>();
        Guard(() =>
        {
            using var cmd = Command("SELECT view, position FROM embeddings WHERE slot = $s", ("$s", slot));
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) positions.Add((reader.GetString(0), reader.GetInt64(1)));
        });
        Execute("DELETE FROM embeddings WHERE slot = $s", ("$s", slot));
        Execute("DELETE FROM labels WHERE slot = $s", ("$s", slot));
        Execute("DELETE FROM items WHERE slot = $s", ("$s", slot));
        return positions;
    }

    /// <summary>Stores an item's embedding in a view at a vector-file position.</summary>
    public void PutEmbedding(string view, long position, long slot, ReadOnlySpan<float> vector)
    {
        Begin();
        Execute("INSERT OR REPLACE INTO embeddings (view, position, slot, vector) VALUES ($v, $p, $s, $b)",
            ("$v", view), ("$p", position), ("$s", slot), ("$b", System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector).ToArray()));
    }

    /// <summary>Moves a view's embeddings to new positions (after its vector file was rebuilt); moves must be in ascending order of both.</summary>
    public void Renumber(string view, IEnumerable<(long From, long To)> moves)
    {
        Begin();
        // Ascending and compacting (To <= From), so a row never lands on a position still in use.
        foreach (var (from, to) in moves)
            if (from != to) Execute("UPDATE embeddings SET position = $to WHERE view = $v AND position = $from", ("$to", to), ("$v", view), ("$from", from));
    }

    /// <summary>Every embedding of a view in position order: (position, slot, vector).</summary>
    public IEnumerable<(long Position, long Slot, float[] Vector)> Embeddings(string view) => Guard(EmbeddingRows(view));

    private IEnumerable<(long Position, long Slot, float[] Vector)> EmbeddingRows(string view)
    {
        using var cmd = Command("SELECT position, slot, vector FROM embeddings WHERE view = $v ORDER BY position", ("$v", view));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var bytes = (byte[])reader.GetValue(2);
            yield return (reader.GetInt64(0), reader.GetInt64(1), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());
        }
    }

    /// <summary>The slot at every live position of a view, indexed by position (-1 where dead), for <paramref name="vectors"/> positions.</summary>
    public long[] SlotsByPosition(string view, long vectors) => Guard(() =>
    {
        var slots = new long[vectors];
        Array.Fill(slots, -1L);
        using var cmd = Command("SELECT position, slot FROM embeddings WHERE view = $v", ("$v", view));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            long p = reader.GetInt64(0);
            if (p >= vectors) throw new InvalidDataException($"view {view}: embedding at position {p} beyond the vector file's {vectors} vectors");
            slots[p] = reader.GetInt64(1);
        }
        return slots;
    });

    /// <summary>The committed vector file of every view that has one.</summary>
    public IReadOnlyDictionary<string, ViewFile> Views() => Guard(() =>
    {
        var live = new Dictionary<string, long>();
        using (var cmd = Command("SELECT view, COUNT(*) FROM embeddings GROUP BY view"))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read()) live[reader.GetString(0)] = reader.GetInt64(1);
        var views = new Dictionary<string, ViewFile>();
        using (var cmd = Command(_viewsHaveChecksums ? "SELECT view, file, vectors, sha256, bytes FROM views" : "SELECT view, file, vectors, NULL, NULL FROM views"))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read())
            {
                var view = reader.GetString(0);
                views[view] = new ViewFile(view, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), live.GetValueOrDefault(view),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt64(4));
            }
        return (IReadOnlyDictionary<string, ViewFile>)views;
    });

    /// <summary>
    /// Records a view's vector file for the pending generation, with the SHA-256 (hex) and length of the
    /// file as written, which every later open compares with the file on disk.
    /// </summary>
    public void SetView(string view, string file, long vectors, string sha256, long bytes)
    {
        if (!_viewsHaveChecksums) throw new InvalidOperationException($"{FilePath}: opened for reading; a writer records vector files");
        Begin();
        Execute("""
            INSERT INTO views (view, file, vectors, sha256, bytes) VALUES ($v, $f, $n, $h, $b)
            ON CONFLICT(view) DO UPDATE SET file = excluded.file, vectors = excluded.vectors, sha256 = excluded.sha256, bytes = excluded.bytes
            """, ("$v", view), ("$f", file), ("$n", vectors), ("$h", sha256), ("$b", bytes));
    }

    /// <summary>The items in <paramref name="slots"/>, by slot (missing slots are left out).</summary>
    public IReadOnlyDictionary<long, IndexedItem> Items(IEnumerable<long> slots) => Guard(() =>
    {
        var result = new Dictionary<long, IndexedItem>();
        foreach (var chunk in slots.Distinct().Chunk(500))
        {
            var names = chunk.Select((_, i) => "$s" + i).ToArray();
            using var cmd = Command($"SELECT slot, id, text, labels, sources, modalities, source FROM items WHERE slot IN ({string.Join(",", names)})",
                chunk.Select((s, i) => (names[i], (object?)s)).ToArray());
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) result[reader.GetInt64(0)] = ReadItem(reader);
        }
        return (IReadOnlyDictionary<long, IndexedItem>)result;
    });

    /// <summary>The item with <paramref name="id"/>, or null.</summary>
    public IndexedItem? Item(string id) => Guard(() =>
    {
        using var cmd = Command("SELECT slot, id, text, labels, sources, modalities, source FROM items WHERE id = $id", ("$id", id));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadItem(reader) : null;
    });

    /// <summary>Every item's id and text (for rebuilding the text index).</summary>
    public IEnumerable<(string Id, string? Text)> Texts() => Guard(TextRows());

    private IEnumerable<(string Id, string? Text)> TextRows()
    {
        using var cmd = Command("SELECT id, text FROM items ORDER BY slot");
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) yield return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>The slots of items that pass <paramref name="filter"/>, evaluated inside SQLite.</summary>
    public HashSet<long> SlotsMatching(ItemFilter filter) => Matching(filter).Select(m => m.Slot).ToHashSet();

    /// <summary>The ids of items that pass <paramref name="filter"/>.</summary>
    public HashSet<string> IdsMatching(ItemFilter filter) => Matching(filter).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);

    private List<(long Slot, string Id)> Matching(ItemFilter filter) => Guard(() =>
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        foreach (var (field, value) in filter.Clauses)
        {
            string p = "$p" + parameters.Count;
            switch (field)
            {
                case "id": where.Add($"id = {p}"); parameters.Add((p, value)); break;
                case "source": where.Add($"source = {p}"); parameters.Add((p, value)); break;
                case "modality":
                    foreach (var letter in value.ToUpperInvariant())
                    {
                        string q = "$p" + parameters.Count;
                        where.Add($"instr(modalities, {q}) > 0");
                        parameters.Add((q, letter.ToString()));
                    }
                    break;
                default:
                    string k = "$p" + parameters.Count, v = "$p" + (parameters.Count + 1);
                    where.Add($"EXISTS (SELECT 1 FROM labels l WHERE l.slot = items.slot AND l.kind = {k} AND l.value = {v})");
                    parameters.Add((k, field));
                    parameters.Add((v, value));
                    break;
            }
        }
        var sql = "SELECT slot, id FROM items" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "");
        using var cmd = Command(sql, parameters.ToArray());
        using var reader = cmd.ExecuteReader();
        var matches = new List<(long, string)>();
        while (reader.Read()) matches.Add((reader.GetInt64(0), reader.GetString(1)));
        return matches;
    });

    /// <summary>The committed generations, newest first.</summary>
    public IReadOnlyList<GenerationRecord> Generations(int limit = 20) => Guard(() =>
    {
        using var cmd = Command("SELECT generation, committed_at, items, note FROM generations ORDER BY generation DESC LIMIT $n", ("$n", limit));
        using var reader = cmd.ExecuteReader();
        var list = new List<GenerationRecord>();
        while (reader.Read()) list.Add(new GenerationRecord(reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1)), reader.GetInt64(2), reader.GetString(3)));
        return (IReadOnlyList<GenerationRecord>)list;
    });

    /// <summary>Runs <paramref name="read"/> inside one read transaction, so everything it reads belongs to one committed generation.</summary>
    public T Snapshot<T>(Func<T> read)
    {
        if (_transaction is not null) return read();
        _transaction = Guard(() => _connection.BeginTransaction(deferred: true));
        try { return read(); }
        finally { Rollback(); }
    }

    private static IndexedItem ReadItem(SqliteDataReader r) => new(
        r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
        JsonSerializer.Deserialize<Dictionary<string, List<string>>>(r.GetString(3), Json)!.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4), Json)!, r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6));

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _transaction;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters) => Guard(() =>
    {
        using var cmd = Command(sql, parameters);
        cmd.ExecuteNonQuery();
    });

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters) => Guard(() =>
    {
        using var cmd = Command(sql, parameters);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    });

    /// <inheritdoc />
    public void Dispose()
    {
        Rollback();
        _connection.Dispose();
    }
}
