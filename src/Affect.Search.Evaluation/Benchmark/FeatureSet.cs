namespace Affect.Search.Evaluation.Benchmark;

/// <summary>
/// A named family of features with its members per modality, e.g. the low-level features (bags of visual words,
/// MFCC, word counts) or the deep ones (CNN and sentence embeddings). When a run extracts more than one family,
/// the feature-based baselines (early fusion, CCA) are fitted and reported once per family.
/// </summary>
/// <param name="Name">Shown in baseline names, e.g. "Early fusion (deep)".</param>
/// <param name="Visual">Visual features of the family.</param>
/// <param name="Audio">Audio features of the family.</param>
/// <param name="Text">Text features of the family.</param>
public sealed record FeatureSet(string Name, IReadOnlyList<string> Visual, IReadOnlyList<string> Audio, IReadOnlyList<string> Text)
{
    /// <summary>The paper's low-level features.</summary>
    public static readonly FeatureSet LowLevel = new("low-level", ["dsift", "gist", "hog", "lbp", "ssim"], ["audio"], ["text"]);

    /// <summary>Pretrained deep features: ResNet-18 images, an audio CNN and MiniLM sentence embeddings.</summary>
    public static readonly FeatureSet Deep = new("deep", ["resnet18"], ["audio-cnn"], ["minilm"]);

    /// <summary>The family's features of the modality with <paramref name="letter"/> (T, V or A).</summary>
    public IReadOnlyList<string> Of(char letter) => letter switch { 'T' => Text, 'V' => Visual, 'A' => Audio, _ => [] };
}
