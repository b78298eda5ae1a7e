using System.Runtime.InteropServices;

namespace Affect.Search.Durability;

/// <summary>
/// Makes a rename durable: after <c>rename(2)</c> the new directory entry may sit in the page cache, so a
/// power loss can undo the rename even though the file's data was flushed. SQLite and Lucene fsync the
/// directory for this; so does every atomic save here. Compiled into each project that renames (a linked
/// source file), since the projects share no common dependency.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY

    /// <summary>O_DIRECTORY, whose value differs between Linux architectures.</summary>
    private static int DirectoryOnly => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    /// <summary>
    /// Flushes <paramref name="directory"/>'s entries to disk (Linux); a no-op where directories cannot be
    /// opened for fsync (Windows: NTFS journals renames; macOS and others: skipped).
    /// </summary>
    /// <exception cref="IOException">The directory could not be flushed.</exception>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Open(directory, ReadOnly | DirectoryOnly);
        if (fd < 0) throw new IOException($"cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"cannot flush directory '{directory}' to disk (errno {Marshal.GetLastPInvokeError()})");
        }
        finally { _ = Close(fd); }
    }

    /// <summary>Flushes the directory that holds <paramref name="file"/>.</summary>
    public static void FlushParentOf(string file) => Flush(Path.GetDirectoryName(Path.GetFullPath(file))!);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
