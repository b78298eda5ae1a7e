using Affect.Search.Features.Media;
using Affect.Search.Features.Visual;
using static Affect.Search.Features.Tests.Visual.TestImages;

namespace Affect.Search.Features.Tests.Visual;

public class GistFeatureTests
{
    private static readonly GistFeature Gist = new();

    private static double OrientationEnergy(float[] v, int orientation)
    {
        double e = 0;
        for (int s = 0; s < Gist.Scales; s++)
            for (int cy = 0; cy < Gist.Grid; cy++)
                for (int cx = 0; cx < Gist.Grid; cx++) e += v[Gist.IndexOf(s, orientation, cy, cx)];
        return e;
    }

    [Fact]
    public void DimensionIsScalesTimesOrientationsTimesCells()
    {
        Assert.Equal(512, Gist.Dimension);
        Assert.Equal(256, Gist.FieldSize);
        Assert.Equal(3 * 6 * 9, new GistFeature(workingSize: 64, scales: 3, orientations: 6, grid: 3).Dimension);
    }

    [Theory]
    [InlineData(8.0)]
    [InlineData(16.0)]
    public void RespondsMostInTheOrientationOfTheGrating(double period)
    {
        var vertical = Extract(Gist, Gray(128, 128, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * x / period)));
        var horizontal = Extract(Gist, Gray(128, 128, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * y / period)));
        var perOrientationV = Enumerable.Range(0, 8).Select(o => OrientationEnergy(vertical, o)).ToArray();
        var perOrientationH = Enumerable.Range(0, 8).Select(o => OrientationEnergy(horizontal, o)).ToArray();
        // Orientation 0: wave vector along x (vertical stripes); orientation 4: along y (horizontal stripes).
        Assert.Equal(0, Array.IndexOf(perOrientationV, perOrientationV.Max()));
        Assert.Equal(4, Array.IndexOf(perOrientationH, perOrientationH.Max()));
        Assert.True(perOrientationV[0] > 5 * perOrientationV[4], $"vertical grating: o0 {perOrientationV[0]:F3}, o4 {perOrientationV[4]:F3}");
        Assert.True(perOrientationH[4] > 5 * perOrientationH[0], $"horizontal grating: o4 {perOrientationH[4]:F3}, o0 {perOrientationH[0]:F3}");
    }

    [Fact]
    public void FinerGratingsExciteFinerScales()
    {
        double Scale(float[] v, int s) => Enumerable.Range(0, 8).Sum(o => Enumerable.Range(0, 16).Sum(c => (double)v[Gist.IndexOf(s, o, c / 4, c % 4)]));
        var fine = Extract(Gist, Gray(128, 128, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * x / 3.5)));
        var coarse = Extract(Gist, Gray(128, 128, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * x / 16)));
        Assert.True(Scale(fine, 0) > Scale(fine, 3));
        Assert.True(Scale(coarse, 3) > Scale(coarse, 0));
    }

    [Fact]
    public void FlatFrameGivesZerosAndBrightnessScalingHasLittleEffect()
    {
        Assert.All(Extract(Gist, RgbImage.Solid(50, 40, 10, 200, 90)), x => Assert.Equal(0f, x));
        var image = Texture();
        var v = Extract(Gist, image);
        Assert.All(v, x => Assert.True(x >= 0 && float.IsFinite(x)));
        Assert.True(Distance(v, Extract(Gist, Scale(image, 0.5))) < 0.05 * Norm(v));
    }

    [Fact]
    public void Deterministic()
    {
        var image = Texture(seed: 3);
        Assert.Equal(Extract(Gist, image), Extract(new GistFeature(), image));
    }
}
