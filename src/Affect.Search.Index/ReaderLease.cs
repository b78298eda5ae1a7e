namespace Affect.Search.Index;

/// <summary>
/// A reader's claim on one committed generation: a file <c>readers/g&lt;generation&gt;.&lt;unique&gt;.lease</c> in the index
/// folder, held exclusively locked for as long as the reader is open. The writer keeps the vector files and
/// the Lucene commit of every generation a live lease names (see <see cref="PinnedGenerations"/> for the
/// bound); a lease file nobody holds locked is a dead reader's leftover, which the writer deletes.
/// </summary>
internal sealed class ReaderLease : IDisposable
{
    /// <summary>
    /// At most this many leased generations are pinned, the newest ones: a reader stuck open on an older
    /// generation cannot make the index grow without bound. Its open files stay readable where the OS
    /// keeps unlinked files alive (Unix); the vectors are in memory anyway.
    /// </summary>
    public const int MaxPinnedGenerations = 64;

    private readonly FileStream _file;

    private ReaderLease(FileStream file, long generation)
    {
        _file = file;
        Generation = generation;
    }

    /// <summary>The leased generation.</summary>
    public long Generation { get; }

    /// <summary>
    /// Takes a lease on <paramref name="generation"/> of the index at <paramref name="layout"/>, or returns null
    /// when this process may not write in the index folder (a read-only copy, which no writer changes either).
    /// </summary>
    public static ReaderLease? TryAcquire(IndexLayout layout, long generation)
    {
        try { Directory.CreateDirectory(layout.Readers); }
        catch (UnauthorizedAccessException) { return null; }
        for (int attempt = 0; ; attempt++)
        {
            var path = Path.Combine(layout.Readers, IndexLayout.LeaseFileName(generation, Guid.NewGuid().ToString("N")));
            FileStream? file = null;
            try
            {
                // FileShare.None takes an exclusive lock (flock on Unix) that lives as long as the handle.
                file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
                // A writer may have found the file before the lock was taken, judged it stale and deleted it:
                // names are never reused, so if the path still exists now, the locked file is the lease.
                if (File.Exists(path)) return new ReaderLease(file, generation);
            }
            catch (UnauthorizedAccessException) { return null; }
            catch (IOException) when (attempt < 10) { } // the writer held it for a moment: try a new name
            file?.Dispose();
            if (attempt >= 10) throw new IOException($"cannot take a reader lease in '{layout.Readers}'");
        }
    }

    /// <summary>
    /// The generations that live leases pin, newest first, at most <see cref="MaxPinnedGenerations"/>.
    /// Deletes the lease files no process holds (readers that exited or were killed without closing).
    /// </summary>
    public static IReadOnlySet<long> PinnedGenerations(IndexLayout layout)
    {
        var live = new SortedSet<long>();
        if (!Directory.Exists(layout.Readers)) return live;
        foreach (var path in Directory.EnumerateFiles(layout.Readers, "*.lease"))
        {
            if (IndexLayout.GenerationOfLease(Path.GetFileName(path)) is not { } generation) continue;
            try
            {
                // Getting the lock means no reader holds it: the lease is stale. Delete it while holding the
                // lock, so a reader that created it but has not locked it yet sees it gone and takes another.
                using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                File.Delete(path);
            }
            catch (FileNotFoundException) { }
            catch (IOException) { live.Add(generation); } // locked: a live reader
            catch (UnauthorizedAccessException) { live.Add(generation); } // not ours to judge: keep what it pins
        }
        return live.Reverse().Take(MaxPinnedGenerations).ToHashSet();
    }

    /// <summary>Releases the lease and deletes its file.</summary>
    public void Dispose()
    {
        // Delete before closing: once the lock is released the name could be judged stale by the writer anyway.
        try { File.Delete(_file.Name); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _file.Dispose();
    }
}
