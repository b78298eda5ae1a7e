using Affect.Search.Features.Media;
using Affect.Search.Features.Visual;
using static Affect.Search.Features.Tests.Visual.TestImages;

namespace Affect.Search.Features.Tests.Visual;

public class DenseSiftDescriptorTests
{
    private static List<float[]> Describe(ILocalDescriptor d, RgbImage image)
    {
        var list = new List<float[]>();
        d.Describe(image, list);
        return list;
    }

    private static double[] OrientationEnergy(List<float[]> descriptors)
    {
        var e = new double[8];
        foreach (var d in descriptors) for (int i = 0; i < d.Length; i++) e[i % 8] += d[i];
        return e;
    }

    [Fact]
    public void LengthAndCountFollowTheGrid()
    {
        var sift = new DenseSiftDescriptor();
        Assert.Equal(128, sift.DescriptorLength);
        Assert.Equal((256, 192), sift.WorkingSize(320, 240));
        // Patches of 16 every 8 pixels: (256 - 16) / 8 + 1 = 31 across, (192 - 16) / 8 + 1 = 23 down.
        Assert.Equal(31 * 23, sift.DescriptorCount(320, 240));
        var list = Describe(sift, Texture(320, 240));
        Assert.Equal(713, list.Count);
        Assert.All(list, d => Assert.Equal(128, d.Length));
        Assert.Equal(new DenseSiftDescriptor(workingLongSide: 64, step: 4).DescriptorCount(30, 60), Describe(new DenseSiftDescriptor(workingLongSide: 64, step: 4), Texture(30, 60)).Count);
        Assert.Empty(Describe(new DenseSiftDescriptor(workingLongSide: 12), Texture()));
    }

    [Fact]
    public void FlatFrameGivesZeroDescriptors()
    {
        var list = Describe(new DenseSiftDescriptor(), RgbImage.Solid(100, 100, 120, 60, 200));
        Assert.NotEmpty(list);
        Assert.All(list, d => Assert.All(d, x => Assert.Equal(0f, x)));
    }

    [Fact]
    public void TexturedDescriptorsAreUnitNormNonNegativeAndClipped()
    {
        foreach (var d in Describe(new DenseSiftDescriptor(), Texture()))
        {
            Assert.All(d, x => Assert.True(x >= 0));
            double n = Norm(d);
            Assert.True(n == 0 || Math.Abs(n - 1) < 1e-4, $"norm {n}");
        }
    }

    [Fact]
    public void RotationMovesEnergyBetweenOrientationBins()
    {
        var sift = new DenseSiftDescriptor();
        var ramp = Gray(128, 96, (x, y) => 0.1 + 0.8 * x / 127.0);   // intensity increasing to the right
        var e = OrientationEnergy(Describe(sift, ramp));
        Assert.True(e[0] / e.Sum() > 0.99, $"ramp: bin 0 holds {e[0] / e.Sum():P1}");
        var turned = OrientationEnergy(Describe(sift, RotateClockwise(ramp)));   // now increasing downwards
        Assert.True(turned[2] / turned.Sum() > 0.99, $"rotated ramp: bin 2 holds {turned[2] / turned.Sum():P1}");
        var diagonal = OrientationEnergy(Describe(sift, Gray(256, 256, (x, y) => 0.1 + 0.4 * (x + y) / 255.0)));
        Assert.True(diagonal[1] / diagonal.Sum() > 0.99, $"diagonal ramp: bin 1 holds {diagonal[1] / diagonal.Sum():P1}");
    }

    [Fact]
    public void CellLayoutPutsAVerticalEdgeInTheMiddleColumns()
    {
        // One patch (working image 16 x 16) over an edge at x = 8: cells in columns 1 and 2 see it, columns 0 and 3 only via interpolation.
        var sift = new DenseSiftDescriptor(workingLongSide: 16, step: 8, patchSize: 16);
        var d = Assert.Single(Describe(sift, Gray(16, 16, (x, y) => x < 8 ? 0.2 : 0.8)));
        double Column(int cx) => Enumerable.Range(0, 4).Sum(cy => (double)d[(cy * 4 + cx) * 8]);
        Assert.True(Column(1) > 0 && Column(2) > 0);
        Assert.Equal(Column(1), Column(2), 4);
        Assert.True(Column(0) < Column(1));
        Assert.Equal(0.0, d.Select((x, i) => i % 8 == 0 ? 0 : (double)x).Sum(), 6);
    }

    [Fact]
    public void Deterministic()
    {
        var a = Describe(new DenseSiftDescriptor(), Texture(seed: 5));
        var b = Describe(new DenseSiftDescriptor(), Texture(seed: 5));
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i]);
    }
}
