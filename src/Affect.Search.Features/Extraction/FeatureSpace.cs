using System.Text.Json;
using System.Text.Json.Nodes;
using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Deep;
using Affect.Search.Features.Text;

namespace Affect.Search.Features.Extraction;

/// <summary>How a <see cref="FeatureSpace"/> is learned from a training corpus.</summary>
public sealed record FeatureSpaceOptions
{
    /// <summary>Words kept in the vocabulary occur in at least this many training documents (the paper keeps df &gt; 800 of ~1 M items).</summary>
    public int MinDocumentFrequency { get; init; } = 2;
    /// <summary>Cap on the vocabulary (most frequent first); null = no cap.</summary>
    public int? MaxVocabulary { get; init; } = 5000;
    /// <summary>Codewords of each visual bag of words (hog, dsift, ssim).</summary>
    public int VisualCodebookSize { get; init; } = 256;
    /// <summary>Codewords of the MFCC bag of audio words.</summary>
    public int AudioCodebookSize { get; init; } = 128;
    /// <summary>Training items (seeded sample) whose media feed the codebooks.</summary>
    public int CodebookItems { get; init; } = 300;
    /// <summary>Descriptors sampled per keyframe for codebook learning.</summary>
    public int DescriptorsPerFrame { get; init; } = 50;
    /// <summary>MFCC windows sampled per clip for codebook learning.</summary>
    public int MfccFramesPerClip { get; init; } = 200;
    /// <summary>k-means iterations.</summary>
    public int KMeansIterations { get; init; } = 20;
    /// <summary>Seed of the samples and of k-means.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// What feature extraction learns from the training corpus and must reuse unchanged at index and query
/// time: the text vocabulary, the codebooks of the bag-of-words features, and the identities (SHA-256) of
/// the model files of the deep features it was learned for, so that a model trained with one network file
/// refuses another. Stored beside the model.
/// </summary>
public sealed class FeatureSpace
{
    /// <summary>Creates a feature space.</summary>
    public FeatureSpace(Vocabulary vocabulary, IReadOnlyDictionary<string, Codebook> codebooks, FeatureSpaceOptions options,
        IReadOnlyDictionary<string, IReadOnlyList<ModelFileIdentity>>? deepModels = null)
    {
        Vocabulary = vocabulary;
        Codebooks = codebooks;
        Options = options;
        DeepModels = deepModels ?? new Dictionary<string, IReadOnlyList<ModelFileIdentity>>(StringComparer.Ordinal);
    }

    /// <summary>
    /// The model files of each deep feature ("resnet18", "audio-cnn", "minilm") the space was learned for;
    /// empty for a space of low-level features only (and for spaces saved before deep features existed).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ModelFileIdentity>> DeepModels { get; }

    /// <summary>
    /// Checks that deep feature <paramref name="feature"/> computes with the files this space records.
    /// </summary>
    /// <exception cref="InvalidDataException">the space has no record of the feature, or records other files.</exception>
    public void VerifyDeepModel(string feature, IReadOnlyList<ModelFileIdentity> files)
    {
        if (!DeepModels.TryGetValue(feature, out var recorded))
            throw new InvalidDataException($"the feature space was not learned for the deep feature '{feature}' (it records {(DeepModels.Count == 0 ? "no deep model" : string.Join(", ", DeepModels.Keys))}); featurize the training corpus again with a config that reads it");
        if (!recorded.SequenceEqual(files))
            throw new InvalidDataException($"deep feature '{feature}': the feature space was learned with {string.Join(", ", recorded)} but this program has {string.Join(", ", files)}; a model is tied to the exact model files it was trained with");
    }

    /// <summary>The text vocabulary.</summary>
    public Vocabulary Vocabulary { get; }
    /// <summary>Codebooks by feature name ("hog", "dsift", "ssim", "mfcc"); a modality absent from training has none.</summary>
    public IReadOnlyDictionary<string, Codebook> Codebooks { get; }
    /// <summary>The options it was learned with.</summary>
    public FeatureSpaceOptions Options { get; }

    private const string FormatName = "affect-search-feature-space";
    private const int FormatVersion = 1;

    /// <summary>Writes the feature space as JSON (codebook centroids as base64 little-endian float32).</summary>
    public void Save(Stream stream)
    {
        using var vocabulary = new MemoryStream();
        Vocabulary.Save(vocabulary);
        var root = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["options"] = JsonSerializer.SerializeToNode(Options),
            ["vocabulary"] = JsonNode.Parse(vocabulary.ToArray()),
            ["codebooks"] = new JsonArray(Codebooks.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["size"] = c.Size,
                ["descriptorLength"] = c.DescriptorLength,
                ["centroids"] = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(c.Centroids.AsSpan())),
            }).ToArray()),
        };
        // Written only when there are deep features, so a low-level space saves exactly as before.
        if (DeepModels.Count > 0)
            root["deepModels"] = new JsonObject(DeepModels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key,
                (JsonNode?)new JsonArray(kv.Value.Select(f => (JsonNode)new JsonObject { ["file"] = f.File, ["sha256"] = f.Sha256 }).ToArray()))));
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        root.WriteTo(writer);
    }

    /// <summary>Reads a feature space written by <see cref="Save(Stream)"/>.</summary>
    /// <exception cref="InvalidDataException">not a feature space, another version, or damaged.</exception>
    public static FeatureSpace Load(Stream stream)
    {
        try
        {
            var root = JsonNode.Parse(stream) as JsonObject ?? throw new InvalidDataException("feature space: not a JSON object");
            if ((string?)root["format"] != FormatName) throw new InvalidDataException("not an Affect.Search feature space");
            if ((int?)root["version"] != FormatVersion) throw new InvalidDataException($"feature space version {root["version"]} is not supported (supports {FormatVersion})");
            var options = root["options"].Deserialize<FeatureSpaceOptions>() ?? new FeatureSpaceOptions();
            using var vocabularyStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(root["vocabulary"]!.ToJsonString()));
            var vocabulary = Vocabulary.Load(vocabularyStream);
            var codebooks = new Dictionary<string, Codebook>(StringComparer.Ordinal);
            foreach (var node in root["codebooks"]!.AsArray())
            {
                var bytes = Convert.FromBase64String((string)node!["centroids"]!);
                var centroids = new float[bytes.Length / sizeof(float)];
                Buffer.BlockCopy(bytes, 0, centroids, 0, bytes.Length);
                var book = new Codebook((string)node["name"]!, (int)node["size"]!, (int)node["descriptorLength"]!, centroids);
                codebooks[book.Name] = book;
            }
            var deepModels = new Dictionary<string, IReadOnlyList<ModelFileIdentity>>(StringComparer.Ordinal);
            if (root["deepModels"] is JsonObject deep) // absent in files written before deep features
                foreach (var (feature, files) in deep)
                    deepModels[feature] = files!.AsArray().Select(f => new ModelFileIdentity((string)f!["file"]!, (string)f["sha256"]!)).ToList();
            return new FeatureSpace(vocabulary, codebooks, options, deepModels);
        }
        catch (Exception e) when (e is JsonException or FormatException or NullReferenceException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"feature space is damaged: {e.Message}", e);
        }
    }

    /// <summary>Saves to a file atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var temporary = path + ".tmp";
        using (var file = File.Create(temporary))
        {
            Save(file);
            file.Flush(flushToDisk: true); // the data before the rename that publishes it
        }
        File.Move(temporary, path, overwrite: true);
        Affect.Search.Durability.DirectorySync.FlushParentOf(path);
    }

    /// <summary>Loads from a file; errors name the file.</summary>
    public static FeatureSpace Load(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return Load(file);
        }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }
}
