namespace Affect.Search.Features.Media;

/// <summary>An 8-bit RGB raster, row-major, 3 bytes per pixel (a still image or one video keyframe).</summary>
public sealed class RgbImage
{
    /// <summary>Wraps pixel data; <paramref name="pixels"/> holds width * height * 3 bytes.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} is not positive");
        if (pixels.Length != width * height * 3) throw new ArgumentException($"{pixels.Length} bytes do not make a {width}x{height} RGB image");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>R, G, B bytes of each pixel, row by row.</summary>
    public byte[] Pixels { get; }

    /// <summary>Luminance in [0, 1] (ITU-R BT.601 weights), row-major.</summary>
    public float[] ToGray()
    {
        var gray = new float[Width * Height];
        for (int i = 0; i < gray.Length; i++)
            gray[i] = (0.299f * Pixels[3 * i] + 0.587f * Pixels[3 * i + 1] + 0.114f * Pixels[3 * i + 2]) / 255f;
        return gray;
    }

    /// <summary>A solid-colour image (tests and placeholders).</summary>
    public static RgbImage Solid(int width, int height, byte r, byte g, byte b)
    {
        var p = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++) { p[3 * i] = r; p[3 * i + 1] = g; p[3 * i + 2] = b; }
        return new RgbImage(width, height, p);
    }
}
