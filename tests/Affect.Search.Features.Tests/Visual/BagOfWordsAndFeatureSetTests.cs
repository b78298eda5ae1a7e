using Affect.Search.Compute;
using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Media;
using Affect.Search.Features.Visual;
using static Affect.Search.Features.Tests.Visual.TestImages;

namespace Affect.Search.Features.Tests.Visual;

public class BagOfWordsAndFeatureSetTests
{
    /// <summary>A descriptor that returns fixed vectors whatever the frame.</summary>
    private sealed class FixedDescriptor(params float[][] descriptors) : ILocalDescriptor
    {
        public string Name => "fixed";
        public int DescriptorLength => descriptors[0].Length;
        public void Describe(RgbImage frame, List<float[]> into) => into.AddRange(descriptors.Select(d => (float[])d.Clone()));
    }

    [Fact]
    public void HistogramUsesTheNearestCodewordAndSumsToOne()
    {
        var descriptor = new FixedDescriptor([0f, 0.1f], [0.9f, 1f], [1.2f, 0.8f], [9f, 11f]);
        var book = new Codebook("fixed", 4, 2, [0f, 0f, 1f, 1f, 10f, 10f, 5f, 5f]);
        var bow = new BagOfWordsFeature(descriptor, book);
        Assert.Equal("fixed", bow.Name);
        Assert.Equal(4, bow.Dimension);
        var h = Extract(bow, RgbImage.Solid(4, 4, 0, 0, 0));
        Assert.Equal([0.25f, 0.5f, 0.25f, 0f], h);
        Assert.Equal(1.0, h.Sum(), 6);
        Assert.Throws<ArgumentException>(() => new BagOfWordsFeature(descriptor, new Codebook("x", 2, 3, new float[6])));
    }

    [Fact]
    public void StandardSetHasTheSectionSixFeatures()
    {
        var set = VisualFeatureSet.CreateStandard();
        Assert.Equal(["lbp", "gist", "color", "hog", "dsift", "ssim"], set.Names);
        Assert.Equal([944, 512, 128], set.FrameFeatures.Select(f => f.Dimension));
        Assert.Equal([36, 128, 30], set.Descriptors.Select(d => d.DescriptorLength));
        Assert.Equal("ssim", set.Descriptor("ssim").Name);
        Assert.Throws<KeyNotFoundException>(() => set.Descriptor("mfcc"));
        // Every frame feature fills exactly its declared dimension and rejects other lengths.
        var frame = Texture(64, 48);
        foreach (var f in set.FrameFeatures)
        {
            var v = Extract(f, frame);
            Assert.All(v, x => Assert.True(float.IsFinite(x)));
            Assert.Throws<ArgumentException>(() => f.Extract(frame, new float[f.Dimension + 1]));
        }
    }

    [Fact]
    public void SamplingIsBoundedDeterministicAndDrawsRealDescriptors()
    {
        var set = VisualFeatureSet.CreateStandard();
        var frames = new[] { Texture(160, 120, 1), Texture(120, 160, 2), RgbImage.Solid(64, 64, 10, 20, 30) };
        var a = set.SampleDescriptors(frames, 20, new RandomStream(42));
        var b = set.SampleDescriptors(frames, 20, new RandomStream(42));
        var c = set.SampleDescriptors(frames, 20, new RandomStream(43));
        Assert.Equal(["dsift", "hog", "ssim"], a.Keys.OrderBy(k => k));
        Assert.Equal(60, a["hog"].Count);
        Assert.Equal(60, a["dsift"].Count);
        Assert.Equal(60, a["ssim"].Count);
        for (int i = 0; i < 60; i++) Assert.Equal(a["dsift"][i], b["dsift"][i]);
        Assert.Contains(Enumerable.Range(0, 20), i => !a["dsift"][i].SequenceEqual(c["dsift"][i]));

        // Each sample of the first frame is one of that frame's descriptors, without repeats.
        var all = new List<float[]>();
        set.Descriptor("dsift").Describe(frames[0], all);
        var firstFrame = a["dsift"].Take(20).ToList();
        Assert.All(firstFrame, s => Assert.Contains(all, d => d.SequenceEqual(s)));
        Assert.Equal(20, firstFrame.Select(s => all.FindIndex(d => d.SequenceEqual(s))).Distinct().Count());

        // Fewer descriptors than asked for: all of them.
        var few = new List<float[]>();
        VisualFeatureSet.SampleDescriptors(set.Descriptor("ssim"), frames[0], 100_000, new RandomStream(1), few);
        Assert.Equal(((SelfSimilarityDescriptor)set.Descriptor("ssim")).DescriptorCount(160, 120), few.Count);
    }

    [Fact]
    public void BuildFeaturesQuantisesWithLearnedCodebooks()
    {
        var set = VisualFeatureSet.CreateStandard();
        var frames = new[] { Texture(160, 120, 1), Texture(160, 120, 2) };
        var samples = set.SampleDescriptors(frames, 50, new RandomStream(7));
        var books = samples.ToDictionary(kv => kv.Key, kv => Codebook.Learn(kv.Key, kv.Value, 8, seed: 11, iterations: 5));
        var features = set.BuildFeatures(books);
        Assert.Equal(set.Names, features.Select(f => f.Name));
        foreach (var bow in features.OfType<BagOfWordsFeature>())
        {
            Assert.Equal(8, bow.Dimension);
            var h = Extract(bow, frames[0]);
            Assert.Equal(1.0, h.Sum(), 4);
            // The histogram is the codebook's own histogram of the frame's descriptors.
            var descriptors = new List<float[]>();
            bow.Descriptor.Describe(frames[0], descriptors);
            Assert.Equal(bow.Codebook.Histogram(descriptors), h);
        }
        Assert.Throws<KeyNotFoundException>(() => set.BuildFeatures(new Dictionary<string, Codebook> { ["dsift"] = books["dsift"] }));
    }

    [Fact]
    public void FramePoolingAveragesOverFrames()
    {
        var color = new ColorHistogramFeature();
        var pooled = FramePooling.Average(color, [RgbImage.Solid(8, 8, 255, 0, 0), RgbImage.Solid(8, 8, 0, 255, 0)]);
        Assert.Equal(0.5f, pooled[15]);
        Assert.Equal(0.5f, pooled[47]);
        Assert.Equal(1.0, pooled.Sum(), 6);

        var hog = new HogFeature();
        var f1 = Texture(seed: 1);
        var f2 = Texture(seed: 2);
        var mean = FramePooling.Average(hog, [f1, f2]);
        var v1 = Extract(hog, f1);
        var v2 = Extract(hog, f2);
        for (int i = 0; i < mean.Length; i++) Assert.Equal((v1[i] + v2[i]) / 2, mean[i], 5);
    }
}
