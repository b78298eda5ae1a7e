namespace Affect.Search.Features.Deep;

/// <summary>
/// The deep dense features by name: their dimensions, and the identities of the model files each computes
/// with (loading those files only when a deep feature is asked for, so low-level configs never need them).
/// </summary>
public static class DeepFeatures
{
    /// <summary>Dimensions of the deep features by name.</summary>
    public static IReadOnlyDictionary<string, int> Dimensions { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [ResNet18Features.FeatureName] = ResNet18Features.Dimension,
        [AudioCnnFeatures.FeatureName] = AudioCnnFeatures.Dimension,
        [MiniLmSentenceEncoder.FeatureName] = MiniLmSentenceEncoder.Dimension,
    };

    /// <summary>Whether <paramref name="name"/> is a deep feature.</summary>
    public static bool IsDeep(string name) => Dimensions.ContainsKey(name);

    /// <summary>The deep features among <paramref name="names"/>, in ordinal order.</summary>
    public static IReadOnlyList<string> Among(IEnumerable<string> names) => names.Where(IsDeep).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The files the process's instance of deep feature <paramref name="name"/> computes with (loads them).</summary>
    /// <exception cref="DeepModelMissingException">a file is missing.</exception>
    public static IReadOnlyList<ModelFileIdentity> FilesOf(string name) => name switch
    {
        ResNet18Features.FeatureName => ResNet18Features.Shared.Files,
        AudioCnnFeatures.FeatureName => AudioCnnFeatures.Shared.Files,
        MiniLmSentenceEncoder.FeatureName => MiniLmSentenceEncoder.Shared.Files,
        _ => throw new ArgumentException($"'{name}' is not a deep feature"),
    };
}
