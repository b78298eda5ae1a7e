using System.Diagnostics;
using System.Text.Json;
using Affect.Search.Compute.Cpu;
using Affect.Search.Engine;
using Affect.Search.Engine.Corpus;
using Affect.Search.Engine.Indexing;
using Affect.Search.Engine.Search;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Extraction;
using Affect.Search.Index;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Training;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Benchmarks;

/// <summary>
/// End-to-end latency of a text query, inference included: a model of the cpu preset's topology trained on
/// the generated three-class corpus, its 45 items indexed, plus filler items (random unit vectors in the
/// full and V views) to reach a realistic collection size. Times single text queries (analysis, features,
/// mean-field inference, centring, vector search, item lookup) against the full and V views, the vector
/// search alone for the same embeddings, and a batch of text queries.
/// </summary>
internal static class QueryBenchmark
{
    public static int Run(string[] args)
    {
        int filler = 100_000, queries = 300;
        string? jsonPath = null, markdownPath = null, preset = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--filler": filler = int.Parse(args[++i]); break;
                case "--queries": queries = int.Parse(args[++i]); break;
                case "--json": jsonPath = args[++i]; break;
                case "--markdown": markdownPath = args[++i]; break;
                case "--preset": preset = args[++i]; break;
                default: throw new CliException($"query: unknown option '{args[i]}'");
            }
        }
        using var corpus = new EmotionTestCorpus();
        var modelFolder = Path.Combine(corpus.Folder, "model");
        var indexFolder = Path.Combine(corpus.Folder, "index");
        var manifest = ManifestReader.Read(corpus.Manifest);
        var small = DbmConfig.FromJson(EmotionTestCorpus.SmallBatchCpuConfig);
        // A preset's topology (layer sizes, joint size, standardised embeddings, inference iterations) with the
        // small corpus's training schedule (45 items: small batches, few epochs); without --preset the cpu preset's topology.
        var config = preset is null ? small : Presets.Load(preset) with
        {
            Pretraining = Presets.Load(preset).Pretraining with { Epochs = small.Pretraining.Epochs, BatchSize = small.Pretraining.BatchSize },
            JointTraining = Presets.Load(preset).JointTraining with { Epochs = small.JointTraining.Epochs, BatchSize = small.JointTraining.BatchSize, Chains = small.JointTraining.Chains },
        };
        string topology = preset is null ? "the cpu preset's topology" : $"the {preset} preset's topology with the small corpus's training schedule";
        var (space, data, _) = CorpusFeaturizer.LearnAndFeaturize(manifest, config, new MediaDecoder(),
            new FeatureSpaceOptions { VisualCodebookSize = 24, AudioCodebookSize = 12, MinDocumentFrequency = 2 });
        using (var dbm = DbmTrainer.Train(CpuBackend.CreateBest(), config, data))
            ModelFolder.Save(modelFolder, dbm, space, data);
        using var model = ModelFolder.Load(modelFolder, CpuBackend.CreateBest());
        Indexer.Run(manifest, model, indexFolder);
        var fillClock = Stopwatch.StartNew();
        AddFiller(indexFolder, model.Identity, filler);
        double fillSeconds = fillClock.Elapsed.TotalSeconds;

        using var index = MultimodalIndex.Open(indexFolder);
        using var engine = new QueryEngine(model, index);
        var words = EmotionTestCorpus.Classes.SelectMany(c => c.Words).ToArray();
        var texts = Enumerable.Range(0, queries).Select(i => $"{words[i % words.Length]} {words[(i * 7 + 3) % words.Length]}").ToList();
        var rows = new List<object>();
        var table = new List<string>();
        foreach (var db in new[] { "full", "V" })
        {
            var options = new SearchOptions { Database = db, K = 20 };
            for (int i = 0; i < 20; i++) engine.Search(new Query(texts[i]), options); // warm-up
            var endToEnd = new List<double>();
            foreach (var text in texts)
            {
                long t0 = Stopwatch.GetTimestamp();
                engine.Search(new Query(text), options);
                endToEnd.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            var vector = new float[model.Embedder.Dimension];
            var random = new Random(1);
            var searchOnly = new List<double>();
            foreach (var _ in texts)
            {
                for (int j = 0; j < vector.Length; j++) vector[j] = (float)(random.NextDouble() - 0.5);
                long t0 = Stopwatch.GetTimestamp();
                index.SearchVectors(db, vector, 20);
                searchOnly.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            var batch = texts.Select(t => new Query(t)).ToList();
            long b0 = Stopwatch.GetTimestamp();
            engine.SearchBatch(batch, options);
            double qps = batch.Count / Stopwatch.GetElapsedTime(b0).TotalSeconds;
            var view = index.Views.Single(v => v.View == db);
            rows.Add(new { db, items = view.Items, structure = view.Structure, p50Ms = Percentile(endToEnd, 0.5), p99Ms = Percentile(endToEnd, 0.99),
                searchP50Ms = Percentile(searchOnly, 0.5), searchP99Ms = Percentile(searchOnly, 0.99), batchQps = qps });
            table.Add($"| {db} | {view.Items:N0} | {view.Structure} | {Percentile(endToEnd, 0.5):F2} | {Percentile(endToEnd, 0.99):F2} | {Percentile(searchOnly, 0.5):F2} | {Percentile(searchOnly, 0.99):F2} | {qps:F0} |");
        }
        var result = new { date = DateTime.UtcNow.ToString("u"), processors = Environment.ProcessorCount, preset = preset ?? "cpu", embeddingSize = model.Embedder.Dimension,
            filler, fillerSecondsToIndex = fillSeconds, queries, rows };
        var markdown = $"""
            # End-to-end text query latency

            Measured {result.date} on {result.processors} processors. Model: {topology} (joint layer {result.embeddingSize}),
            trained on the generated three-class corpus; index: its 45 items plus {filler:N0} filler items (random vectors in the full and V
            views; indexing them took {fillSeconds:F1} s). {queries} two-word text queries, k = 20, after 20 warm-up queries; one query at a time
            on one thread, then the same queries as one batch.

            "End to end" is `QueryEngine.Search`: text analysis, word counts, mean-field inference of the missing modalities, centring,
            vector search and reading the 20 items from SQLite. "Vector search" is `MultimodalIndex.SearchVectors` alone (with the item lookup).

            | db | items | structure | end to end p50 (ms) | end to end p99 (ms) | vector search p50 (ms) | vector search p99 (ms) | batch queries/s |
            |---|---:|---|---:|---:|---:|---:|---:|
            {string.Join("\n", table)}
            """;
        Console.WriteLine(markdown);
        if (markdownPath is not null) File.WriteAllText(markdownPath, markdown + "\n");
        if (jsonPath is not null) File.WriteAllText(jsonPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static void AddFiller(string folder, IndexIdentity identity, int count)
    {
        var random = new Random(7);
        using var writer = MultimodalIndexWriter.Open(folder, identity);
        for (int i = 0; i < count; i++)
        {
            var v = new float[identity.Dimension];
            for (int j = 0; j < v.Length; j++) v[j] = (float)(random.NextDouble() - 0.5);
            var item = new IndexedItem($"filler-{i}", null, new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<string, string>(), "V");
            writer.Upsert(new ItemToIndex(item, new Dictionary<string, float[]> { ["full"] = v, ["V"] = v }));
            if (i % 20_000 == 19_999) writer.Commit("filler");
        }
        writer.Commit("filler");
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
