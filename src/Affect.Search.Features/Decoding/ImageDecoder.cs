using Affect.Search.Features.Media;
using StbImageSharp;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// Decodes still images (PNG, JPEG, BMP, GIF's first frame, TGA, PSD, HDR) with StbImageSharp.
/// Transparent pixels are composited on white, so an emoji on a transparent background looks as it does on a page.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes an image file.</summary>
    /// <exception cref="MediaDecodeException">unreadable, empty, truncated or not an image; the message names the file.</exception>
    public static RgbImage Decode(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new MediaDecodeException($"image '{path}' cannot be read: {e.Message}", e); }
        return Decode(bytes, path);
    }

    /// <summary>Decodes image bytes; <paramref name="name"/> is used in error messages.</summary>
    public static RgbImage Decode(byte[] data, string name)
    {
        if (data.Length == 0) throw new MediaDecodeException($"image '{name}' is empty");
        ImageResult? result;
        try { result = ImageResult.FromMemory(data, ColorComponents.RedGreenBlueAlpha); }
        catch (Exception e) { throw new MediaDecodeException($"image '{name}' cannot be decoded: {e.Message}", e); }
        if (result is null || result.Data is null || result.Width <= 0 || result.Height <= 0)
            throw new MediaDecodeException($"image '{name}' cannot be decoded: not a supported image");
        if (result.Data.Length < result.Width * result.Height * 4) throw new MediaDecodeException($"image '{name}' is truncated");
        var rgb = new byte[result.Width * result.Height * 3];
        for (int i = 0, n = result.Width * result.Height; i < n; i++)
        {
            int a = result.Data[4 * i + 3];
            for (int c = 0; c < 3; c++) rgb[3 * i + c] = (byte)((result.Data[4 * i + c] * a + 255 * (255 - a) + 127) / 255);
        }
        return new RgbImage(result.Width, result.Height, rgb);
    }
}
