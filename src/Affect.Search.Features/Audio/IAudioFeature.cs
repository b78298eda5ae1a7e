using Affect.Search.Features.Media;

namespace Affect.Search.Features.Audio;

/// <summary>
/// An audio feature of a whole clip, computed over 32 ms windows with 50% overlap and average-pooled
/// (Section VI-A of the paper). Clips arrive at <see cref="AudioClip.StandardSampleRate"/>.
/// </summary>
public interface IAudioFeature
{
    /// <summary>Feature name.</summary>
    string Name { get; }

    /// <summary>Length of the vector.</summary>
    int Dimension { get; }

    /// <summary>The clip's feature vector.</summary>
    float[] Extract(AudioClip clip);
}
