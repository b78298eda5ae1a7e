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

        var sizes = new Dictionary<string, int>();
        foreach (var f in config.Features)
        {
            if (f.Sources.All(data.Features.ContainsKey)) sizes[f.Name] = f.Sources.Sum(s => data.Features[s].Dimension);
        }
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
            return dbm;
        }
        catch
        {
            dbm.Dispose();
            throw;
        }
    }
}
