using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Deep;

/// <summary>Seeded synthetic pictures for the deep-feature tests, and a minimal 24-bit BMP writer for them.</summary>
internal static class DeepTestImages
{
    /// <summary>A picture of gradients and a disc whose colours and layout depend on <paramref name="seed"/>.</summary>
    public static RgbImage Picture(int seed, int width = 224, int height = 224)
    {
        var random = new Random(seed);
        int cx = random.Next(width), cy = random.Next(height), radius = 20 + random.Next(60);
        byte r0 = (byte)random.Next(256), g0 = (byte)random.Next(256), b0 = (byte)random.Next(256);
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 3;
                bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius;
                pixels[i] = inside ? r0 : (byte)(255 * x / width);
                pixels[i + 1] = inside ? g0 : (byte)(255 * y / height);
                pixels[i + 2] = inside ? b0 : (byte)((x * 7 + y * 3 + seed * 31) % 256);
            }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>Writes a bottom-up 24-bit BMP (BGR rows padded to 4 bytes), which ML.NET and StbImageSharp both read.</summary>
    public static void WriteBmp(RgbImage image, string path)
    {
        int stride = (image.Width * 3 + 3) & ~3, size = 54 + stride * image.Height;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write((byte)'B'); writer.Write((byte)'M'); writer.Write(size); writer.Write(0); writer.Write(54);
        writer.Write(40); writer.Write(image.Width); writer.Write(image.Height); writer.Write((short)1); writer.Write((short)24);
        writer.Write(0); writer.Write(stride * image.Height); writer.Write(2835); writer.Write(2835); writer.Write(0); writer.Write(0);
        var row = new byte[stride];
        for (int y = image.Height - 1; y >= 0; y--)
        {
            for (int x = 0; x < image.Width; x++)
            {
                int i = (y * image.Width + x) * 3;
                row[x * 3] = image.Pixels[i + 2]; row[x * 3 + 1] = image.Pixels[i + 1]; row[x * 3 + 2] = image.Pixels[i];
            }
            writer.Write(row);
        }
    }
}
