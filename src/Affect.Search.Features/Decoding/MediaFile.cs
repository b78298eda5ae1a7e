using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>Checks shared by the decoders before they open a file.</summary>
internal static class MediaFile
{
    /// <summary>Throws when <paramref name="path"/> is missing or a directory.</summary>
    public static void CheckExists(string path)
    {
        if (File.Exists(path)) return;
        throw new MediaDecodeException(Directory.Exists(path) ? $"{path}: is a directory, not a file" : $"{path}: file not found");
    }

    /// <summary>
    /// Throws when <paramref name="path"/> is missing, a directory or of length zero. The length check also keeps
    /// the managed decoders from blocking forever on a FIFO or reading a device such as /dev/zero without end,
    /// since those report a length of zero.
    /// </summary>
    public static void CheckReadable(string path)
    {
        CheckExists(path);
        if (new FileInfo(path).Length == 0) throw new MediaDecodeException($"{path}: the file is empty (or not a regular file)");
    }
}
