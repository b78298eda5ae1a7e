using Affect.Search.Compute;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;

namespace Affect.Search.Model.Training;

/// <summary>Options of a whole training run that are not part of the model's configuration.</summary>
public sealed record TrainingOptions
{
    /// <summary>Share of the items held out for the free-energy and reconstruction gaps.</summary>
    public double HeldOutFraction { get; init; } = 0.1;
    /// <summary>Cap on held-out items.</summary>
    public int MaxHeldOut { get; init; } = 1000;
}

/// <summary>
/// The whole unsupervised training of a <see cref="MultimodalDbm"/> (spec section 3): input sizes from
/// the data, Gaussian standardisation fitted on the training items, a seeded held-out split, greedy
/// CD pretraining, then joint PCD.
/// </summary>
public static class DbmTrainer
{
    /// <summary>Trains a new model on <paramref name="data"/>; events (serialised) report progress.</summary>
    public static MultimodalDbm Train(IComputeBackend backend, DbmConfig config, MultimodalDataset data,
        TrainingOptions? options = null, Action<TrainingEvent>? onEvent = null, CancellationToken cancellation = default)
    {
        options ??= new TrainingOptions();
        if (data.Count == 0) throw new ArgumentException("no training items");
        var gate = new object();
        void Report(TrainingEvent e) { if (onEvent is not null) lock (gate) onEvent(e); }

        config = WithPathwaysOf(config, data);
        foreach (var note in config.LeftOutNotes())
            Report(new TrainingEvent("info", "dbm", 0, 0, new Dictionary<string, double>(), note));
        if (config.Modalities.Count == 1)
            Report(new TrainingEvent("info", "dbm", 0, 0, new Dictionary<string, double>(),
                $"only the {config.Modalities[0].Name} modality is trained: the model embeds {config.Modalities[0].Name} alone and cannot search across modalities"));
        var sizes = new Dictionary<string, int>();
        foreach (var f in config.Features) sizes[f.Name] = f.Sources.Sum(s => data.Features[s].Dimension);
        var dbm = MultimodalDbm.Create(backend, config.WithInputSizes(sizes));
        try
        {
            var random = new RandomStream(config.Seed ^ 0x5EEDUL);
            var order = random.Permutation(data.Count);
            int held = data.Count < 10 ? 0 : Math.Min(options.MaxHeldOut, (int)(data.Count * options.HeldOutFraction));
            var trainSet = data.Select(order.AsSpan(held));
            var heldSet = held > 0 ? data.Select(order.AsSpan(0, held)) : null;
            dbm.FitStandardisation(trainSet);
            var train = dbm.Prepare(trainSet);
            var heldOut = heldSet is null ? null : dbm.Prepare(heldSet);
            Report(new TrainingEvent("info", "dbm", 0, 0, new Dictionary<string, double>
            {
                ["trainItems"] = trainSet.Count,
                ["heldOutItems"] = held,
                ["parameters"] = dbm.ParameterCount,
            }, $"training '{config.Name}' on {backend.Name}"));
            new GreedyPretrainer(dbm, config.Pretraining).Pretrain(train, heldOut, Report, cancellation);
            if (config.JointTraining.Epochs > 0)
            {
                using var pcd = new PersistentContrastiveDivergence(dbm, config.JointTraining, config.Seed ^ 0x9CDUL);
                pcd.Train(train, heldOut, Report, cancellation);
            }
            ReportActivity(dbm, trainSet, Report);
            return dbm;
        }
        catch
        {
            dbm.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One "activity" event per hidden layer of the trained model (<see cref="LayerActivity"/>), and a "warning"
    /// event for each nearly dead layer, naming the setting most likely to blame.
    /// </summary>
    private static void ReportActivity(MultimodalDbm dbm, MultimodalDataset trainSet, Action<TrainingEvent> report)
    {
        foreach (var f in LayerActivity.Measure(dbm, trainSet))
        {
            report(new TrainingEvent("activity", f.Layer, 0, 0, f.Metrics));
            if (!f.IsDead) continue;
            var node = dbm.Node(f.Layer);
            var hint = dbm.Config.Features.FirstOrDefault(c => c.Name == node.Feature)?.Visible == Layers.UnitKind.ReplicatedSoftmax
                ? "lower pretraining.replicatedSoftmaxLearningRate"
                : "lower its learning rate or widen the layers below";
            report(new TrainingEvent("warning", f.Layer, 0, 0, f.Metrics,
                $"layer '{f.Layer}' is nearly dead: its values hardly vary over the {f.Items} items that reach it (spread {f.Spread:F3}, {f.Saturation:P0} of activations saturated), so what lies below it barely reaches the joint layer; {hint}"));
        }
    }

    /// <summary>
    /// The configuration reduced to the feature pathways <paramref name="data"/> can train: a pathway none of
    /// whose items has all its source features (e.g. audio in a corpus of image+text pairs) is left out and
    /// recorded in <see cref="DbmConfig.LeftOut"/> (spec section 3.4: train on whatever subset of modalities
    /// the corpus has).
    /// </summary>
    /// <exception cref="InvalidDataException">the data has none of the configured features.</exception>
    public static DbmConfig WithPathwaysOf(DbmConfig config, MultimodalDataset data)
    {
        var absent = config.Features.Where(f => !Trainable(f, data)).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (absent.Count == config.Features.Count())
            throw new InvalidDataException($"config '{config.Name}': no training item has any of its features "
                + $"({string.Join(", ", config.Features.SelectMany(f => f.Sources).Distinct())}); the data has {(data.Features.Count == 0 ? "none" : string.Join(", ", data.Features.Keys.Order(StringComparer.Ordinal)))}");
        return config.WithoutFeatures(absent, "no training item has it");
    }

    private static bool Trainable(FeatureConfig feature, MultimodalDataset data)
    {
        if (!feature.Sources.All(data.Features.ContainsKey)) return false;
        for (int r = 0; r < data.Count; r++)
            if (feature.Sources.All(s => data.IsPresent(s, r))) return true;
        return false;
    }
}
