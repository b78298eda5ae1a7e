using System.Text.Json;
using Affect.Search.Model.Data;

namespace Affect.Search.Engine.Embedding;

/// <summary>
/// The mean joint representation of the training items for each subset of modalities it was computed
/// from (T, V, A, TV, TA, VA, TVA), subtracted before cosine ranking.
/// <para>Why: the joint layer's sigmoid activations share a large common part, and that part differs with
/// the modalities an embedding was inferred from (the "modality gap"), so raw cosines of a text-only query
/// against visual-only references are all close to 1 and rank by the common part. Centring each embedding
/// by the mean of its own modality subset removes both. On the end-to-end test corpus it lifts text-to-visual
/// precision@5 from chance (0.33) to 1.00, with no labels involved.</para>
/// </summary>
public sealed class EmbeddingCentres
{
    /// <summary>The file inside a model folder.</summary>
    public const string FileName = "centres.json";

    private const string FormatName = "affect-search-embedding-centres";

    private readonly Dictionary<string, float[]> _centres;

    /// <summary>Centres by modality letters (in T, V, A order).</summary>
    public EmbeddingCentres(IReadOnlyDictionary<string, float[]> centres)
    {
        _centres = new Dictionary<string, float[]>(centres, StringComparer.Ordinal);
        int[] sizes = _centres.Values.Select(c => c.Length).Distinct().ToArray();
        if (sizes.Length > 1) throw new ArgumentException("centres of different sizes");
    }

    /// <summary>Centres by modality letters.</summary>
    public IReadOnlyDictionary<string, float[]> Centres => _centres;

    /// <summary>The centre for embeddings computed from <paramref name="modalities"/> (letters), or null when none was learned.</summary>
    public float[]? For(string modalities) => _centres.GetValueOrDefault(modalities);

    /// <summary>
    /// Learns the centres from training data: for each subset S of the model's modalities, the mean raw
    /// embedding computed from S alone over the items that have all of S (or, when none has, any of S).
    /// </summary>
    public static EmbeddingCentres Learn(JointEmbedder embedder, MultimodalDataset training)
    {
        var letters = embedder.Letters;
        var modalities = Enumerable.Range(0, training.Count).Select(r => embedder.ModalitiesOf(training, r)).ToArray();
        var centres = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int mask = 1; mask < 1 << letters.Length; mask++)
        {
            var subset = new string(letters.Where((_, i) => (mask & (1 << i)) != 0).ToArray());
            var rows = Enumerable.Range(0, training.Count).Where(r => subset.All(modalities[r].Contains)).ToArray();
            if (rows.Length == 0) rows = Enumerable.Range(0, training.Count).Where(r => subset.Any(modalities[r].Contains)).ToArray();
            if (rows.Length == 0) continue;
            var joint = embedder.EmbedRaw(training.Select(rows), subset.Length == letters.Length ? "full" : subset);
            var mean = new double[embedder.Dimension];
            for (int i = 0; i < rows.Length; i++)
                for (int j = 0; j < mean.Length; j++) mean[j] += joint[i * mean.Length + j];
            centres[subset] = mean.Select(m => (float)(m / rows.Length)).ToArray();
        }
        return new EmbeddingCentres(centres);
    }

    /// <summary>Writes the centres as JSON.</summary>
    public void Save(string path)
    {
        var json = JsonSerializer.Serialize(new { format = FormatName, version = 1, centres = _centres });
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            file.Write(System.Text.Encoding.UTF8.GetBytes(json));
            file.Flush(flushToDisk: true); // the data before the rename that publishes it
        }
        File.Move(temporary, path, overwrite: true);
        Affect.Search.Durability.DirectorySync.FlushParentOf(path);
    }

    /// <summary>Reads centres written by <see cref="Save"/>.</summary>
    public static EmbeddingCentres Load(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (!doc.RootElement.TryGetProperty("format", out var format) || format.GetString() != FormatName)
                throw new InvalidDataException($"{path}: not an embedding centres file");
            var centres = doc.RootElement.GetProperty("centres").Deserialize<Dictionary<string, float[]>>()!;
            return new EmbeddingCentres(centres);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: unreadable embedding centres ({e.Message})");
        }
    }
}
