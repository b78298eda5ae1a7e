using Affect.Search.Compute;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Model.Training;

/// <summary>
/// Greedy layer-wise CD pretraining of every layer of the DBM, bottom-up (spec section 3.1). Each
/// hidden layer is the hidden side of one RBM whose visible side is its children (concatenated when
/// several pathways meet). The DBM doubling correction: a layer that will also get input from above
/// is trained with its bottom-up input doubled, and a layer whose children also get input from below
/// (i.e. are hidden) is trained with its top-down input doubled. Layers at the same height belong to
/// independent pathways and train in parallel.
/// </summary>
public sealed class GreedyPretrainer
{
    private readonly MultimodalDbm _dbm;
    private readonly PretrainingConfig _config;
    private readonly IComputeBackend _backend;

    /// <summary>Pretraining of <paramref name="dbm"/>.</summary>
    public GreedyPretrainer(MultimodalDbm dbm, PretrainingConfig config)
    {
        _dbm = dbm;
        _config = config;
        _backend = dbm.Backend;
    }

    /// <summary>Pretrains every hidden layer; events report each RBM epoch.</summary>
    public void Pretrain(PreparedInputs train, PreparedInputs? heldOut, Action<TrainingEvent> onEvent, CancellationToken cancellation = default)
    {
        var trainReps = new Dictionary<DbmNode, Representation>();
        var heldReps = new Dictionary<DbmNode, Representation>();
        foreach (var v in _dbm.Visibles)
        {
            trainReps[v] = new Representation(train[v].Data, train[v].Present);
            if (heldOut is not null) heldReps[v] = new Representation(heldOut[v].Data, heldOut[v].Present);
        }
        foreach (var level in _dbm.Hiddens.GroupBy(n => n.Height).OrderBy(g => g.Key))
        {
            var nodes = level.ToList();
            var results = new Representation[nodes.Count][];
            void TrainOne(int i)
            {
                var node = nodes[i];
                results[i] = TrainNode(node, trainReps, heldOut is null ? null : heldReps, onEvent, cancellation);
            }
            if (_config.Parallel && nodes.Count > 1)
                Parallel.For(0, nodes.Count, new ParallelOptions { CancellationToken = cancellation }, TrainOne);
            else
                for (int i = 0; i < nodes.Count; i++) TrainOne(i);
            for (int i = 0; i < nodes.Count; i++)
            {
                trainReps[nodes[i]] = results[i][0];
                if (heldOut is not null) heldReps[nodes[i]] = results[i][1];
            }
        }
    }

    private Representation[] TrainNode(DbmNode node, Dictionary<DbmNode, Representation> trainReps,
        Dictionary<DbmNode, Representation>? heldReps, Action<TrainingEvent> onEvent, CancellationToken cancellation)
    {
        var (trainInput, trainRows) = InputOf(node, trainReps);
        var held = heldReps is null ? default : InputOf(node, heldReps);
        bool leafChild = node.Children is [{ IsVisible: true }];
        var visibleLayer = leafChild ? node.Children[0].Units : new BernoulliLayer(node.Children.Sum(c => c.Size));
        // Seed from the layer's position, not from scheduling order, so parallel training is deterministic.
        ulong seed = RandomStream.Mix(_dbm.Config.Seed * 7919UL + (ulong)node.Index);
        using var rbm = new RestrictedBoltzmannMachine(_backend, visibleLayer, node.Size, new RandomStream(seed))
        {
            UpFactor = node.Parent is null ? 1f : 2f,
            DownFactor = leafChild ? 1f : 2f,
        };
        var options = _config.ForVisible(visibleLayer.Kind, seed + 1);
        var fitInput = trainInput;
        var fitHeld = held.Data;
        if (_config.JoinOnPairs && node.Children.Count > 1 && trainInput is not null)
        {
            var pairs = WithSeveralPathways(node, trainReps, trainRows);
            if (pairs.Length >= _config.BatchSize)
            {
                fitInput = trainInput.Select(pairs);
                if (held.Data is not null) fitHeld = held.Data.Select(WithSeveralPathways(node, heldReps!, held.Rows));
                onEvent(new TrainingEvent("info", node.Name, 0, options.Epochs, new Dictionary<string, double> { ["items"] = pairs.Length },
                    $"layer '{node.Name}' is pretrained on the {pairs.Length} of {trainRows.Length} items that have at least two of its pathways"));
            }
        }
        if (trainInput is null || trainInput.Count == 0)
        {
            onEvent(new TrainingEvent("info", node.Name, 0, options.Epochs, new Dictionary<string, double>(),
                $"no training item has data below layer '{node.Name}': it keeps its random initialisation"));
        }
        else
        {
            using var trainer = new ContrastiveDivergenceTrainer(rbm, options);
            trainer.Train(fitInput!, fitHeld is { Count: > 0 } ? fitHeld : null, m => onEvent(new TrainingEvent("pretrain", node.Name, m.Epoch + 1, options.Epochs,
                new Dictionary<string, double>
                {
                    ["reconstructionError"] = m.ReconstructionError,
                    ["freeEnergyTrain"] = m.FreeEnergyTrain,
                    ["freeEnergyHeldOut"] = m.FreeEnergyHeldOut,
                    ["freeEnergyGap"] = m.FreeEnergyGap,
                    ["learningRate"] = m.LearningRate,
                    ["seconds"] = m.Seconds,
                })), cancellation);
            CopyInto(node, rbm, leafChild);
        }
        var trainRep = Represent(rbm, trainInput, trainRows, trainReps[node.Children[0]].Present.Length);
        var heldRep = heldReps is null ? null! : Represent(rbm, held.Data, held.Rows, heldReps[node.Children[0]].Present.Length);
        return new[] { trainRep, heldRep };
    }

    /// <summary>
    /// The RBM's visible data for a layer: the feature's observed rows for a first hidden layer; otherwise
    /// the children's representations side by side, for items that have data below at least one child.
    /// A child without data for an item contributes its mean representation over the items that have it.
    /// </summary>
    private static (VisibleData? Data, int[] Rows) InputOf(DbmNode node, Dictionary<DbmNode, Representation> reps)
    {
        if (node.Children is [{ IsVisible: true } leaf])
        {
            var r = reps[leaf];
            var rows = Enumerable.Range(0, r.Present.Length).Where(i => r.Present[i]).ToArray();
            return (r.Data?.Select(rows), rows);
        }
        var children = node.Children.Select(c => reps[c]).ToList();
        int count = children[0].Present.Length;
        var used = Enumerable.Range(0, count).Where(i => children.Any(c => c.Present[i])).ToArray();
        int width = node.Children.Sum(c => c.Size);
        var values = new float[(long)used.Length * width];
        int offset = 0;
        for (int k = 0; k < children.Count; k++)
        {
            var child = (DenseVisibleData?)children[k].Data;
            int size = node.Children[k].Size;
            var mean = child is null ? new float[size] : MeanOfPresent(child, children[k].Present);
            for (int i = 0; i < used.Length; i++)
            {
                var source = child is not null && children[k].Present[used[i]] ? child.Row(used[i]) : mean;
                source.CopyTo(values.AsSpan(i * width + offset, size));
            }
            offset += size;
        }
        return (new DenseVisibleData(values, used.Length, width), used);
    }

    /// <summary>Positions in <paramref name="rows"/> of the items that have data below at least two of the node's children.</summary>
    private static int[] WithSeveralPathways(DbmNode node, Dictionary<DbmNode, Representation> reps, int[] rows)
        => Enumerable.Range(0, rows.Length).Where(i => node.Children.Count(c => reps[c].Present[rows[i]]) >= 2).ToArray();

    private static float[] MeanOfPresent(DenseVisibleData data, bool[] present)
    {
        var mean = new float[data.Dimension];
        int n = 0;
        for (int r = 0; r < data.Count; r++)
        {
            if (!present[r]) continue;
            var row = data.Row(r);
            for (int i = 0; i < mean.Length; i++) mean[i] += row[i];
            n++;
        }
        if (n > 0) for (int i = 0; i < mean.Length; i++) mean[i] /= n;
        return mean;
    }

    /// <summary>Moves the RBM's parameters into the DBM: weights split by child, the hidden bias, and a leaf's visible bias.</summary>
    private void CopyInto(DbmNode node, RestrictedBoltzmannMachine rbm, bool leafChild)
    {
        var w = rbm.Weights.ToArray();
        int row = 0;
        foreach (var child in node.Children)
        {
            _backend.Upload(w.AsSpan(row * node.Size, child.Size * node.Size), child.Weights!);
            row += child.Size;
        }
        _backend.Copy(rbm.HiddenBias, node.Bias);
        if (leafChild) _backend.Copy(rbm.VisibleBias, node.Children[0].Bias);
    }

    /// <summary>The layer's bottom-up mean activations (with the up factor) for every item; zeros where it has no data.</summary>
    private Representation Represent(RestrictedBoltzmannMachine rbm, VisibleData? input, int[] rows, int count)
    {
        var present = new bool[count];
        var values = new float[(long)count * rbm.Hidden.Size];
        if (input is null) return new Representation(new DenseVisibleData(values, count, rbm.Hidden.Size), present);
        const int batchSize = 512;
        for (int start = 0; start < rows.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, rows.Length - start);
            using var batch = input.Gather(_backend, Enumerable.Range(start, n).ToArray());
            using var hidden = _backend.Allocate(n, rbm.Hidden.Size);
            rbm.HiddenMeans(batch, hidden);
            var h = hidden.ToArray();
            for (int i = 0; i < n; i++)
            {
                int item = rows[start + i];
                present[item] = true;
                h.AsSpan(i * rbm.Hidden.Size, rbm.Hidden.Size).CopyTo(values.AsSpan(item * rbm.Hidden.Size, rbm.Hidden.Size));
            }
        }
        return new Representation(new DenseVisibleData(values, count, rbm.Hidden.Size), present);
    }

    private sealed record Representation(VisibleData? Data, bool[] Present);
}
