using Affect.Search.Features.Media;
using StbImageSharp;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// Decodes still images (PNG, JPEG, BMP, GIF — first frame —, TGA) in managed code with StbImageSharp into
/// <see cref="RgbImage"/>s; transparent pixels are alpha-blended onto white. The format is recognised by its
/// signature (TGA, which has none, by the .tga extension), and the container is checked for completeness before
/// decoding, so truncated or damaged files fail with a <see cref="MediaDecodeException"/> that names the file and
/// the problem instead of decoding into a partly blank picture. Thread-safe.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Largest image accepted, in pixels (guards against decompression bombs): 2^26, about 8K x 8K.</summary>
    public const long MaxPixels = Corpus.InputLimits.MaxImagePixels;

    /// <summary>Largest image file read, in bytes (512 MiB).</summary>
    public const long MaxFileBytes = Corpus.InputLimits.MaxImageBytes;

    /// <summary>Formats this decoder can decode.</summary>
    public static IReadOnlyList<ImageFormat> SupportedFormats { get; } =
        [ImageFormat.Png, ImageFormat.Jpeg, ImageFormat.Bmp, ImageFormat.Gif, ImageFormat.Tga];

    /// <summary>Reads and decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="MediaDecodeException">The file is missing, unreadable, empty, unsupported, truncated or corrupt.</exception>
    public static RgbImage Decode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(ReadFile(path, MaxFileBytes), path);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> names it in messages (and a .tga name allows TGA).</summary>
    /// <exception cref="MediaDecodeException">The data is empty, unsupported, truncated or corrupt.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string name) => Decode(data.ToArray(), name);

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> names it in messages (and a .tga name allows TGA).</summary>
    /// <exception cref="MediaDecodeException">The data is empty, unsupported, truncated or corrupt.</exception>
    public static RgbImage Decode(byte[] data, string name)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(name);
        if (data.Length == 0) throw new MediaDecodeException($"{name}: the image file is empty");
        var format = ImageIntegrity.Sniff(data, name);
        switch (format)
        {
            case ImageFormat.Unknown:
                throw new MediaDecodeException($"{name}: not a supported image ({ImageIntegrity.Describe(data)}); " +
                                               "supported formats are PNG, JPEG, BMP, GIF and TGA");
            case ImageFormat.WebP or ImageFormat.Tiff:
                throw new MediaDecodeException($"{name}: {format} images are not supported by the managed decoder " +
                                               "(supported: PNG, JPEG, BMP, GIF, TGA; MediaDecoder reads them with ffmpeg)");
        }
        string? problem = ImageIntegrity.Check(format, data);
        if (problem is not null) throw new MediaDecodeException($"{name}: {format} image is {problem}");

        ImageInfo? info;
        try { info = ImageInfo.FromStream(new MemoryStream(data, writable: false)); }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new MediaDecodeException($"{name}: {format} header is corrupt: {e.Message}", e); }
        if (info is null) throw new MediaDecodeException($"{name}: {format} header is corrupt or unsupported");
        long pixels = (long)info.Value.Width * info.Value.Height;
        if (info.Value.Width <= 0 || info.Value.Height <= 0)
            throw new MediaDecodeException($"{name}: {format} header gives an invalid size {info.Value.Width}x{info.Value.Height}");
        if (pixels > MaxPixels)
            throw new MediaDecodeException($"{name}: {info.Value.Width}x{info.Value.Height} image exceeds the limit of {MaxPixels} pixels");

        ImageResult? result;
        try { result = ImageResult.FromMemory(data, ColorComponents.RedGreenBlueAlpha); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new MediaDecodeException($"{name}: cannot decode {format} image: {e.Message}", e);
        }
        if (result?.Data is null || result.Width <= 0 || result.Height <= 0 || result.Data.Length < (long)result.Width * result.Height * 4)
            throw new MediaDecodeException($"{name}: cannot decode {format} image (the decoder returned no pixels)");
        return CompositeOnWhite(result.Width, result.Height, result.Data);
    }

    /// <summary>Alpha-blends RGBA pixels onto a white background, giving RGB.</summary>
    internal static RgbImage CompositeOnWhite(int width, int height, ReadOnlySpan<byte> rgba)
    {
        int n = width * height;
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            int a = rgba[4 * i + 3];
            if (a == 255)
            {
                rgb[3 * i] = rgba[4 * i]; rgb[3 * i + 1] = rgba[4 * i + 1]; rgb[3 * i + 2] = rgba[4 * i + 2];
                continue;
            }
            int white = 255 * (255 - a);
            rgb[3 * i] = (byte)((rgba[4 * i] * a + white + 127) / 255);
            rgb[3 * i + 1] = (byte)((rgba[4 * i + 1] * a + white + 127) / 255);
            rgb[3 * i + 2] = (byte)((rgba[4 * i + 2] * a + white + 127) / 255);
        }
        return new RgbImage(width, height, rgb);
    }

    /// <summary>Reads a whole media file, turning I/O failures into <see cref="MediaDecodeException"/>s naming it.</summary>
    internal static byte[] ReadFile(string path, long maxBytes)
    {
        try
        {
            MediaFile.CheckReadable(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            if (stream.CanSeek && stream.Length > maxBytes)
                throw new MediaDecodeException($"{path}: the file is {stream.Length} bytes, over the limit of {maxBytes}");
            var buffer = new byte[stream.CanSeek ? stream.Length : 0];
            stream.ReadExactly(buffer);
            return buffer;
        }
        catch (FileNotFoundException e) { throw new MediaDecodeException($"{path}: file not found", e); }
        catch (DirectoryNotFoundException e) { throw new MediaDecodeException($"{path}: file not found (no such directory)", e); }
        catch (UnauthorizedAccessException e) { throw new MediaDecodeException($"{path}: permission denied", e); }
        catch (EndOfStreamException e) { throw new MediaDecodeException($"{path}: the file shrank while it was being read", e); }
        catch (IOException e) { throw new MediaDecodeException($"{path}: cannot read the file: {e.Message}", e); }
    }
}
