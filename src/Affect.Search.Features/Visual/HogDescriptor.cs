using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// HOG as local descriptors: each normalised block of <see cref="HogFeature"/> (36 values with the
/// defaults) is one descriptor, so HOG can be quantised into a bag of words as the paper does for
/// DenseSIFT, HOG, SSIM and MFCC (Section VI-A), instead of an 8,100-value concatenation.
/// </summary>
public sealed class HogDescriptor(HogFeature? hog = null) : ILocalDescriptor
{
    private readonly HogFeature _hog = hog ?? new HogFeature();

    /// <inheritdoc />
    public string Name => "hog";

    /// <inheritdoc />
    public int DescriptorLength => _hog.BlockLength;

    /// <inheritdoc />
    public void Describe(RgbImage frame, List<float[]> into)
    {
        var all = new float[_hog.Dimension];
        _hog.Extract(frame, all);
        for (int o = 0; o < all.Length; o += DescriptorLength) into.Add(all.AsSpan(o, DescriptorLength).ToArray());
    }
}
