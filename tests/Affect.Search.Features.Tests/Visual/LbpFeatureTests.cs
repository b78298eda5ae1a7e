using Affect.Search.Features.Media;
using Affect.Search.Features.Visual;
using static Affect.Search.Features.Tests.Visual.TestImages;

namespace Affect.Search.Features.Tests.Visual;

public class LbpFeatureTests
{
    [Fact]
    public void UniformPatternTable()
    {
        Assert.Equal(58, Enumerable.Range(0, 256).Count(LbpFeature.IsUniform));
        Assert.Equal(0, LbpFeature.BinOf(0));
        Assert.Equal(57, LbpFeature.AllOnesBin);
        Assert.Equal(LbpFeature.NonUniformBin, LbpFeature.BinOf(0b01010101));
        Assert.Equal(LbpFeature.NonUniformBin, LbpFeature.BinOf(0b00100100));
        Assert.NotEqual(LbpFeature.NonUniformBin, LbpFeature.BinOf(0b00111100));
        Assert.NotEqual(LbpFeature.NonUniformBin, LbpFeature.BinOf(0b10000011)); // wraps round
        // Uniform codes get distinct bins 0..57.
        var bins = Enumerable.Range(0, 256).Where(LbpFeature.IsUniform).Select(LbpFeature.BinOf).ToArray();
        Assert.Equal(Enumerable.Range(0, 58), bins);
    }

    [Fact]
    public void DimensionFollowsTheGrid()
    {
        Assert.Equal(4 * 4 * 59, new LbpFeature().Dimension);
        Assert.Equal(944, new LbpFeature().Dimension);
        Assert.Equal(2 * 2 * 59, new LbpFeature(workingSize: 64, gridCells: 2).Dimension);
    }

    [Theory]
    [InlineData(128, 128, 128)]
    [InlineData(200, 30, 90)]
    [InlineData(0, 0, 0)]
    public void FlatFramePutsAllMassInTheAllOnesBinOfEveryCell(byte r, byte g, byte b)
    {
        var lbp = new LbpFeature();
        var v = Extract(lbp, RgbImage.Solid(97, 61, r, g, b));
        for (int cell = 0; cell < 16; cell++)
            for (int bin = 0; bin < LbpFeature.BinsPerCell; bin++)
                Assert.Equal(bin == LbpFeature.AllOnesBin ? 1f : 0f, v[cell * LbpFeature.BinsPerCell + bin]);
    }

    [Fact]
    public void CellHistogramsSumToOneAndTextureUsesManyPatterns()
    {
        var lbp = new LbpFeature();
        var v = Extract(lbp, Texture());
        for (int cell = 0; cell < 16; cell++)
            Assert.Equal(1.0, v.AsSpan(cell * 59, 59).ToArray().Sum(), 4);
        Assert.True(v.Count(x => x > 0) > 100);
        Assert.Equal(v, Extract(new LbpFeature(), Texture()));
    }

    [Fact]
    public void VerticalEdgeGivesTheExpectedCodes()
    {
        // Dark left half, bright right half of the 128 working image: pixels just right of the edge see their
        // three west neighbours darker (bits 3, 4, 5 clear, code 0b11000111); everything else is >= centre.
        var lbp = new LbpFeature();
        var v = Extract(lbp, Gray(128, 128, (x, y) => x < 64 ? 0.2 : 0.7));
        int edgeBin = LbpFeature.BinOf(0b11000111);
        // The edge (x = 63 | 64) lies in grid column 1 (pixels 32..63) and 2 (64..95): column 2 holds the bright side.
        for (int cy = 0; cy < 4; cy++)
        {
            int cell = cy * 4 + 2;
            Assert.Equal(32f / 1024f, v[cell * 59 + edgeBin], 5);
            Assert.Equal(1f - 32f / 1024f, v[cell * 59 + LbpFeature.AllOnesBin], 5);
            Assert.Equal(1f, v[(cy * 4 + 1) * 59 + LbpFeature.AllOnesBin], 5);
        }
    }
}
