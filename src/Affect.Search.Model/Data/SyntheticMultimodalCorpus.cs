using Affect.Search.Compute;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Data;

/// <summary>Settings of <see cref="SyntheticMultimodalCorpus"/>.</summary>
public sealed record SyntheticCorpusOptions
{
    /// <summary>Number of items.</summary>
    public int Items { get; init; } = 1000;
    /// <summary>Number of latent classes.</summary>
    public int Classes { get; init; } = 6;
    /// <summary>Dimension of each real-valued feature (when the config leaves it open).</summary>
    public int GaussianDimension { get; init; } = 24;
    /// <summary>Per-dimension noise around the class prototype (prototypes are N(0, 1)).</summary>
    public float Noise { get; init; } = 0.8f;
    /// <summary>Vocabulary size of word-count features (when the config leaves it open).</summary>
    public int Vocabulary { get; init; } = 60;
    /// <summary>Words reserved for each class; the rest are shared filler.</summary>
    public int WordsPerClass { get; init; } = 6;
    /// <summary>Probability that a word of a document is one of its class's words.</summary>
    public double ClassWordShare { get; init; } = 0.8;
    /// <summary>Words per document: uniform in [min, max].</summary>
    public (int Min, int Max) DocumentLength { get; init; } = (4, 10);
    /// <summary>Probability that an item lacks a modality (every item keeps at least one).</summary>
    public double MissingRate { get; init; }
    /// <summary>Seed.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// A seeded generator of items whose latent class drives every modality of a configuration: each
/// real-valued feature is a class prototype plus noise, each word-count feature a document drawn mostly
/// from the class's own words. It has planted cross-modal structure, for tests and demonstrations.
/// </summary>
public sealed class SyntheticMultimodalCorpus
{
    private SyntheticMultimodalCorpus(MultimodalDataset data, int[] classes, IReadOnlyList<int[]> classWords)
    {
        Data = data;
        Classes = classes;
        ClassWords = classWords;
    }

    /// <summary>The items' features, keyed by the config's source feature names.</summary>
    public MultimodalDataset Data { get; }
    /// <summary>Each item's latent class.</summary>
    public int[] Classes { get; }
    /// <summary>Word indices reserved for each class.</summary>
    public IReadOnlyList<int[]> ClassWords { get; }

    /// <summary>Generates a corpus with data for every feature of <paramref name="config"/>.</summary>
    public static SyntheticMultimodalCorpus Generate(DbmConfig config, SyntheticCorpusOptions options)
    {
        if (options.Classes * options.WordsPerClass > options.Vocabulary)
            throw new ArgumentException("vocabulary too small for the class words");
        // Separate streams for classes, presence and features: the same seed gives the same classes and
        // class prototypes whatever the missing rate, so a complete copy of a corpus can be regenerated.
        var root = new RandomStream(options.Seed);
        var classRandom = root.Fork();
        var presenceRandom = root.Fork();
        var random = root.Fork();
        int n = options.Items;
        var classes = new int[n];
        for (int i = 0; i < n; i++) classes[i] = classRandom.NextInt(options.Classes);

        var modalityPresent = config.Modalities.ToDictionary(m => m.Name, _ => new bool[n]);
        var names = config.Modalities.Select(m => m.Name).ToArray();
        for (int i = 0; i < n; i++)
        {
            foreach (var m in names) modalityPresent[m][i] = presenceRandom.NextDouble() >= options.MissingRate;
            if (!names.Any(m => modalityPresent[m][i])) modalityPresent[names[presenceRandom.NextInt(names.Length)]][i] = true;
        }

        var classWords = Enumerable.Range(0, options.Classes)
            .Select(c => Enumerable.Range(c * options.WordsPerClass, options.WordsPerClass).ToArray()).ToList();
        var features = new Dictionary<string, VisibleData>();
        var present = new Dictionary<string, bool[]>();
        foreach (var m in config.Modalities)
        {
            foreach (var f in m.Features)
            {
                foreach (var source in f.Sources)
                {
                    features[source] = f.Visible == UnitKind.ReplicatedSoftmax
                        ? Documents(classes, classWords, f.Features.Count > 0 || f.InputSize == 0 ? options.Vocabulary : f.InputSize, options, random)
                        : Gaussian(classes, f.Features.Count > 0 || f.InputSize == 0 ? options.GaussianDimension : f.InputSize, options, random);
                    present[source] = modalityPresent[m.Name];
                }
            }
        }
        return new SyntheticMultimodalCorpus(new MultimodalDataset(n, features, present), classes, classWords);
    }

    private static DenseVisibleData Gaussian(int[] classes, int dim, SyntheticCorpusOptions o, RandomStream random)
    {
        var prototypes = new float[o.Classes * dim];
        random.FillNormal(prototypes, 1f);
        var noise = new float[classes.Length * dim];
        random.FillNormal(noise, o.Noise);
        var values = new float[classes.Length * dim];
        for (int i = 0; i < classes.Length; i++)
            for (int d = 0; d < dim; d++) values[i * dim + d] = prototypes[classes[i] * dim + d] + noise[i * dim + d];
        return new DenseVisibleData(values, classes.Length, dim);
    }

    private static SparseVisibleData Documents(int[] classes, IReadOnlyList<int[]> classWords, int vocabulary, SyntheticCorpusOptions o, RandomStream random)
    {
        int shared = vocabulary - o.Classes * o.WordsPerClass;
        var rows = new List<IReadOnlyList<(int, float)>>();
        foreach (var c in classes)
        {
            var counts = new SortedDictionary<int, float>();
            int length = o.DocumentLength.Min + random.NextInt(o.DocumentLength.Max - o.DocumentLength.Min + 1);
            for (int w = 0; w < length; w++)
            {
                int word = random.NextDouble() < o.ClassWordShare || shared == 0
                    ? classWords[c][random.NextInt(classWords[c].Length)]
                    : o.Classes * o.WordsPerClass + random.NextInt(shared);
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
            rows.Add(counts.Select(kv => (kv.Key, kv.Value)).ToList());
        }
        return new SparseVisibleData(CsrMatrix.FromRows(vocabulary, rows));
    }
}
