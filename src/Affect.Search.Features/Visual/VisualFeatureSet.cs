using Affect.Search.Compute;
using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// The visual features of Section VI-A by name: global frame features (hog, lbp, gist, color) computed
/// directly, and local descriptors (dsift, ssim) that become frame features by bag of words once their
/// codebooks are learned. Typical use: <see cref="SampleDescriptors(IEnumerable{RgbImage}, int, RandomStream)"/> over training keyframes, then
/// <see cref="Codebook.Learn"/> per descriptor, then <see cref="BuildFeatures"/>, and
/// <see cref="FramePooling.Average"/> of each feature over an item's keyframes. The extractors are immutable
/// after construction (per-call buffers come from the shared array pool), so one set may serve several threads.
/// </summary>
public sealed class VisualFeatureSet
{
    /// <summary>A set of frame features and local descriptors; names must be distinct across both.</summary>
    public VisualFeatureSet(IEnumerable<IFrameFeature> frameFeatures, IEnumerable<ILocalDescriptor> descriptors)
    {
        FrameFeatures = frameFeatures.ToArray();
        Descriptors = descriptors.ToArray();
        var names = FrameFeatures.Select(f => f.Name).Concat(Descriptors.Select(d => d.Name)).ToArray();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new ArgumentException($"visual features: name '{duplicate.Key}' used twice");
        Names = names;
    }

    /// <summary>
    /// The standard set with default parameters: frame features lbp, gist, color; descriptors hog, dsift,
    /// ssim, quantised into bags of words as in the paper.
    /// </summary>
    public static VisualFeatureSet CreateStandard() => new(
        new IFrameFeature[] { new LbpFeature(), new GistFeature(), new ColorHistogramFeature() },
        new ILocalDescriptor[] { new HogDescriptor(), new DenseSiftDescriptor(), new SelfSimilarityDescriptor() });

    /// <summary>Features computed directly on a frame.</summary>
    public IReadOnlyList<IFrameFeature> FrameFeatures { get; }
    /// <summary>Local descriptors that need a codebook.</summary>
    public IReadOnlyList<ILocalDescriptor> Descriptors { get; }
    /// <summary>All feature names: frame features, then descriptors (the order of <see cref="BuildFeatures"/>).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The local descriptor called <paramref name="name"/>.</summary>
    public ILocalDescriptor Descriptor(string name) =>
        Descriptors.FirstOrDefault(d => d.Name == name) ?? throw new KeyNotFoundException($"no local descriptor '{name}' (have {string.Join(", ", Descriptors.Select(d => d.Name))})");

    /// <summary>
    /// Appends to <paramref name="into"/> up to <paramref name="maxPerFrame"/> of the frame's descriptors, drawn
    /// uniformly without replacement (all of them when there are fewer) by <paramref name="random"/>; deterministic
    /// for the stream's state, kept in grid order.
    /// </summary>
    public static void SampleDescriptors(ILocalDescriptor descriptor, RgbImage frame, int maxPerFrame, RandomStream random, List<float[]> into)
    {
        if (maxPerFrame <= 0) return;
        var all = new List<float[]>();
        descriptor.Describe(frame, all);
        if (all.Count <= maxPerFrame) { into.AddRange(all); return; }
        var order = new int[all.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        for (int i = 0; i < maxPerFrame; i++)
        {
            int j = i + random.NextInt(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        Array.Sort(order, 0, maxPerFrame);
        for (int i = 0; i < maxPerFrame; i++) into.Add(all[order[i]]);
    }

    /// <summary>
    /// Codebook training samples for every local descriptor: up to <paramref name="maxPerFrame"/> random
    /// descriptors of each frame. Each descriptor draws from its own child of <paramref name="random"/> (forked in
    /// <see cref="Descriptors"/> order), so the result depends only on the seed and the frames' order.
    /// </summary>
    public IReadOnlyDictionary<string, List<float[]>> SampleDescriptors(IEnumerable<RgbImage> frames, int maxPerFrame, RandomStream random)
    {
        var streams = Descriptors.Select(_ => random.Fork()).ToArray();
        var samples = Descriptors.ToDictionary(d => d.Name, _ => new List<float[]>());
        foreach (var frame in frames)
            for (int i = 0; i < Descriptors.Count; i++)
                SampleDescriptors(Descriptors[i], frame, maxPerFrame, streams[i], samples[Descriptors[i].Name]);
        return samples;
    }

    /// <summary>
    /// All frame features once codebooks exist: the frame features, then a <see cref="BagOfWordsFeature"/> per
    /// descriptor with the codebook of the same name.
    /// </summary>
    public IReadOnlyList<IFrameFeature> BuildFeatures(IReadOnlyDictionary<string, Codebook> codebooks)
    {
        var features = new List<IFrameFeature>(FrameFeatures);
        foreach (var d in Descriptors)
        {
            if (!codebooks.TryGetValue(d.Name, out var book)) throw new KeyNotFoundException($"no codebook for local descriptor '{d.Name}'");
            features.Add(new BagOfWordsFeature(d, book));
        }
        return features;
    }
}
