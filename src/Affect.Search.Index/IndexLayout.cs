namespace Affect.Search.Index;

/// <summary>
/// The files of an index folder: <c>store.sqlite</c> (items, embeddings, generations: the commit point),
/// <c>text/</c> (the Lucene index), <c>vectors/&lt;view&gt;.g&lt;generation&gt;.faiss</c> (one Faiss file per view, rewritten
/// only by a generation that changes the view), <c>write.lock</c> (held by the one writer) and
/// <c>readers/g&lt;generation&gt;.&lt;unique&gt;.lease</c> (one per open reader, held locked: the generations the
/// writer must keep).
/// </summary>
public sealed class IndexLayout(string folder)
{
    /// <summary>The index folder.</summary>
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The SQLite store.</summary>
    public string Store => Path.Combine(Folder, "store.sqlite");

    /// <summary>The Lucene text index folder.</summary>
    public string Text => Path.Combine(Folder, "text");

    /// <summary>The vector files' folder.</summary>
    public string Vectors => Path.Combine(Folder, "vectors");

    /// <summary>The writer's lock file.</summary>
    public string WriteLock => Path.Combine(Folder, "write.lock");

    /// <summary>Takes the one writer's lock: the returned stream holds it until disposed.</summary>
    /// <exception cref="IndexBusyException">Another writer holds it.</exception>
    public FileStream AcquireWriteLock()
    {
        try { return new FileStream(WriteLock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException) { throw new IndexBusyException(Folder, WriteLock, e); }
    }

    /// <summary>The folder of the open readers' lease files.</summary>
    public string Readers => Path.Combine(Folder, "readers");

    /// <summary>The name of a reader lease file on <paramref name="generation"/>; <paramref name="unique"/> makes it the reader's own.</summary>
    public static string LeaseFileName(long generation, string unique) => $"g{generation}.{unique}.lease";

    /// <summary>The generation a lease file pins, or null for a name that is not a lease.</summary>
    public static long? GenerationOfLease(string fileName)
    {
        if (!fileName.StartsWith('g') || !fileName.EndsWith(".lease")) return null;
        int dot = fileName.IndexOf('.');
        return dot > 1 && long.TryParse(fileName.AsSpan(1, dot - 1), out var generation) ? generation : null;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when the index path names a file (or anything but a folder or nothing).</summary>
    public void ThrowIfNotAFolder()
    {
        if (File.Exists(Folder)) throw new InvalidDataException($"'{Folder}' is a file, not an index folder; give --index a folder");
    }

    /// <summary>The vector file of <paramref name="view"/> written by <paramref name="generation"/>.</summary>
    public static string VectorFileName(string view, long generation) => $"{view}.g{generation}.faiss";

    /// <summary>The generation that wrote a vector file, or null for a name that is not one.</summary>
    public static long? GenerationOfVectorFile(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName.EndsWith(".tmp") ? fileName[..^4] : fileName);
        int g = stem.LastIndexOf(".g", StringComparison.Ordinal);
        return g > 0 && long.TryParse(stem[(g + 2)..], out var generation) ? generation : null;
    }

    /// <summary>Bytes on disk of the whole folder.</summary>
    public long Bytes() => Directory.Exists(Folder)
        ? new DirectoryInfo(Folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}
