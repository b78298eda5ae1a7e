using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// Bag of visual words (Sivic and Zisserman, "Video Google", ICCV 2003; Csurka et al., 2004): the frame's local
/// descriptors are each assigned to their nearest codeword (squared Euclidean distance) of a learned
/// <see cref="Codebook"/>, and the frame feature is the L1-normalised histogram of assignments (all zeros when
/// the frame is too small to hold a single descriptor). Named after the descriptor; one value per codeword.
/// </summary>
public sealed class BagOfWordsFeature : IFrameFeature
{
    /// <summary>Pairs a descriptor with the codebook learned on its output.</summary>
    public BagOfWordsFeature(ILocalDescriptor descriptor, Codebook codebook)
    {
        if (codebook.DescriptorLength != descriptor.DescriptorLength)
            throw new ArgumentException($"bag of words '{descriptor.Name}': codebook '{codebook.Name}' holds descriptors of length {codebook.DescriptorLength}, the descriptor gives {descriptor.DescriptorLength}");
        Descriptor = descriptor;
        Codebook = codebook;
    }

    /// <summary>The local descriptor quantised.</summary>
    public ILocalDescriptor Descriptor { get; }
    /// <summary>The vocabulary.</summary>
    public Codebook Codebook { get; }
    /// <inheritdoc/>
    public string Name => Descriptor.Name;
    /// <inheritdoc/>
    public int Dimension => Codebook.Size;

    /// <inheritdoc/>
    public void Extract(RgbImage frame, Span<float> destination)
    {
        if (destination.Length != Dimension) throw new ArgumentException($"{Name}: destination of length {destination.Length}, expected {Dimension}");
        var descriptors = new List<float[]>();
        Descriptor.Describe(frame, descriptors);
        Codebook.Histogram(descriptors).CopyTo(destination);
    }
}
