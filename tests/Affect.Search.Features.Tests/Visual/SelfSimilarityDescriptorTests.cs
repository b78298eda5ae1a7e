using Affect.Search.Features.Media;
using Affect.Search.Features.Visual;
using static Affect.Search.Features.Tests.Visual.TestImages;

namespace Affect.Search.Features.Tests.Visual;

public class SelfSimilarityDescriptorTests
{
    private static readonly SelfSimilarityDescriptor Ssim = new();

    private static List<float[]> Describe(RgbImage image)
    {
        var list = new List<float[]>();
        Ssim.Describe(image, list);
        return list;
    }

    private static double MeanOverAngularBins(List<float[]> descriptors, params int[] angular)
    {
        double s = 0;
        int n = 0;
        foreach (var d in descriptors)
            for (int r = 0; r < Ssim.RadialBins; r++)
                foreach (int a in angular) { s += d[r * Ssim.AngularBins + a]; n++; }
        return s / n;
    }

    [Fact]
    public void LengthCountAndBins()
    {
        Assert.Equal(30, Ssim.DescriptorLength);
        // Centres 42 pixels from the borders of the 256 x 192 working image, every 10: 18 across, 11 down.
        Assert.Equal(18 * 11, Ssim.DescriptorCount(320, 240));
        Assert.Equal(198, Describe(Texture(320, 240)).Count);
        Assert.Equal(0, new SelfSimilarityDescriptor(workingLongSide: 80).DescriptorCount(80, 80));
        Assert.Equal(-1, Ssim.BinOf(0, 0));
        Assert.Equal(-1, Ssim.BinOf(41, 0));
        Assert.Equal(0, Ssim.BinOf(1, 0));
        Assert.Equal(0 * 10 + 2, Ssim.BinOf(0, 3));          // straight down, inner ring
        Assert.Equal(1 * 10 + 5, Ssim.BinOf(-10, 0));        // left (180 degrees), middle ring
        Assert.Equal(2 * 10 + 7, Ssim.BinOf(0, -40));        // straight up, outer ring
    }

    [Fact]
    public void ValuesLieInZeroOneAndAreStretched()
    {
        var list = Describe(Texture(320, 240));
        Assert.All(list, d =>
        {
            Assert.Equal(30, d.Length);
            Assert.All(d, x => Assert.InRange(x, 0f, 1f));
        });
        Assert.Contains(list, d => d.Max() == 1f && d.Min() == 0f);
    }

    [Fact]
    public void FlatFrameIsSimilarEverywhere()
    {
        var list = Describe(RgbImage.Solid(256, 256, 70, 80, 90));
        Assert.NotEmpty(list);
        Assert.All(list, d => Assert.All(d, x => Assert.Equal(1f, x)));
    }

    [Fact]
    public void StripesAreSelfSimilarAlongTheirDirection()
    {
        // Vertical stripes (intensity varies along x): shifting up or down (angular bins 2 and 7) gives the same patch.
        var vertical = Describe(Gray(256, 256, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * x / 48)));
        double along = MeanOverAngularBins(vertical, 2, 7), across = MeanOverAngularBins(vertical, 0, 4, 5, 9);
        Assert.True(along > 0.99, $"along {along:F3}");
        Assert.True(across < 0.5 * along, $"along {along:F3}, across {across:F3}");

        // The same stripes turned horizontal: now shifts left/right (bins 0 and 5 hold the exact horizontal) match.
        var horizontal = Describe(Gray(256, 256, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * y / 48)));
        double alongH = MeanOverAngularBins(horizontal, 0, 5), acrossH = MeanOverAngularBins(horizontal, 2, 7);
        Assert.True(alongH > 0.99, $"along {alongH:F3}");
        Assert.True(acrossH < 0.5 * alongH, $"along {alongH:F3}, across {acrossH:F3}");
    }

    [Fact]
    public void Deterministic()
    {
        var a = Describe(Texture(seed: 9));
        var b = Describe(Texture(seed: 9));
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i]);
    }
}
