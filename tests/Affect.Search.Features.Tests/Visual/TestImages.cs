using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Visual;

/// <summary>Synthetic frames for the visual feature tests.</summary>
internal static class TestImages
{
    /// <summary>A gray image from an intensity function with values in [0, 1] (clamped, rounded to bytes).</summary>
    public static RgbImage Gray(int width, int height, Func<int, int, double> intensity)
    {
        var p = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte v = (byte)Math.Round(Math.Clamp(intensity(x, y), 0, 1) * 255);
                int i = 3 * (y * width + x);
                p[i] = p[i + 1] = p[i + 2] = v;
            }
        return new RgbImage(width, height, p);
    }

    /// <summary>A deterministic colour texture with structure at several scales and orientations, not rotation-symmetric.</summary>
    public static RgbImage Texture(int width = 160, int height = 120, int seed = 1)
    {
        var rng = new Random(seed);
        var blobs = Enumerable.Range(0, 12).Select(_ => (X: rng.NextDouble() * width, Y: rng.NextDouble() * height, R: 6 + rng.NextDouble() * 20, A: rng.NextDouble() - 0.5)).ToArray();
        var p = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double v = 0.5 + 0.25 * Math.Sin(0.35 * x + 0.12 * y) + 0.1 * Math.Sin(0.05 * x * x / width);
                foreach (var b in blobs)
                {
                    double d2 = ((x - b.X) * (x - b.X) + (y - b.Y) * (y - b.Y)) / (b.R * b.R);
                    v += b.A * Math.Exp(-d2);
                }
                if (x > width * 2 / 3 && y < height / 3) v += 0.2; // a bright corner block with sharp edges
                int i = 3 * (y * width + x);
                p[i] = (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);
                p[i + 1] = (byte)Math.Round(Math.Clamp(v * 0.8 + 0.1 * Math.Cos(0.2 * y), 0, 1) * 255);
                p[i + 2] = (byte)Math.Round(Math.Clamp(1 - v, 0, 1) * 255);
            }
        return new RgbImage(width, height, p);
    }

    /// <summary>Every byte times <paramref name="factor"/>, rounded (a global brightness change).</summary>
    public static RgbImage Scale(RgbImage image, double factor)
    {
        var p = image.Pixels.Select(b => (byte)Math.Clamp(Math.Round(b * factor), 0, 255)).ToArray();
        return new RgbImage(image.Width, image.Height, p);
    }

    /// <summary>The image rotated 90 degrees clockwise as displayed (y grows downwards).</summary>
    public static RgbImage RotateClockwise(RgbImage image)
    {
        int w = image.Width, h = image.Height;
        var p = new byte[w * h * 3];
        // Output is h wide and w high; output (x', y') shows input (x = y', y = h - 1 - x').
        for (int y2 = 0; y2 < w; y2++)
            for (int x2 = 0; x2 < h; x2++)
            {
                int src = 3 * ((h - 1 - x2) * w + y2), dst = 3 * (y2 * h + x2);
                p[dst] = image.Pixels[src]; p[dst + 1] = image.Pixels[src + 1]; p[dst + 2] = image.Pixels[src + 2];
            }
        return new RgbImage(h, w, p);
    }

    /// <summary>A left/right split image: solid <paramref name="left"/> colour, then <paramref name="right"/>.</summary>
    public static RgbImage Halves(int width, int height, (byte R, byte G, byte B) left, (byte R, byte G, byte B) right)
    {
        var p = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var c = x < width / 2 ? left : right;
                int i = 3 * (y * width + x);
                p[i] = c.R; p[i + 1] = c.G; p[i + 2] = c.B;
            }
        return new RgbImage(width, height, p);
    }

    public static float[] Extract(Affect.Search.Features.Visual.IFrameFeature feature, RgbImage image)
    {
        var v = new float[feature.Dimension];
        feature.Extract(image, v);
        return v;
    }

    public static double Distance(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (double)(a[i] - b[i]);
        return Math.Sqrt(s);
    }

    public static double Norm(float[] a) => Math.Sqrt(a.Sum(v => (double)v * v));
}
