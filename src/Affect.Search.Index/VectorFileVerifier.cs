using System.Security.Cryptography;
using Affect.Search.Index.Store;
using Affect.Search.Index.Vectors;

namespace Affect.Search.Index;

/// <summary>
/// Loads a committed vector file only after checking that it is the file the store committed: its length and
/// SHA-256 as recorded at commit (so a truncated, overwritten, swapped or copied-over file is refused), then,
/// once Faiss has read it, its dimension and vector count against the store. The file's name, recorded in the
/// store, carries its view and generation; the checksum binds the content to that name.
/// </summary>
public static class VectorFileVerifier
{
    /// <summary>The advice every vector file error ends with.</summary>
    public const string RebuildAdvice = "'affect rebuild' rewrites the vector files and the text index from store.sqlite";

    /// <summary>The SHA-256 (lower-case hex) and length of <paramref name="path"/>.</summary>
    public static (string Sha256, long Bytes) Fingerprint(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return (Convert.ToHexStringLower(SHA256.HashData(stream)), stream.Length);
    }

    /// <summary>
    /// The problem with <paramref name="file"/>'s bytes on disk (missing, wrong length, wrong checksum), or
    /// null when they are what the store committed. A file committed before checksums were recorded passes
    /// this step; <see cref="Load"/> still checks its count and dimension.
    /// </summary>
    public static string? BytesProblem(IndexLayout layout, ViewFile file)
    {
        var path = Path.Combine(layout.Vectors, file.File!);
        if (!File.Exists(path)) return $"vector file {Describe(file)} is missing";
        long length = new FileInfo(path).Length;
        if (file.Bytes is { } bytes && length != bytes)
            return $"vector file {Describe(file)} is {length} bytes, the store recorded {bytes} at commit (truncated or overwritten)";
        if (file.Sha256 is { } expected && Fingerprint(path).Sha256 != expected)
            return $"vector file {Describe(file)} does not match the SHA-256 the store recorded at commit (damaged, or another file copied over it)";
        return null;
    }

    /// <summary>
    /// Loads the vector file of <paramref name="file"/> after checking its bytes, and checks what Faiss read:
    /// the index's dimension and the store's vector count.
    /// </summary>
    /// <exception cref="InvalidDataException">Any mismatch; the message names the index, the file and what is wrong.</exception>
    public static FaissIndex Load(IndexLayout layout, ViewFile file, IndexIdentity identity, IndexSettings settings)
    {
        if (BytesProblem(layout, file) is { } problem) throw Fail(layout, problem);
        FaissIndex index;
        try { index = FaissIndex.Load(Path.Combine(layout.Vectors, file.File!), settings.VectorOptions(file.Vectors)); }
        catch (InvalidDataException e) { throw Fail(layout, $"vector file {Describe(file)} is unreadable ({e.Message})"); }
        try
        {
            if (index.Dimension != identity.Dimension)
                throw Fail(layout, $"vector file {Describe(file)} holds {index.Dimension}-dimensional vectors, the index's are {identity.Dimension}-dimensional");
            if (index.Count != file.Vectors)
                throw Fail(layout, $"vector file {Describe(file)} holds {index.Count} vectors, the store expects {file.Vectors}");
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private static string Describe(ViewFile file) => $"{file.File} of view {file.View}";

    private static InvalidDataException Fail(IndexLayout layout, string problem) => new($"index '{layout.Folder}': {problem}; {RebuildAdvice}");
}
