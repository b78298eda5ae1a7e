using System.Runtime.InteropServices;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>What a path names on disk, following symbolic links.</summary>
public enum FileEntryKind
{
    /// <summary>Nothing (or a dangling link).</summary>
    Missing,
    /// <summary>A regular file: the only kind that is read as media.</summary>
    RegularFile,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A named pipe (FIFO): opening it for reading blocks until a writer appears.</summary>
    NamedPipe,
    /// <summary>A character device such as /dev/zero or a terminal.</summary>
    CharacterDevice,
    /// <summary>A block device such as a disk.</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>Another kind of special file.</summary>
    Other,
}

/// <summary>Checks shared by the manifest reader and the decoders before they open a file.</summary>
public static partial class MediaFile
{
    /// <summary>
    /// What <paramref name="path"/> names, following links. Only <see cref="FileEntryKind.RegularFile"/> may be
    /// opened as media: a named pipe blocks the reader forever and a device reads without end.
    /// </summary>
    public static FileEntryKind KindOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsWindows())
        {
            try { return UnixKindOf(path); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* no runtime stat: judge by what .NET shows */ }
        }
        if (Directory.Exists(path)) return FileEntryKind.Directory;
        return File.Exists(path) ? FileEntryKind.RegularFile : FileEntryKind.Missing;
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be media ("is a directory, not a regular file", "is not a regular file
    /// (a named pipe)", "file not found"), or null for a regular file.
    /// </summary>
    public static string? NotRegularFileReason(string path) => KindOf(path) switch
    {
        FileEntryKind.RegularFile => null,
        FileEntryKind.Missing => "file not found",
        FileEntryKind.Directory => "is a directory, not a regular file",
        FileEntryKind.NamedPipe => "is not a regular file (a named pipe)",
        FileEntryKind.CharacterDevice => "is not a regular file (a character device)",
        FileEntryKind.BlockDevice => "is not a regular file (a block device)",
        FileEntryKind.Socket => "is not a regular file (a socket)",
        _ => "is not a regular file",
    };

    /// <summary>Throws when <paramref name="path"/> is not a regular file (missing, a directory, a named pipe, a device).</summary>
    /// <exception cref="MediaDecodeException">The path names no regular file.</exception>
    public static void CheckExists(string path)
    {
        if (NotRegularFileReason(path) is { } reason) throw new MediaDecodeException($"{path}: {reason}");
    }

    /// <summary>Throws when <paramref name="path"/> is not a regular file or has a length of zero.</summary>
    /// <exception cref="MediaDecodeException">The path names no regular file, or an empty one.</exception>
    public static void CheckReadable(string path)
    {
        CheckExists(path);
        if (new FileInfo(path).Length == 0) throw new MediaDecodeException($"{path}: the file is empty");
    }

    // The file type bits of the runtime's own stat (System.Native's FileStatus.Mode), the same on every Unix.
    private const int TypeMask = 0xF000, Fifo = 0x1000, CharDevice = 0x2000, DirectoryType = 0x4000, BlockDevice = 0x6000,
        Regular = 0x8000, SymbolicLink = 0xA000, SocketType = 0xC000;

    private static unsafe FileEntryKind UnixKindOf(string path)
    {
        // The runtime's FileStatus starts {int Flags; int Mode; ...}; a generous buffer keeps a later, larger
        // struct from overrunning it.
        byte* status = stackalloc byte[512];
        if (SystemNativeStat(path, status) != 0) return FileEntryKind.Missing;
        return (*(int*)(status + 4) & TypeMask) switch
        {
            Regular => FileEntryKind.RegularFile,
            DirectoryType => FileEntryKind.Directory,
            Fifo => FileEntryKind.NamedPipe,
            CharDevice => FileEntryKind.CharacterDevice,
            BlockDevice => FileEntryKind.BlockDevice,
            SocketType => FileEntryKind.Socket,
            SymbolicLink => FileEntryKind.Missing, // stat follows links; a link here would be a loop
            _ => FileEntryKind.Other,
        };
    }

    // .NET exposes no file type beyond "directory or not", so ask the runtime's own stat wrapper, which every
    // .NET on Unix ships (it is what File.Exists calls).
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int SystemNativeStat(string path, byte* status);
}
