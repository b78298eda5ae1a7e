using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// A visual feature computed on one frame (Section VI-A of the paper); a video's feature is the
/// average over its keyframes (<see cref="FramePooling"/>), and a still image is a one-frame video.
/// </summary>
public interface IFrameFeature
{
    /// <summary>Feature name, the key of its pathway in the model config ("hog", "lbp", ...).</summary>
    string Name { get; }

    /// <summary>Length of the vector.</summary>
    int Dimension { get; }

    /// <summary>Writes the frame's feature vector into <paramref name="destination"/> (length <see cref="Dimension"/>).</summary>
    void Extract(RgbImage frame, Span<float> destination);
}

/// <summary>
/// Local descriptors sampled densely over a frame (dense SIFT-like gradients, self-similarity); they become
/// a frame feature by quantisation against a learned <see cref="Codebooks.Codebook"/>.
/// </summary>
public interface ILocalDescriptor
{
    /// <summary>Name of the bag-of-words feature built from it ("dsift", "ssim").</summary>
    string Name { get; }

    /// <summary>Length of one descriptor.</summary>
    int DescriptorLength { get; }

    /// <summary>Appends the frame's descriptors (each of length <see cref="DescriptorLength"/>) to <paramref name="into"/>.</summary>
    void Describe(RgbImage frame, List<float[]> into);
}

/// <summary>Average pooling of a frame feature over keyframes.</summary>
public static class FramePooling
{
    /// <summary>The mean of the feature over <paramref name="frames"/>.</summary>
    public static float[] Average(IFrameFeature feature, IReadOnlyList<RgbImage> frames)
    {
        if (frames.Count == 0) throw new ArgumentException($"no frames to compute '{feature.Name}' on");
        var sum = new float[feature.Dimension];
        var one = new float[feature.Dimension];
        foreach (var f in frames)
        {
            feature.Extract(f, one);
            for (int i = 0; i < sum.Length; i++) sum[i] += one[i];
        }
        for (int i = 0; i < sum.Length; i++) sum[i] /= frames.Count;
        return sum;
    }
}
