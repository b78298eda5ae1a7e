using Affect.Search.Index.Store;

namespace Affect.Search.Index;

/// <summary>
/// A long-lived reader of an index folder (for a server) that moves on to new generations without a restart,
/// in the spirit of Lucene's SearcherManager: <see cref="Acquire"/> hands out the current
/// <see cref="MultimodalIndex"/> snapshot with a reference taken; <see cref="MaybeRefresh"/> opens the newest
/// committed generation when the store has moved and makes it current. A replaced snapshot is disposed (and
/// its reader lease released) when the last <see cref="AcquiredIndex"/> using it is disposed, so a search never
/// sees its snapshot closed under it.
/// </summary>
/// <remarks>
/// Thread-safe. Refreshing is the caller's choice of moment (a timer, or before each request: checking costs
/// one small SQLite read); concurrent refreshes run one at a time.
/// </remarks>
public sealed class RefreshingIndex : IDisposable
{
    private readonly string _folder;
    private readonly ItemStore _generationProbe;
    private readonly object _refreshLock = new();
    private Snapshot? _current;

    private RefreshingIndex(string folder, ItemStore probe, Snapshot current)
    {
        _folder = folder;
        _generationProbe = probe;
        _current = current;
    }

    /// <summary>Opens the index in <paramref name="folder"/> at its last committed generation.</summary>
    public static RefreshingIndex Open(string folder)
    {
        var index = MultimodalIndex.Open(folder);
        try
        {
            var probe = ItemStore.Open(new IndexLayout(folder).Store, forWriting: false);
            return new RefreshingIndex(folder, probe, new Snapshot(index));
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>The generation that <see cref="Acquire"/> hands out now.</summary>
    public long Generation => (Volatile.Read(ref _current) ?? throw new ObjectDisposedException(nameof(RefreshingIndex))).Index.Generation;

    /// <summary>The current snapshot, referenced until the returned handle is disposed (dispose it once, promptly).</summary>
    public AcquiredIndex Acquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _current) ?? throw new ObjectDisposedException(nameof(RefreshingIndex));
            // Fails only if a refresh released it to zero meanwhile; the next read sees its successor.
            if (current.TryAddReference()) return new AcquiredIndex(current);
        }
    }

    /// <summary>
    /// Opens the store's newest committed generation if it is newer than the current snapshot and makes it
    /// current; returns whether it did. Snapshots already acquired stay usable until released.
    /// </summary>
    public bool MaybeRefresh()
    {
        lock (_refreshLock)
        {
            var current = Volatile.Read(ref _current) ?? throw new ObjectDisposedException(nameof(RefreshingIndex));
            if (_generationProbe.Generation == current.Index.Generation) return false;
            var newer = new Snapshot(MultimodalIndex.Open(_folder));
            Volatile.Write(ref _current, newer);
            current.Release(); // this object's own reference
            return true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_refreshLock)
        {
            Interlocked.Exchange(ref _current, null)?.Release();
            _generationProbe.Dispose();
        }
    }

    /// <summary>A snapshot with a reference count: one for the <see cref="RefreshingIndex"/> while current, one per handle.</summary>
    internal sealed class Snapshot(MultimodalIndex index)
    {
        private int _references = 1;

        public MultimodalIndex Index { get; } = index;

        public bool TryAddReference()
        {
            int seen;
            do
            {
                seen = Volatile.Read(ref _references);
                if (seen == 0) return false;
            } while (Interlocked.CompareExchange(ref _references, seen + 1, seen) != seen);
            return true;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0) Index.Dispose();
        }
    }
}

/// <summary>A snapshot acquired from a <see cref="RefreshingIndex"/>; disposing it releases the reference.</summary>
public sealed class AcquiredIndex : IDisposable
{
    private RefreshingIndex.Snapshot? _snapshot;

    internal AcquiredIndex(RefreshingIndex.Snapshot snapshot)
    {
        _snapshot = snapshot;
        Index = snapshot.Index;
    }

    /// <summary>The snapshot; valid until this handle is disposed.</summary>
    public MultimodalIndex Index { get; }

    /// <summary>Releases the reference (once; later calls do nothing).</summary>
    public void Dispose() => Interlocked.Exchange(ref _snapshot, null)?.Release();
}
