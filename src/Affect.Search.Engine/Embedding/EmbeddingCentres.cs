using System.Text.Json;
using Affect.Search.Model.Data;

namespace Affect.Search.Engine.Embedding;

/// <summary>
/// The mean joint representation of the training items for each subset of modalities it was computed
/// from (T, V, A, TV, TA, VA, TVA), subtracted before cosine ranking, and optionally the per-dimension
/// standard deviations that centred embeddings are divided by.
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
    private readonly Dictionary<string, float[]> _scales;

    /// <summary>
    /// Centres by modality letters (in T, V, A order) and, optionally, per-dimension scales (standard
    /// deviations) by the same keys, by which centred embeddings are divided.
    /// </summary>
    public EmbeddingCentres(IReadOnlyDictionary<string, float[]> centres, IReadOnlyDictionary<string, float[]>? scales = null)
    {
        _centres = new Dictionary<string, float[]>(centres, StringComparer.Ordinal);
        _scales = new Dictionary<string, float[]>(scales ?? new Dictionary<string, float[]>(), StringComparer.Ordinal);
        int[] sizes = _centres.Values.Concat(_scales.Values).Select(c => c.Length).Distinct().ToArray();
        if (sizes.Length > 1) throw new ArgumentException("centres or scales of different sizes");
        if (_scales.Values.Any(s => s.Any(x => !(x > 0) || !float.IsFinite(x)))) throw new ArgumentException("a scale is not a positive number");
    }

    /// <summary>Centres by modality letters.</summary>
    public IReadOnlyDictionary<string, float[]> Centres => _centres;

    /// <summary>Per-dimension scales by modality letters; empty when embeddings are only centred.</summary>
    public IReadOnlyDictionary<string, float[]> Scales => _scales;

    /// <summary>The centre for embeddings computed from <paramref name="modalities"/> (letters), or null when none was learned.</summary>
    public float[]? For(string modalities) => _centres.GetValueOrDefault(modalities);

    /// <summary>The per-dimension scale for embeddings computed from <paramref name="modalities"/>, or null when they are not standardised.</summary>
    public float[]? ScaleFor(string modalities) => _scales.GetValueOrDefault(modalities);

    /// <summary>
    /// Learns the centres from training data: for each subset S of the model's modalities, the mean raw
    /// embedding computed from S alone over the items that have all of S (or, when none has, any of S); and,
    /// when the model's configuration asks to standardise embeddings, the standard deviation of each dimension
    /// over the same items, floored at a tenth of the mean deviation so that near-constant units are not
    /// blown up into noise.
    /// </summary>
    public static EmbeddingCentres Learn(JointEmbedder embedder, MultimodalDataset training)
    {
        var scales = new Dictionary<string, float[]>(StringComparer.Ordinal);
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
            if (embedder.Model.Config.StandardiseEmbeddings) scales[subset] = Deviations(joint, rows.Length, mean.Length, centres[subset]);
        }
        return new EmbeddingCentres(centres, scales);
    }

    private static float[] Deviations(float[] joint, int rows, int dimension, float[] centre)
    {
        var squares = new double[dimension];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < dimension; j++)
            {
                double d = joint[i * dimension + j] - centre[j];
                squares[j] += d * d;
            }
        var sd = squares.Select(q => Math.Sqrt(q / rows)).ToArray();
        double floor = Math.Max(0.1 * sd.Average(), 1e-6);
        return sd.Select(x => (float)Math.Max(x, floor)).ToArray();
    }

    /// <summary>Writes the centres as JSON.</summary>
    public void Save(string path)
    {
        // Scales are written only when there are any, so that a centring-only file stays as it was.
        var json = _scales.Count == 0
            ? JsonSerializer.Serialize(new { format = FormatName, version = 1, centres = _centres })
            : JsonSerializer.Serialize(new { format = FormatName, version = 1, centres = _centres, scales = _scales });
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
            var scales = doc.RootElement.TryGetProperty("scales", out var s) ? s.Deserialize<Dictionary<string, float[]>>() : null;
            return new EmbeddingCentres(centres, scales);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: unreadable embedding centres ({e.Message})");
        }
    }
}
