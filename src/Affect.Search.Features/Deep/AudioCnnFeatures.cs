using Affect.Search.Features.Media;

namespace Affect.Search.Features.Deep;

/// <summary>
/// The audio-cnn feature: ResNet-18 activations (512-d) of the log-mel spectrogram image of each 1-second
/// window of an item's audio (<see cref="LogMelSpectrogramImage"/>), averaged over the windows. The same
/// network and files as <see cref="ResNet18Features"/>; a clip's windows run as one batch. Thread-safe.
/// </summary>
public sealed class AudioCnnFeatures
{
    /// <summary>The feature name configs use.</summary>
    public const string FeatureName = "audio-cnn";
    /// <summary>Values per item.</summary>
    public const int Dimension = ResNet18Features.Dimension;

    private static readonly Lazy<AudioCnnFeatures> SharedInstance = new(() => new AudioCnnFeatures(ResNet18Features.Shared), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Builds the feature over a ResNet-18.</summary>
    public AudioCnnFeatures(ResNet18Features network) => Network = network;

    /// <summary>The process's instance (over <see cref="ResNet18Features.Shared"/>).</summary>
    public static AudioCnnFeatures Shared => SharedInstance.Value;

    /// <summary>The network.</summary>
    public ResNet18Features Network { get; }

    /// <summary>The identities of the files used (those of the network).</summary>
    public IReadOnlyList<ModelFileIdentity> Files => Network.Files;

    /// <summary>The mean activations over the clip's windows.</summary>
    public float[] Extract(AudioClip clip) => ResNet18Features.Mean(ExtractEach(clip));

    /// <summary>The activations of each window, as one batch.</summary>
    public float[][] ExtractEach(AudioClip clip)
    {
        var starts = LogMelSpectrogramImage.WindowStarts(clip.Samples.Length, clip.SampleRate);
        var input = new float[starts.Count * ResNet18Features.InputLength];
        for (int i = 0; i < starts.Count; i++)
            LogMelSpectrogramImage.Write(clip, starts[i], input.AsSpan(i * ResNet18Features.InputLength, ResNet18Features.InputLength));
        return Network.Run(input, starts.Count);
    }
}
