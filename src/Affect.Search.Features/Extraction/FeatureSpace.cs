using System.Text.Json;
using System.Text.Json.Nodes;
using Affect.Search.Features.Codebooks;
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
/// time: the text vocabulary and the codebooks of the bag-of-words features. Stored beside the model.
/// </summary>
public sealed class FeatureSpace
{
    /// <summary>Creates a feature space.</summary>
    public FeatureSpace(Vocabulary vocabulary, IReadOnlyDictionary<string, Codebook> codebooks, FeatureSpaceOptions options)
    {
        Vocabulary = vocabulary;
        Codebooks = codebooks;
        Options = options;
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
            return new FeatureSpace(vocabulary, codebooks, options);
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
