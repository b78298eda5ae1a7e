namespace Affect.Search.Index;

/// <summary>
/// Another writer holds the index (its write.lock): one writer at a time may change an index. Readers are not
/// affected; retry the write when the other one has finished.
/// </summary>
/// <param name="folder">The index folder.</param>
/// <param name="lockFile">The lock file held.</param>
/// <param name="inner">The failure to take the lock.</param>
public sealed class IndexBusyException(string folder, string lockFile, Exception? inner = null)
    : IOException($"index '{folder}' is being written by another process ({lockFile} is held); try again when it has finished", inner)
{
    /// <summary>The index folder.</summary>
    public string Folder { get; } = folder;
}
