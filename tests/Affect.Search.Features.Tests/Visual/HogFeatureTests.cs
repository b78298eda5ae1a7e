using Affect.Search.Features.Media;
using Affect.Search.Features.Visual;
using static Affect.Search.Features.Tests.Visual.TestImages;

namespace Affect.Search.Features.Tests.Visual;

public class HogFeatureTests
{
    private static double[] EnergyPerBin(HogFeature hog, float[] v)
    {
        var e = new double[hog.OrientationBins];
        for (int i = 0; i < v.Length; i++) e[i % hog.OrientationBins] += v[i];
        return e;
    }

    [Fact]
    public void DimensionFollowsTheParameters()
    {
        Assert.Equal(15 * 15 * 2 * 2 * 9, new HogFeature().Dimension);
        Assert.Equal(8100, new HogFeature().Dimension);
        Assert.Equal(7 * 7 * 36, new HogFeature(workingSize: 64).Dimension);
        Assert.Equal(3 * 3 * 4 * 4 * 6, new HogFeature(workingSize: 96, cellSize: 16, blockCells: 4, blockStrideCells: 1, orientationBins: 6).Dimension);
        Assert.Throws<ArgumentException>(() => new HogFeature(workingSize: 100, cellSize: 8));
    }

    [Fact]
    public void VerticalEdgePutsItsEnergyInTheHorizontalGradientBin()
    {
        var hog = new HogFeature();
        var image = Gray(100, 80, (x, y) => x < 50 ? 0.1 : 0.9);
        var e = EnergyPerBin(hog, Extract(hog, image));
        Assert.True(e[0] > 0);
        Assert.True(e[0] / e.Sum() > 0.99, $"bin 0 holds {e[0] / e.Sum():P2}");
        // Only blocks touching the edge are non-zero, and each of them is unit-norm.
        var v = Extract(hog, image);
        for (int b = 0; b < v.Length / hog.BlockLength; b++)
        {
            double n = Norm(v.AsSpan(b * hog.BlockLength, hog.BlockLength).ToArray());
            Assert.True(n < 1e-6 || Math.Abs(n - 1) < 1e-3, $"block {b} has norm {n}");
        }
    }

    [Fact]
    public void HorizontalEdgePutsItsEnergyAroundNinetyDegrees()
    {
        var hog = new HogFeature();
        var e = EnergyPerBin(hog, Extract(hog, Gray(128, 128, (x, y) => y < 64 ? 0.8 : 0.2)));
        Assert.True((e[4] + e[5]) / e.Sum() > 0.99);
        Assert.Equal(e[4], e[5], 3);
        Assert.True(e[0] < 1e-6);
    }

    [Fact]
    public void InvariantToBrightnessScalingButNotToRotation()
    {
        var hog = new HogFeature();
        var image = Texture(160, 160);
        var v = Extract(hog, image);
        var darker = Extract(hog, Scale(image, 0.5));
        var rotated = Extract(hog, RotateClockwise(image));
        double brightness = Distance(v, darker), rotation = Distance(v, rotated);
        double norm = Norm(v);
        Assert.True(brightness < 0.03 * norm, $"brightness x0.5 moved HOG by {brightness:F4} (norm {norm:F2})");
        Assert.True(rotation > 0.3 * norm, $"rotation moved HOG by only {rotation:F4} (norm {norm:F2})");
        Assert.True(rotation > 10 * brightness);
    }

    [Fact]
    public void FlatFrameGivesZeros()
    {
        var hog = new HogFeature();
        Assert.All(Extract(hog, RgbImage.Solid(64, 48, 90, 140, 30)), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void DeterministicAndChecksTheDestinationLength()
    {
        var hog = new HogFeature();
        var image = Texture();
        Assert.Equal(Extract(hog, image), Extract(new HogFeature(), image));
        Assert.Throws<ArgumentException>(() => hog.Extract(image, new float[hog.Dimension - 1]));
    }

    [Fact]
    public void HogDescriptorsAreTheNormalisedBlocksOfTheFeature()
    {
        var hog = new HogFeature();
        var frame = TestImages.Texture(96, 80, 3);
        var whole = new float[hog.Dimension];
        hog.Extract(frame, whole);
        var blocks = new List<float[]>();
        new HogDescriptor(hog).Describe(frame, blocks);
        Assert.Equal(hog.BlocksPerSide * hog.BlocksPerSide, blocks.Count);
        Assert.All(blocks, b => Assert.Equal(hog.BlockLength, b.Length));
        Assert.Equal(whole, blocks.SelectMany(b => b).ToArray());
    }
}
