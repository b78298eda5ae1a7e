using Affect.Search.Features.Text;

namespace Affect.Search.Features.Extraction;

/// <summary>
/// The feature vectors of one corpus item: dense vectors by feature name (the visual features averaged
/// over keyframes, "audio" = MFCC bag of words + Audio-Six) and the word counts of its text. A modality
/// the item lacks, or whose media could not be decoded, is simply absent; <see cref="Problems"/> says why.
/// </summary>
/// <param name="Id">The item id.</param>
/// <param name="Dense">Real-valued features by name.</param>
/// <param name="Words">Word counts over the vocabulary (with unknown words), null without text.</param>
/// <param name="Problems">What went wrong for this item (e.g. an undecodable video), each naming the file.</param>
public sealed record ItemFeatures(string Id, IReadOnlyDictionary<string, float[]> Dense, TermCounts? Words, IReadOnlyList<string> Problems)
{
    /// <summary>True when no modality survived.</summary>
    public bool IsEmpty => Dense.Count == 0 && Words is null;
}
