using Affect.Search.Features.Media;
using Affect.Search.Features.Visual;
using static Affect.Search.Features.Tests.Visual.TestImages;

namespace Affect.Search.Features.Tests.Visual;

public class ColorHistogramFeatureTests
{
    [Theory]
    [InlineData(255, 0, 0, 15)]    // hue 0 -> hue bin 0, saturation and value top bins: (0 * 4 + 3) * 4 + 3
    [InlineData(0, 255, 0, 47)]    // hue 120 -> hue bin 2: (2 * 4 + 3) * 4 + 3
    [InlineData(0, 0, 255, 95)]    // hue 240 -> hue bin 5
    [InlineData(0, 0, 0, 0)]       // black: hue 0, saturation 0, value 0
    [InlineData(255, 255, 255, 3)] // white: saturation 0, value top bin
    public void SolidColourGivesOneBinOfMassOne(byte r, byte g, byte b, int expectedBin)
    {
        var color = new ColorHistogramFeature();
        Assert.Equal(expectedBin, color.BinOf(r, g, b));
        var v = Extract(color, RgbImage.Solid(33, 17, r, g, b));
        for (int i = 0; i < v.Length; i++) Assert.Equal(i == expectedBin ? 1f : 0f, v[i]);
    }

    [Fact]
    public void HalvesSplitTheMassAndHistogramsSumToOne()
    {
        var color = new ColorHistogramFeature();
        Assert.Equal(128, color.Dimension);
        var v = Extract(color, Halves(40, 10, (255, 0, 0), (0, 255, 0)));
        Assert.Equal(0.5f, v[15], 5);
        Assert.Equal(0.5f, v[47], 5);
        Assert.Equal(1.0, Extract(color, Texture()).Sum(), 4);
        Assert.Equal(2 * 3 * 5, new ColorHistogramFeature(2, 3, 5).Dimension);
    }

    [Fact]
    public void HueBinsFollowTheColourCircle()
    {
        var color = new ColorHistogramFeature(hueBins: 8, saturationBins: 1, valueBins: 1);
        Assert.Equal(0, color.BinOf(255, 0, 0));
        Assert.Equal(1, color.BinOf(255, 255, 0));   // 60 degrees
        Assert.Equal(2, color.BinOf(0, 255, 0));     // 120
        Assert.Equal(4, color.BinOf(0, 255, 255));   // 180
        Assert.Equal(6, color.BinOf(255, 0, 255));   // 300 -> bin 6 (270..315)
        Assert.Equal(7, color.BinOf(255, 0, 20));    // just below 360
    }
}
