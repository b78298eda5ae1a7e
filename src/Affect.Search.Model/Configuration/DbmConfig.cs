using System.Text.Json;
using System.Text.Json.Serialization;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Model.Configuration;

/// <summary>
/// The network topology and training hyper-parameters as data (spec section 2): any number of
/// modalities, each with one or more feature pathways (a stack of hidden layer sizes over a visible
/// layer). A modality with several features gets its own joint layer (the paper's visual joint
/// layer hV); all modalities meet in the joint layer whose mean-field value is the embedding.
/// </summary>
public sealed record DbmConfig
{
    /// <summary>Preset or model name.</summary>
    public string Name { get; init; } = "custom";
    /// <summary>Units in the joint layer hJ (the embedding size).</summary>
    public int JointSize { get; init; } = 64;
    /// <summary>The modalities, in a fixed order.</summary>
    public List<ModalityConfig> Modalities { get; init; } = new();
    /// <summary>Greedy layer-wise CD pretraining.</summary>
    public PretrainingConfig Pretraining { get; init; } = new();
    /// <summary>Joint PCD training.</summary>
    public JointTrainingConfig JointTraining { get; init; } = new();
    /// <summary>Mean-field iterations at inference (the paper uses 5).</summary>
    public int InferenceIterations { get; init; } = 5;
    /// <summary>Master seed of initialisation and training.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>
    /// Whether embeddings are standardised per dimension (divided by the standard deviation of the training
    /// items' embeddings from the same modality subset) after centring, before the cosine. Why: without it a
    /// few joint units with large spread decide every ranking, and the embeddings of one modality (visual)
    /// outweigh the others.
    /// </summary>
    // New settings are not written at their defaults, so that older configurations keep their JSON and identity.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool StandardiseEmbeddings { get; init; }
    /// <summary>
    /// Feature pathways of the original configuration that this model does not have, and why (e.g. the
    /// training data had no audio); null when none was left out. Recorded so that a model file says what
    /// it cannot embed.
    /// </summary>
    // Not written when null, so that a model trained on complete data keeps the configuration JSON, and
    // with it the identity, it had before pathways could be left out.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<LeftOutPathway>? LeftOut { get; init; }

    /// <summary>Every feature of every modality.</summary>
    [JsonIgnore]
    public IEnumerable<FeatureConfig> Features => Modalities.SelectMany(m => m.Features);

    /// <summary>Throws an <see cref="InvalidDataException"/> naming the first problem.</summary>
    public void Validate()
    {
        if (JointSize <= 0) throw new InvalidDataException($"config '{Name}': jointSize must be positive");
        if (Modalities.Count == 0) throw new InvalidDataException($"config '{Name}': no modalities");
        var modalityNames = new HashSet<string>(StringComparer.Ordinal);
        var featureNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in Modalities)
        {
            if (string.IsNullOrWhiteSpace(m.Name)) throw new InvalidDataException($"config '{Name}': a modality has no name");
            if (!modalityNames.Add(m.Name)) throw new InvalidDataException($"config '{Name}': modality '{m.Name}' is defined twice");
            if (m.Features.Count == 0) throw new InvalidDataException($"config '{Name}': modality '{m.Name}' has no features");
            if (m.Features.Count > 1 && m.JointSize is not > 0)
                throw new InvalidDataException($"config '{Name}': modality '{m.Name}' has {m.Features.Count} features and needs a positive jointSize for its own joint layer");
            foreach (var f in m.Features)
            {
                if (string.IsNullOrWhiteSpace(f.Name)) throw new InvalidDataException($"config '{Name}': a feature of '{m.Name}' has no name");
                if (!featureNames.Add(f.Name)) throw new InvalidDataException($"config '{Name}': feature '{f.Name}' is defined twice");
                if (f.Hidden.Count == 0) throw new InvalidDataException($"config '{Name}': feature '{f.Name}' needs at least one hidden layer");
                if (f.Hidden.Any(h => h <= 0)) throw new InvalidDataException($"config '{Name}': feature '{f.Name}' has a non-positive hidden size");
                if (f.InputSize < 0) throw new InvalidDataException($"config '{Name}': feature '{f.Name}' has a negative inputSize");
                if (f.Visible == UnitKind.ReplicatedSoftmax && !(f.DocumentLength > 0)) throw new InvalidDataException($"config '{Name}': feature '{f.Name}' needs a positive documentLength");
            }
        }
        if (InferenceIterations <= 0) throw new InvalidDataException($"config '{Name}': inferenceIterations must be positive");
        foreach (var left in LeftOut ?? [])
            if (featureNames.Contains(left.Feature))
                throw new InvalidDataException($"config '{Name}': feature '{left.Feature}' is both configured and listed as left out");
    }

    /// <summary>
    /// The config without the feature pathways named in <paramref name="features"/>, each recorded in
    /// <see cref="LeftOut"/> with <paramref name="reason"/>; a modality that loses all its features goes too
    /// (one that keeps a single feature connects it straight to the joint layer).
    /// </summary>
    /// <exception cref="InvalidDataException">no feature would remain.</exception>
    public DbmConfig WithoutFeatures(IReadOnlyCollection<string> features, string reason)
    {
        if (features.Count == 0) return this;
        var left = Modalities.SelectMany(m => m.Features.Where(f => features.Contains(f.Name)).Select(f => new LeftOutPathway(m.Name, f.Name, reason))).ToList();
        var kept = Modalities
            .Select(m => m with { Features = m.Features.Where(f => !features.Contains(f.Name)).ToList() })
            .Where(m => m.Features.Count > 0)
            .ToList();
        if (kept.Count == 0)
            throw new InvalidDataException($"config '{Name}': no feature pathway is left ({string.Join("; ", left.Select(l => $"{l.Feature}: {l.Reason}"))})");
        return this with { Modalities = kept, LeftOut = [.. LeftOut ?? [], .. left] };
    }

    /// <summary>The config with every feature's input size set from the data (features with inputSize 0 take it; others must match).</summary>
    public DbmConfig WithInputSizes(IReadOnlyDictionary<string, int> sizes) => this with
    {
        Modalities = Modalities.Select(m => m with
        {
            Features = m.Features.Select(f =>
            {
                if (!sizes.TryGetValue(f.Name, out var size)) return f;
                if (f.InputSize != 0 && f.InputSize != size)
                    throw new InvalidDataException($"config '{Name}': feature '{f.Name}' is configured with inputSize {f.InputSize} but the data has {size}");
                return f with { InputSize = size };
            }).ToList(),
        }).ToList(),
    };

    /// <summary>
    /// <see cref="LeftOut"/> as sentences, one per modality left out whole or per modality's left-out pathways,
    /// e.g. "left out the audio modality (pathway 'audio'): no training item has it".
    /// </summary>
    public IReadOnlyList<string> LeftOutNotes() => (LeftOut ?? [])
        .GroupBy(l => (l.Modality, l.Reason))
        .Select(g =>
        {
            var features = string.Join(", ", g.Select(l => $"'{l.Feature}'"));
            var plural = g.Count() > 1 ? "s" : "";
            return Modalities.Any(m => m.Name == g.Key.Modality)
                ? $"left out the {g.Key.Modality} pathway{plural} {features}: {g.Key.Reason}"
                : $"left out the {g.Key.Modality} modality (pathway{plural} {features}): {g.Key.Reason}";
        })
        .ToList();

    /// <summary>JSON options: camelCase, enums as kebab-case strings, comments allowed.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Parses and validates a config.</summary>
    public static DbmConfig FromJson(string json)
    {
        DbmConfig? config;
        try { config = JsonSerializer.Deserialize<DbmConfig>(json, JsonOptions); }
        catch (JsonException e) { throw new InvalidDataException($"model config is not valid JSON: {e.Message}", e); }
        if (config is null) throw new InvalidDataException("model config is empty");
        config.Validate();
        return config;
    }

    /// <summary>Serialises the config.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>A feature pathway of a configuration that a model was built without.</summary>
/// <param name="Modality">The modality it belonged to, e.g. "audio".</param>
/// <param name="Feature">The feature, e.g. "audio" or "hog".</param>
/// <param name="Reason">Why, e.g. "no training item has it".</param>
public sealed record LeftOutPathway(string Modality, string Feature, string Reason);

/// <summary>One modality: its feature pathways and, when it has several, the size of its joint layer.</summary>
public sealed record ModalityConfig
{
    /// <summary>Modality name, e.g. "visual", "audio", "text".</summary>
    public string Name { get; init; } = "";
    /// <summary>Size of the modality's own joint layer (needed with several features).</summary>
    public int? JointSize { get; init; }
    /// <summary>Feature pathways.</summary>
    public List<FeatureConfig> Features { get; init; } = new();
}

/// <summary>One feature pathway: a visible layer and a stack of binary hidden layers.</summary>
public sealed record FeatureConfig
{
    /// <summary>Feature name; the key of its input in a data set, e.g. "hog" or "text".</summary>
    public string Name { get; init; } = "";
    /// <summary>Visible unit type.</summary>
    public UnitKind Visible { get; init; } = UnitKind.Gaussian;
    /// <summary>Input dimension; 0 = taken from the training data.</summary>
    public int InputSize { get; init; }
    /// <summary>Hidden layer sizes, bottom-up.</summary>
    public List<int> Hidden { get; init; } = new();
    /// <summary>
    /// Names of source features concatenated into this visible layer (the paper's MDBM baseline joins
    /// all visual features into one pathway); empty = the feature's own name.
    /// </summary>
    public List<string> Features { get; init; } = new();
    /// <summary>Document length M for Replicated Softmax.</summary>
    public float DocumentLength { get; init; } = ReplicatedSoftmaxLayer.DefaultDocumentLength;

    /// <summary>The source feature names this visible layer reads: <see cref="Features"/>, or its own name.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Sources => Features.Count > 0 ? Features : new[] { Name };
}

/// <summary>Greedy pretraining hyper-parameters (CD-k per RBM).</summary>
public sealed record PretrainingConfig
{
    /// <summary>Epochs per RBM.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>CD steps.</summary>
    public int CdSteps { get; init; } = 1;
    /// <summary>Learning rate of RBMs with binary or word-count visibles.</summary>
    public float LearningRate { get; init; } = 0.05f;
    /// <summary>Learning rate of RBMs with Gaussian visibles (about 10x smaller, spec section 1).</summary>
    public float GaussianLearningRate { get; init; } = 0.005f;
    /// <summary>
    /// Learning rate of RBMs with Replicated Softmax (word count) visibles; null = <see cref="LearningRate"/>.
    /// Why its own: the word-count RBM's inputs are scaled by the document length, and at the binary layers'
    /// rate its hidden units saturate (the text pathway then carries almost nothing).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float? ReplicatedSoftmaxLearningRate { get; init; }
    /// <summary>
    /// Whether a layer that joins several pathways (a modality's joint layer, the joint layer) is pretrained
    /// only on items that have at least two of them, as deepnet pretrains its joint RBM on image+text pairs;
    /// items with one pathway are still represented above it. Falls back to every item when fewer than one
    /// minibatch of such items exist.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool JoinOnPairs { get; init; }
    /// <summary>Learning-rate decay per epoch.</summary>
    public float LearningRateDecay { get; init; } = 0.1f;
    /// <summary>Initial momentum.</summary>
    public float InitialMomentum { get; init; } = 0.5f;
    /// <summary>Final momentum.</summary>
    public float FinalMomentum { get; init; } = 0.9f;
    /// <summary>L2 weight decay.</summary>
    public float WeightDecay { get; init; } = 0.0002f;
    /// <summary>Train independent pathways at the same height in parallel.</summary>
    public bool Parallel { get; init; } = true;

    /// <summary>The CD options for an RBM whose visible layer is of <paramref name="visible"/> kind.</summary>
    public ContrastiveDivergenceOptions ForVisible(UnitKind visible, ulong seed) => new()
    {
        Epochs = Epochs,
        BatchSize = BatchSize,
        GibbsSteps = CdSteps,
        LearningRate = visible switch
        {
            UnitKind.Gaussian => GaussianLearningRate,
            UnitKind.ReplicatedSoftmax => ReplicatedSoftmaxLearningRate ?? LearningRate,
            _ => LearningRate,
        },
        LearningRateDecay = LearningRateDecay,
        InitialMomentum = InitialMomentum,
        FinalMomentum = FinalMomentum,
        MomentumSwitchEpoch = Math.Max(1, Epochs / 2),
        WeightDecay = WeightDecay,
        Seed = seed,
    };
}

/// <summary>Joint PCD training hyper-parameters.</summary>
public sealed record JointTrainingConfig
{
    /// <summary>Epochs of PCD over the training items (0 = pretraining only).</summary>
    public int Epochs { get; init; } = 5;
    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Persistent chains (fantasy particles).</summary>
    public int Chains { get; init; } = 100;
    /// <summary>Gibbs sweeps of the chains after every update.</summary>
    public int GibbsSweeps { get; init; } = 1;
    /// <summary>Mean-field iterations of the positive phase.</summary>
    public int MeanFieldIterations { get; init; } = 5;
    /// <summary>Learning rate.</summary>
    public float LearningRate { get; init; } = 0.002f;
    /// <summary>Learning-rate decay per epoch.</summary>
    public float LearningRateDecay { get; init; } = 0.2f;
    /// <summary>Momentum.</summary>
    public float Momentum { get; init; } = 0.5f;
    /// <summary>L2 weight decay.</summary>
    public float WeightDecay { get; init; } = 0.0002f;
    /// <summary>Multiplier on the learning rate of the weights and biases of Gaussian visible layers.</summary>
    public float GaussianLearningRateScale { get; init; } = 0.1f;
}
