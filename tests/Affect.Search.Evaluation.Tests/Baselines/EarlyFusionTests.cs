using Affect.Search.Compute;
using Affect.Search.Evaluation.Baselines;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Tests.Baselines;

public class EarlyFusionTests
{
    // Four training items. hog: column 1 is constant (dropped); item 3 has no hog (its 100s must not count).
    // hog column 0 = 1, 3, 5: mean 3, population sd sqrt(8/3); column 2 = 0, 0, 6: mean 2, sd sqrt(8).
    private static readonly float[] Hog = [1, 5, 0, 3, 5, 0, 5, 5, 6, 100, 100, 100];
    // audio column 0 = 0..3 and column 1 = 1, 0, 2, 3.
    private static readonly float[] Audio = [0, 1, 1, 0, 2, 2, 3, 3];

    private static MultimodalDataset Training() => new(4,
        new Dictionary<string, VisibleData>
        {
            ["hog"] = new DenseVisibleData(Hog, 4, 3),
            ["audio"] = new DenseVisibleData(Audio, 4, 2),
            ["text"] = new SparseVisibleData(CsrMatrix.FromRows(4, [[(0, 3f), (1, 4f)], [], [(2, 1f)], [(3, 9f)]])),
        },
        new Dictionary<string, bool[]> { ["hog"] = [true, true, true, false], ["text"] = [true, true, true, false] });

    [Fact]
    public void Standardises_normalises_blocks_and_zeroes_missing_ones()
    {
        var fusion = EarlyFusion.Fit(Training(), ["hog", "audio", "text"]);
        Assert.Equal(["hog", "audio", "text"], fusion.Features);
        Assert.Equal([2, 2, 4], fusion.BlockWidths);
        Assert.Equal(8, fusion.Dimension);
        var f = fusion.Transform(Training());
        Assert.Equal(32, f.Length);
        // hog row 0: ((1-3)/sqrt(8/3), (0-2)/sqrt(8)) = (-1.2247, -0.7071), norm sqrt(2) => (-0.8660, -0.5).
        Assert.Equal(-0.8660f, f[0], 3);
        Assert.Equal(-0.5f, f[1], 3);
        // hog row 1: (0, -0.7071) => (0, -1); row 2: (1.2247, 1.4142) / 1.8708 => (0.6547, 0.7559).
        Assert.Equal(0f, f[8], 5);
        Assert.Equal(-1f, f[9], 5);
        Assert.Equal(0.6547f, f[16], 3);
        Assert.Equal(0.7559f, f[17], 3);
        // audio: means 1.5 and 1.5, sds sqrt(1.25) both; row 0 (-1.5, -0.5) / sqrt(2.5).
        Assert.Equal(-0.9487f, f[2], 3);
        Assert.Equal(-0.3162f, f[3], 3);
        // text row 0: (3, 4, 0, 0) / 5; row 1 has no words: zeros.
        Assert.Equal([0.6f, 0.8f, 0f, 0f], f[4..8]);
        Assert.Equal(new float[4], f[12..16]);
        // Item 3 lacks hog and text: zero blocks; its audio block still has norm 1.
        Assert.Equal(new float[2], f[24..26]);
        Assert.Equal(new float[4], f[28..32]);
        Assert.Equal(1.0, Math.Sqrt(f[26] * f[26] + f[27] * f[27]), 5);
    }

    [Fact]
    public void A_feature_absent_from_the_data_gives_zeros()
    {
        var fusion = EarlyFusion.Fit(Training(), ["hog", "audio"]);
        var f = fusion.Transform(Training().Without("audio"));
        for (int row = 0; row < 4; row++) Assert.Equal(new float[2], f[(row * 4 + 2)..(row * 4 + 4)]);
        Assert.Equal(-0.8660f, f[0], 3);
    }

    [Fact]
    public void Unknown_features_and_mismatched_data_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => EarlyFusion.Fit(Training(), ["gist"]));
        Assert.Contains("'gist'", e.Message);
        Assert.Throws<ArgumentException>(() => EarlyFusion.Fit(Training(), []));
        Assert.Throws<ArgumentException>(() => EarlyFusion.Fit(Training(), ["hog", "hog"]));
        var fusion = EarlyFusion.Fit(Training(), ["audio"]);
        var wrong = new MultimodalDataset(1, new Dictionary<string, VisibleData> { ["audio"] = new DenseVisibleData(new float[3], 1, 3) });
        Assert.Throws<ArgumentException>(() => fusion.Transform(wrong));
    }
}
