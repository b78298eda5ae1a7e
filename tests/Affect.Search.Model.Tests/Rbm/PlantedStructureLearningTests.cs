using System.Diagnostics;
using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;
using Xunit.Abstractions;

namespace Affect.Search.Model.Tests.Rbm;

/// <summary>CD training recovers planted structure, measured with exact or grid-exact likelihoods.</summary>
public sealed class PlantedStructureLearningTests(ITestOutputHelper output) : IDisposable
{
    private readonly CpuBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    /// <summary>The 30 distinct 4 x 4 bars-and-stripes patterns.</summary>
    public static List<float[]> BarsAndStripes()
    {
        var set = new List<float[]>();
        for (int mask = 0; mask < 16; mask++)
        {
            var rowsOn = new float[16];
            var colsOn = new float[16];
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 4; c++)
                {
                    rowsOn[r * 4 + c] = (mask >> r & 1) != 0 ? 1 : 0;
                    colsOn[r * 4 + c] = (mask >> c & 1) != 0 ? 1 : 0;
                }
            foreach (var p in new[] { rowsOn, colsOn })
                if (!set.Any(q => q.SequenceEqual(p))) set.Add(p);
        }
        return set;
    }

    [Fact]
    public void BarsAndStripes_HasThirtyDistinctPatterns() => Assert.Equal(30, BarsAndStripes().Count);

    /// <summary>
    /// 30 patterns x 20 copies, 16 hidden units, CD-1 with sampled visibles and a little weight decay
    /// (without it CD-1 is known to diverge on bars-and-stripes: Fischer and Igel 2010; measured here
    /// the log-likelihood peaks near -6 and falls back to about -8.5 as the weights grow).
    /// Measured per pattern: -11.09 -> -5.20 / -4.50 / -4.19 for seeds 1 / 2 / 3 (optimum log(1/30) = -3.40).
    /// </summary>
    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    [InlineData(3ul)]
    public void BarsAndStripes_Cd1_ImprovesExactLogLikelihoodByALargeMargin(ulong seed)
    {
        var patterns = BarsAndStripes();
        var distinct = new DenseVisibleData(patterns.SelectMany(p => p).ToArray(), patterns.Count, 16);
        const int copies = 20;
        var train = new DenseVisibleData(Enumerable.Range(0, copies).SelectMany(_ => patterns).SelectMany(p => p).ToArray(), copies * patterns.Count, 16);
        using var rbm = new RestrictedBoltzmannMachine(_backend, new BernoulliLayer(16), 16, new RandomStream(seed));
        double before = ExactRbm.MeanLogLikelihoodByFreeEnergy(_backend, rbm, distinct);
        var clock = Stopwatch.StartNew();
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions
        {
            Epochs = 400, BatchSize = 10, LearningRate = 0.05f, LearningRateDecay = 0f, WeightDecay = 0.0001f, SampleVisibles = true, Seed = seed,
        });
        var metrics = trainer.Train(train);
        double after = ExactRbm.MeanLogLikelihoodByFreeEnergy(_backend, rbm, distinct);
        output.WriteLine($"seed {seed}: log p per pattern {before:F3} -> {after:F3} (optimum {-Math.Log(30):F3}); recon {metrics[0].ReconstructionError:F3} -> {metrics[^1].ReconstructionError:F3}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(-16 * Math.Log(2), before, 0.05); // near-zero initial weights: almost uniform
        Assert.True(after > -6.0, $"seed {seed}: log-likelihood {after} after training (from {before})");
        Assert.True(metrics[^1].ReconstructionError < 0.5 * metrics[0].ReconstructionError);
    }

    /// <summary>Three Gaussian clusters in 2-D; <paramref name="within"/> is the per-dimension cluster std.</summary>
    private static DenseVisibleData Mixture(int n, ulong seed, double spread, double within, out int[] labels)
    {
        var random = new RandomStream(seed);
        double[][] centers = [[-spread, 0], [spread, 0], [0, 1.3 * spread]];
        var noise = new float[n * 2];
        random.FillNormal(noise, (float)within);
        var v = new float[n * 2];
        labels = new int[n];
        for (int r = 0; r < n; r++)
        {
            int k = labels[r] = random.NextInt(3);
            v[2 * r] = (float)centers[k][0] + noise[2 * r];
            v[2 * r + 1] = (float)centers[k][1] + noise[2 * r + 1];
        }
        return new DenseVisibleData(v, n, 2);
    }

    /// <summary>Mean log p(v) with Z from integrating exp(-F) over [-10, 10]^2 (step 0.05).</summary>
    private double GridLogLikelihood(RestrictedBoltzmannMachine rbm, DenseVisibleData points)
    {
        const double step = 0.05;
        const int n = 401;
        var grid = new float[n * n * 2];
        for (int x = 0; x < n; x++)
            for (int y = 0; y < n; y++) { grid[2 * (x * n + y)] = (float)(-10 + x * step); grid[2 * (x * n + y) + 1] = (float)(-10 + y * step); }
        using var gridBatch = new DenseVisibleData(grid, n * n, 2).GatherAll(_backend);
        double logZ = ExactRbm.LogSumExp(rbm.FreeEnergy(gridBatch).Select(f => -(double)f)) + 2 * Math.Log(step);
        using var batch = points.GatherAll(_backend);
        return rbm.FreeEnergy(batch).Average(f => -(double)f - logZ);
    }

    /// <summary>Nearest-centroid accuracy of hidden means (centroids from the training items).</summary>
    private double NearestCentroidAccuracy(RestrictedBoltzmannMachine rbm, VisibleData train, int[] trainLabels, VisibleData test, int[] testLabels, int classes)
    {
        float[] Means(VisibleData data)
        {
            using var batch = data.GatherAll(_backend);
            using var h = _backend.Allocate(data.Count, rbm.Hidden.Size);
            rbm.HiddenMeans(batch, h);
            return h.ToArray();
        }
        int nh = rbm.Hidden.Size;
        var tr = Means(train);
        var centroids = new double[classes, nh];
        var counts = new int[classes];
        for (int r = 0; r < train.Count; r++)
        {
            counts[trainLabels[r]]++;
            for (int j = 0; j < nh; j++) centroids[trainLabels[r], j] += tr[r * nh + j];
        }
        for (int c = 0; c < classes; c++)
            for (int j = 0; j < nh; j++) centroids[c, j] /= Math.Max(1, counts[c]);
        var te = Means(test);
        int correct = 0;
        for (int r = 0; r < test.Count; r++)
        {
            int best = Enumerable.Range(0, classes).MinBy(c => Enumerable.Range(0, nh).Sum(j => Math.Pow(te[r * nh + j] - centroids[c, j], 2)));
            if (best == testLabels[r]) correct++;
        }
        return correct / (double)test.Count;
    }

    /// <summary>Mean distance between class centroids of the hidden means over the mean within-class RMS radius.</summary>
    private double Separation(RestrictedBoltzmannMachine rbm, VisibleData data, int[] labels, int classes)
    {
        using var batch = data.GatherAll(_backend);
        using var hm = _backend.Allocate(data.Count, rbm.Hidden.Size);
        rbm.HiddenMeans(batch, hm);
        var h = hm.ToArray();
        int nh = rbm.Hidden.Size;
        var centroids = new double[classes][];
        var radius = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            var rows = Enumerable.Range(0, data.Count).Where(r => labels[r] == c).ToArray();
            centroids[c] = Enumerable.Range(0, nh).Select(j => rows.Average(r => (double)h[r * nh + j])).ToArray();
            radius[c] = Math.Sqrt(rows.Average(r => Enumerable.Range(0, nh).Sum(j => Math.Pow(h[r * nh + j] - centroids[c][j], 2))));
        }
        double between = 0;
        int pairs = 0;
        for (int c = 0; c < classes; c++)
            for (int d = c + 1; d < classes; d++, pairs++)
                between += Math.Sqrt(Enumerable.Range(0, nh).Sum(j => Math.Pow(centroids[c][j] - centroids[d][j], 2)));
        return between / pairs / radius.Average();
    }

    /// <summary>
    /// Standardised (Fit + Prepare) 3-cluster data, the pipeline's own path. A unit-variance Gaussian RBM
    /// cannot model standardised data much better than N(0, I): log p(v) = -|v - b|^2 / 2 + (a convex
    /// function of v), so no bump is narrower than unit variance, and the clusters are 0.2 wide here.
    /// Measured: held-out log p -2.83 -> -3.00 with mean-field CD-1 (about -2.84 with sampled CD-20),
    /// while the reconstruction error falls 2.00 -> 1.12 and the cluster separation in hidden space grows
    /// 6.9 -> 9.9 (seed 1) and 6.5 -> 10.7 (seed 2). Nearest-centroid accuracy is 1.0 already at
    /// initialisation (a near-linear map of separable clusters), so it is only a sanity check. This test
    /// asserts learning through reconstruction and representation, and only that the likelihood does
    /// not collapse; <see cref="GaussianRbm_OnUnitVarianceClusters_ImprovesGridExactHeldOutLikelihood"/>
    /// checks likelihood learning where the model's assumption (unit within-cluster variance) holds.
    /// </summary>
    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    public void GaussianRbm_OnStandardisedClusters_LearnsReconstructionAndSeparatesClusters(ulong seed)
    {
        var layer = new GaussianLayer(2);
        var rawTrain = Mixture(3000, seed, 6, 1, out var trainLabels);
        var rawTest = Mixture(1000, seed + 100, 6, 1, out var testLabels);
        layer.Fit(rawTrain);
        var train = (DenseVisibleData)layer.Prepare(rawTrain);
        var test = (DenseVisibleData)layer.Prepare(rawTest);
        using var rbm = new RestrictedBoltzmannMachine(_backend, layer, 8, new RandomStream(seed));
        double before = GridLogLikelihood(rbm, test);
        double accuracyBefore = NearestCentroidAccuracy(rbm, train, trainLabels, test, testLabels, 3);
        double separationBefore = Separation(rbm, test, testLabels, 3);
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions
        {
            Epochs = 30, BatchSize = 20, LearningRate = 0.01f, LearningRateDecay = 0f, WeightDecay = 0.0001f, Seed = seed,
        });
        var metrics = trainer.Train(train, test);
        double after = GridLogLikelihood(rbm, test);
        double accuracy = NearestCentroidAccuracy(rbm, train, trainLabels, test, testLabels, 3);
        double separation = Separation(rbm, test, testLabels, 3);
        output.WriteLine($"seed {seed}: held-out log p {before:F3} -> {after:F3}; recon {metrics[0].ReconstructionError:F3} -> {metrics[^1].ReconstructionError:F3}; accuracy {accuracyBefore:F3} -> {accuracy:F3}; separation {separationBefore:F3} -> {separation:F3}");
        Assert.True(metrics[^1].ReconstructionError < 0.7 * metrics[0].ReconstructionError);
        Assert.True(accuracy > 0.95, $"nearest-centroid accuracy {accuracy}"); // already 1.0 at initialisation: a sanity check
        Assert.True(separation > 1.3 * separationBefore, $"cluster separation in hidden space {separationBefore} -> {separation}");
        Assert.True(after > before - 0.4, $"held-out log-likelihood collapsed: {before} -> {after}");
        Assert.True(Math.Abs(metrics[^1].FreeEnergyGap) < 0.2);
    }

    /// <summary>
    /// Clusters of unit within-cluster variance (the Gaussian RBM's own unit, so the layer's identity
    /// standardisation): held-out log-likelihood, normalised on a grid, rises by a wide margin.
    /// Measured: -8.39 -> -4.31 and -8.21 -> -4.10 for seeds 1 and 2; a perfect fit scores about -3.9.
    /// </summary>
    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    public void GaussianRbm_OnUnitVarianceClusters_ImprovesGridExactHeldOutLikelihood(ulong seed)
    {
        var layer = new GaussianLayer(2);
        var train = Mixture(3000, seed, 3, 1, out var trainLabels);
        var test = Mixture(1000, seed + 100, 3, 1, out var testLabels);
        using var rbm = new RestrictedBoltzmannMachine(_backend, layer, 8, new RandomStream(seed));
        double before = GridLogLikelihood(rbm, test);
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions
        {
            Epochs = 30, BatchSize = 20, LearningRate = 0.01f, LearningRateDecay = 0f, WeightDecay = 0.0001f, Seed = seed,
        });
        var metrics = trainer.Train(train, test);
        double after = GridLogLikelihood(rbm, test);
        double accuracy = NearestCentroidAccuracy(rbm, train, trainLabels, test, testLabels, 3);
        output.WriteLine($"seed {seed}: held-out log p {before:F3} -> {after:F3}; recon {metrics[0].ReconstructionError:F3} -> {metrics[^1].ReconstructionError:F3}; accuracy {accuracy:F3}");
        Assert.True(after > before + 3, $"held-out log-likelihood {before} -> {after}");
        Assert.True(after > -4.8, $"held-out log-likelihood {after}");
        Assert.True(metrics[^1].ReconstructionError < 0.5 * metrics[0].ReconstructionError);
    }

    /// <summary>
    /// Word-count documents over a 30-word vocabulary from 3 planted topics (each puts 85% of its mass
    /// on its own 10 words), 8 to 30 words long, as raw counts; labels are the topics.
    /// </summary>
    private static SparseVisibleData TopicDocuments(int n, ulong seed, out int[] labels)
    {
        const int vocabulary = 30, topics = 3;
        var random = new RandomStream(seed);
        labels = new int[n];
        var rows = new List<IReadOnlyList<(int, float)>>();
        for (int d = 0; d < n; d++)
        {
            int topic = labels[d] = random.NextInt(topics);
            int length = 8 + random.NextInt(23);
            var counts = new float[vocabulary];
            for (int t = 0; t < length; t++)
            {
                int word = random.NextDouble() < 0.85 ? topic * 10 + random.NextInt(10) : random.NextInt(vocabulary);
                counts[word]++;
            }
            rows.Add(Enumerable.Range(0, vocabulary).Where(w => counts[w] > 0).Select(w => (w, counts[w])).ToList());
        }
        return new SparseVisibleData(CsrMatrix.FromRows(vocabulary, rows));
    }

    /// <summary>
    /// Mean-field CD-1 (the default). Measured, seeds 1 / 2: reconstruction error 2.63 -> 1.53 and
    /// 2.58 -> 1.51; nearest-centroid accuracy 0.90 -> 1.00 and 0.98 -> 1.00; topic separation in hidden
    /// space (centroid distance / within-topic radius) 1.24 -> 10.98 and 1.77 -> 7.54.
    /// </summary>
    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    public void ReplicatedSoftmax_OnPlantedTopics_ReconstructsBetterAndSeparatesTopics(ulong seed)
    {
        var layer = new ReplicatedSoftmaxLayer(30, 5f);
        var train = layer.Prepare(TopicDocuments(1500, seed, out var trainLabels));
        var test = layer.Prepare(TopicDocuments(500, seed + 100, out var testLabels));
        using var rbm = new RestrictedBoltzmannMachine(_backend, layer, 8, new RandomStream(seed));
        double accuracyBefore = NearestCentroidAccuracy(rbm, train, trainLabels, test, testLabels, 3);
        double separationBefore = Separation(rbm, test, testLabels, 3);
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions
        {
            Epochs = 20, BatchSize = 20, LearningRate = 0.05f, LearningRateDecay = 0f, WeightDecay = 0.0001f, Seed = seed,
        });
        var metrics = trainer.Train(train, test);
        double accuracy = NearestCentroidAccuracy(rbm, train, trainLabels, test, testLabels, 3);
        double separation = Separation(rbm, test, testLabels, 3);
        output.WriteLine($"seed {seed}: recon {metrics[0].ReconstructionError:F3} -> {metrics[^1].ReconstructionError:F3}; accuracy {accuracyBefore:F3} -> {accuracy:F3}; separation {separationBefore:F3} -> {separation:F3}; FE gap {metrics[^1].FreeEnergyGap:F3}");
        Assert.True(metrics[^1].ReconstructionError < 0.7 * metrics[0].ReconstructionError);
        Assert.True(accuracy > 0.9, $"nearest-centroid accuracy {accuracy}");
        Assert.True(separation > 3 * separationBefore, $"topic separation in hidden space {separationBefore} -> {separation}");
    }
}
