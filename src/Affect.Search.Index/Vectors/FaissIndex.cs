using System.Numerics;
using System.Runtime.InteropServices;

namespace Affect.Search.Index.Vectors;

/// <summary>
/// An <see cref="IVectorIndex"/> backed by Faiss (1.7.3, through the shim <c>native/affect_faiss.cpp</c>):
/// IndexFlatIP, IndexHNSWFlat, IndexScalarQuantizer (8-bit) or IndexHNSWSQ, all by inner product, with
/// labels equal to positions.
/// </summary>
/// <remarks>
/// <para>Thread safety: any number of <see cref="Search"/>, <see cref="Reconstruct"/> and <see cref="Save"/>
/// calls may run at once; <see cref="Add"/>/<see cref="Train"/> wait for them (and they for it). A batch of
/// queries is spread over all cores by OpenMP inside the shim (the OpenMP/OpenBLAS environment is left as
/// it is); a single query runs on the calling thread.</para>
/// <para>Scalar-quantised kinds learn their per-dimension ranges from the first <see cref="Add"/> call (or
/// an explicit <see cref="Train"/>); values outside the ranges are clamped, so train on a representative
/// sample (thousands of vectors) when the first batch is small.</para>
/// <para>Filtered search (<c>allowed</c>): the flat kinds pass the bitmap to Faiss, whose scan honours it
/// exactly, or, when at most 1/8 of the positions are allowed, score just those (also exact, and without
/// visiting the rest). Faiss 1.7.3's HNSW applies the bitmap inside the graph walk but the walk is bounded by
/// efSearch candidates, allowed or not, so selective filters come back short or wrong (see the comment
/// in affect_faiss.cpp). Here an HNSW search with a filter of selectivity s (allowed / Count) walks the
/// graph with the bitmap and efSearch raised to max(efSearch, k) / s (at most <see cref="MaxFilteredEfSearch"/>),
/// unless the allowed set is no larger than the number of distances such a walk would evaluate
/// (2·M·ef), in which case the allowed positions are scanned exactly; and every row that comes back
/// with fewer than min(k, allowed) results is redone by the exact scan.</para>
/// </remarks>
public sealed class FaissIndex : IVectorIndex
{
    /// <summary>The largest efSearch a filtered HNSW search raises to.</summary>
    public const int MaxFilteredEfSearch = 4096;

    private readonly FaissHandle _handle;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private long _count;
    private bool _trained;
    private volatile int _efSearch;
    private volatile bool _disposed;

    private FaissIndex(FaissHandle handle, int efSearch)
    {
        _handle = handle;
        Check(FaissNative.affect_faiss_info(handle, out int kind, out int dimension, out long count, out int links, out int trained), "reading index info");
        Kind = (VectorIndexKind)kind;
        Dimension = dimension;
        HnswLinks = links;
        _count = count;
        _trained = trained != 0;
        SetEfSearch(efSearch);
    }

    /// <summary>Makes an empty index of <paramref name="options"/>' kind.</summary>
    public static FaissIndex Create(int dimension, VectorIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ValidateOptions(options);
        FaissNative.EnsureLoaded();
        int status = FaissNative.affect_faiss_create(dimension, (int)options.Kind, options.HnswLinks, options.HnswEfConstruction, out var raw);
        if (status != 0) throw Failure(status, $"creating a {options.Kind} index (dimension {dimension})");
        return new FaissIndex(new FaissHandle(raw), options.HnswEfSearch);
    }

    /// <summary>
    /// Reads an index written by <see cref="Save"/>. Its kind, dimension and HNSW links come from the file;
    /// <paramref name="options"/> supply the search-time settings (efSearch).
    /// </summary>
    /// <exception cref="FileNotFoundException">no such file</exception>
    /// <exception cref="InvalidDataException">the file is not a readable index of a supported kind (corrupt,
    /// truncated, another format); the message has Faiss's reason and the path</exception>
    public static FaissIndex Load(string path, VectorIndexOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new VectorIndexOptions();
        ValidateOptions(options);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"Vector index file '{full}' does not exist.", full);
        FaissNative.EnsureLoaded();
        int status = FaissNative.affect_faiss_read(full, out var raw);
        if (status != 0)
        {
            var inner = Failure(status, "reading");
            throw new InvalidDataException($"Cannot load the vector index '{full}': {inner.Message}", inner);
        }
        return new FaissIndex(new FaissHandle(raw), options.HnswEfSearch);
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public long Count => Interlocked.Read(ref _count);

    /// <inheritdoc />
    public VectorIndexKind Kind { get; }

    /// <summary>HNSW links per node (M); 0 for the flat kinds.</summary>
    public int HnswLinks { get; }

    /// <summary>The HNSW candidate list size of unfiltered searches (raised to k when smaller).</summary>
    public int EfSearch => _efSearch;

    /// <summary>Whether the index can take vectors (the scalar quantiser has its ranges).</summary>
    public bool IsTrained => Volatile.Read(ref _trained);

    private bool IsHnsw => Kind is VectorIndexKind.Hnsw or VectorIndexKind.HnswSq8;

    /// <summary>A short name such as "flat", "hnsw16" or "hnsw16-sq8".</summary>
    public string Description => Kind switch
    {
        VectorIndexKind.Flat => "flat",
        VectorIndexKind.FlatSq8 => "flat-sq8",
        VectorIndexKind.Hnsw => $"hnsw{HnswLinks}",
        _ => $"hnsw{HnswLinks}-sq8",
    };

    /// <summary>Threads a batch search uses (OpenMP's maximum in the shim).</summary>
    public static int NativeThreads
    {
        get
        {
            FaissNative.EnsureLoaded();
            return FaissNative.affect_faiss_max_threads();
        }
    }

    /// <summary>Bytes used by the index's arrays (codes, and for HNSW the links, offsets and levels); about
    /// (4·d or d) + 4·(2M + 1) + 12 per vector for HNSW.</summary>
    public long MemoryBytes
    {
        get
        {
            using var _ = Read();
            Check(FaissNative.affect_faiss_memory_bytes(_handle, out long bytes), "measuring memory");
            return bytes;
        }
    }

    /// <summary>Sets the HNSW candidate list size of later searches (no effect on the flat kinds).</summary>
    public void SetEfSearch(int efSearch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(efSearch);
        _efSearch = efSearch;
    }

    /// <summary>
    /// Learns the scalar quantiser's per-dimension ranges from <paramref name="sample"/> (row-major); a no-op
    /// for the float kinds. Only before the first vector is added.
    /// </summary>
    public unsafe void Train(ReadOnlySpan<float> sample)
    {
        int rows = CheckRows(sample, nameof(sample));
        if (rows == 0) throw new ArgumentException("Training needs at least one vector.", nameof(sample));
        using var _ = Write();
        if (_count > 0) throw new InvalidOperationException("The index already holds vectors; train it before the first Add.");
        fixed (float* x = sample)
            Check(FaissNative.affect_faiss_train(_handle, rows, x), "training");
        Volatile.Write(ref _trained, true);
    }

    /// <inheritdoc />
    /// <remarks>An untrained (scalar-quantised) index is first trained on these vectors.</remarks>
    public unsafe void Add(ReadOnlySpan<float> vectors)
    {
        int rows = CheckRows(vectors, nameof(vectors));
        if (rows == 0) return;
        using var _ = Write();
        if (IsHnsw && _count + rows > int.MaxValue) throw new InvalidOperationException("An HNSW index holds at most 2^31-1 vectors.");
        fixed (float* x = vectors)
        {
            if (!_trained)
            {
                Check(FaissNative.affect_faiss_train(_handle, rows, x), "training");
                Volatile.Write(ref _trained, true);
            }
            Check(FaissNative.affect_faiss_add(_handle, rows, x), $"adding {rows} vectors");
        }
        Check(FaissNative.affect_faiss_ntotal(_handle, out long count), "counting");
        Interlocked.Exchange(ref _count, count);
    }

    /// <inheritdoc />
    public VectorHits Search(ReadOnlySpan<float> queries, int k, IReadOnlyList<bool>? allowed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int nq = CheckRows(queries, nameof(queries));
        long cells = (long)nq * k;
        if (cells > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(k), $"{nq} queries x k = {k} results do not fit in an array.");
        var positions = new long[cells];
        var scores = new float[cells];
        if (nq == 0) return new VectorHits(0, k, positions, scores);

        using (Read())
        {
            long n = _count;
            int ef = _efSearch;
            if (n == 0)
                Pad(positions, scores, 0); // (an untrained quantiser would refuse to search)
            else if (allowed is null)
            {
                SearchNative(queries, k, ef, null, positions, scores);
            }
            else
            {
                var bitmap = BuildBitmap(allowed, n, out long allowedCount);
                if (allowedCount == 0)
                    Pad(positions, scores, 0);
                else if (allowedCount == n)
                    SearchNative(queries, k, ef, null, positions, scores);
                else if (!IsHnsw && allowedCount <= n / 8)
                    SearchSubset(queries, k, AllowedPositions(bitmap, allowedCount), positions, scores); // exact, without visiting all n
                else if (!IsHnsw)
                    SearchNative(queries, k, ef, bitmap, positions, scores); // Faiss's flat scans honour the bitmap exactly
                else
                    SearchHnswFiltered(queries, k, ef, bitmap, allowedCount, n, positions, scores);
            }
        }
        return new VectorHits(nq, k, positions, scores);
    }

    private void SearchHnswFiltered(ReadOnlySpan<float> queries, int k, int ef, byte[] bitmap, long allowedCount, long n,
        long[] positions, float[] scores)
    {
        double selectivity = allowedCount / (double)n;
        int filteredEf = (int)Math.Clamp(Math.Ceiling(Math.Max(ef, k) / selectivity), ef, Math.Max(ef, MaxFilteredEfSearch));
        long walkDistances = 2L * HnswLinks * filteredEf;
        if (allowedCount <= Math.Max(walkDistances, k))
        {
            SearchSubset(queries, k, AllowedPositions(bitmap, allowedCount), positions, scores);
            return;
        }
        SearchNative(queries, k, filteredEf, bitmap, positions, scores);

        // Rows the walk left short of min(k, allowed) results: redo them exactly.
        long expected = Math.Min(k, allowedCount);
        var shortRows = new List<int>();
        int nq = queries.Length / Dimension;
        for (int q = 0; q < nq; q++)
        {
            int found = 0;
            for (int j = 0; j < k; j++) if (positions[(long)q * k + j] >= 0) found++;
            if (found < expected) shortRows.Add(q);
        }
        if (shortRows.Count == 0) return;
        var ids = AllowedPositions(bitmap, allowedCount);
        var redo = new float[shortRows.Count * Dimension];
        for (int i = 0; i < shortRows.Count; i++) queries.Slice(shortRows[i] * Dimension, Dimension).CopyTo(redo.AsSpan(i * Dimension));
        var redoPositions = new long[(long)shortRows.Count * k];
        var redoScores = new float[redoPositions.Length];
        SearchSubset(redo, k, ids, redoPositions, redoScores);
        for (int i = 0; i < shortRows.Count; i++)
        {
            Array.Copy(redoPositions, (long)i * k, positions, (long)shortRows[i] * k, k);
            Array.Copy(redoScores, (long)i * k, scores, (long)shortRows[i] * k, k);
        }
    }

    private unsafe void SearchNative(ReadOnlySpan<float> queries, int k, int ef, byte[]? bitmap, long[] positions, float[] scores)
    {
        int nq = queries.Length / Dimension;
        fixed (float* x = queries)
        fixed (byte* b = bitmap)
        fixed (float* d = scores)
        fixed (long* l = positions)
        {
            Check(FaissNative.affect_faiss_search(_handle, nq, x, k, ef, b, bitmap?.Length ?? 0, d, l), "searching");
        }
    }

    private unsafe void SearchSubset(ReadOnlySpan<float> queries, int k, long[] ids, long[] positions, float[] scores)
    {
        int nq = queries.Length / Dimension;
        fixed (float* x = queries)
        fixed (long* i = ids)
        fixed (float* d = scores)
        fixed (long* l = positions)
        {
            Check(FaissNative.affect_faiss_search_subset(_handle, nq, x, k, i, ids.Length, d, l), "searching the allowed positions");
        }
    }

    /// <inheritdoc />
    public unsafe void Reconstruct(long position, Span<float> destination)
    {
        if (destination.Length != Dimension)
            throw new ArgumentException($"The destination has {destination.Length} floats; the dimension is {Dimension}.", nameof(destination));
        using var _ = Read();
        if ((ulong)position >= (ulong)_count)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"The index holds {_count} vectors.");
        fixed (float* x = destination)
            Check(FaissNative.affect_faiss_reconstruct(_handle, position, x), $"reconstructing position {position}");
    }

    /// <inheritdoc />
    /// <exception cref="IOException">Faiss could not write the file (the message has its reason and the path)</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        using var _ = Read();
        int status = FaissNative.affect_faiss_write(_handle, full);
        if (status != 0)
        {
            var inner = Failure(status, "writing");
            throw new IOException($"Cannot write the vector index to '{full}': {inner.Message}", inner);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _lock.EnterWriteLock();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _handle.Dispose();
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Description} (dimension {Dimension}, {Count} vectors)";

    private static void ValidateOptions(VectorIndexOptions options)
    {
        if (!Enum.IsDefined(options.Kind)) throw new ArgumentException($"Unknown index kind {options.Kind}.", nameof(options));
        if (options.HnswLinks is < 2 or > 512) throw new ArgumentException($"HnswLinks must be in [2, 512], not {options.HnswLinks}.", nameof(options));
        if (options.HnswEfConstruction < 1) throw new ArgumentException($"HnswEfConstruction must be positive, not {options.HnswEfConstruction}.", nameof(options));
        if (options.HnswEfSearch < 1) throw new ArgumentException($"HnswEfSearch must be positive, not {options.HnswEfSearch}.", nameof(options));
    }

    /// <summary>Rows in <paramref name="data"/>; throws unless it is whole rows of finite values.</summary>
    private int CheckRows(ReadOnlySpan<float> data, string name)
    {
        if (data.Length % Dimension != 0)
            throw new ArgumentException($"{name} has {data.Length} floats, which is not a multiple of the dimension {Dimension}.", name);
        for (int i = 0; i < data.Length; i++)
            if (!float.IsFinite(data[i]))
                throw new ArgumentException($"{name} has a non-finite value ({data[i]}) in row {i / Dimension}.", name);
        return data.Length / Dimension;
    }

    /// <summary>Faiss's bitmap (bit p of byte p/8, least significant first) of the allowed positions below n.</summary>
    private static byte[] BuildBitmap(IReadOnlyList<bool> allowed, long n, out long count)
    {
        var bitmap = new byte[(n + 7) / 8];
        int m = (int)Math.Min(allowed.Count, n);
        long c = 0;
        ReadOnlySpan<bool> span = allowed switch
        {
            bool[] array => array.AsSpan(0, m),
            List<bool> list => CollectionsMarshal.AsSpan(list)[..m],
            _ => default,
        };
        if (span.Length == m)
        {
            for (int p = 0; p < m; p++)
                if (span[p]) { bitmap[p >> 3] |= (byte)(1 << (p & 7)); c++; }
        }
        else
        {
            for (int p = 0; p < m; p++)
                if (allowed[p]) { bitmap[p >> 3] |= (byte)(1 << (p & 7)); c++; }
        }
        count = c;
        return bitmap;
    }

    private static long[] AllowedPositions(byte[] bitmap, long count)
    {
        var ids = new long[count];
        long i = 0;
        for (int b = 0; b < bitmap.Length; b++)
        {
            uint bits = bitmap[b];
            while (bits != 0)
            {
                ids[i++] = ((long)b << 3) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
            }
        }
        return ids;
    }

    private static void Pad(long[] positions, float[] scores, long from)
    {
        positions.AsSpan((int)from).Fill(-1);
        scores.AsSpan((int)from).Fill(float.NegativeInfinity);
    }

    private void Check(int status, string what)
    {
        if (status != 0) throw Failure(status, what);
    }

    private static FaissException Failure(int status, string what) =>
        new($"Faiss failed {what}: {FaissNative.LastError()}") { Status = status };

    private LockScope Read()
    {
        _lock.EnterReadLock();
        if (_disposed)
        {
            _lock.ExitReadLock();
            throw new ObjectDisposedException(nameof(FaissIndex));
        }
        return new LockScope(_lock, write: false);
    }

    private LockScope Write()
    {
        _lock.EnterWriteLock();
        if (_disposed)
        {
            _lock.ExitWriteLock();
            throw new ObjectDisposedException(nameof(FaissIndex));
        }
        return new LockScope(_lock, write: true);
    }

    private readonly struct LockScope(ReaderWriterLockSlim rw, bool write) : IDisposable
    {
        public void Dispose()
        {
            if (write) rw.ExitWriteLock();
            else rw.ExitReadLock();
        }
    }
}
