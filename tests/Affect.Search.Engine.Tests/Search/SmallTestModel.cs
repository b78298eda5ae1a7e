using Affect.Search.Compute.Cpu;
using Affect.Search.Engine.Corpus;
using Affect.Search.Engine.Embedding;
using Affect.Search.Engine.Indexing;
using Affect.Search.Engine.Search;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Extraction;
using Affect.Search.Index;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Training;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Engine.Tests.Search;

/// <summary>The engine tests' model: the small-batch cpu topology and small codebooks, trained without labels on a manifest.</summary>
internal static class SmallTestModel
{
    /// <summary>
    /// Learns the feature space, trains the model on <paramref name="manifest"/>, saves it to <paramref name="folder"/> and
    /// loads it; <paramref name="configJson"/> defaults to <see cref="EmotionTestCorpus.SmallBatchCpuConfig"/>.
    /// </summary>
    public static ModelFolder Train(string manifest, string folder, string? configJson = null)
    {
        var config = DbmConfig.FromJson(configJson ?? EmotionTestCorpus.SmallBatchCpuConfig);
        var options = new FeatureSpaceOptions { VisualCodebookSize = 24, AudioCodebookSize = 12, DescriptorsPerFrame = 30, MinDocumentFrequency = 2, Seed = 2 };
        var (space, data, _) = CorpusFeaturizer.LearnAndFeaturize(ManifestReader.Read(manifest), config, new MediaDecoder(), options);
        using (var dbm = DbmTrainer.Train(new CpuBackend(), config, data))
            ModelFolder.Save(folder, dbm, space, data);
        return ModelFolder.Load(folder, CpuBackend.CreateBest());
    }
}

/// <summary>
/// A class fixture: the emotion test corpus, a small model trained on it (or on a manifest made from it) and the
/// whole corpus indexed with that model, with a query engine over the index.
/// </summary>
public class IndexedTestCorpus : IDisposable
{
    /// <param name="configJson">The model configuration; null for <see cref="EmotionTestCorpus.SmallBatchCpuConfig"/>.</param>
    /// <param name="trainingManifest">Writes the training manifest from the corpus; null trains on the whole corpus.</param>
    /// <param name="commitEvery">Items per index commit.</param>
    public IndexedTestCorpus(string? configJson = null, Func<EmotionTestCorpus, string>? trainingManifest = null, int commitEvery = 10)
    {
        Corpus = new EmotionTestCorpus();
        ModelPath = Path.Combine(Corpus.Folder, "model");
        IndexPath = Path.Combine(Corpus.Folder, "index");
        Model = SmallTestModel.Train(trainingManifest?.Invoke(Corpus) ?? Corpus.Manifest, ModelPath, configJson);
        Report = Indexer.Run(ManifestReader.Read(Corpus.Manifest), Model, IndexPath, new IndexingOptions { CommitEvery = commitEvery });
        Index = MultimodalIndex.Open(IndexPath);
        Engine = new QueryEngine(Model, Index);
    }

    public EmotionTestCorpus Corpus { get; }
    public string ModelPath { get; }
    public string IndexPath { get; }
    public ModelFolder Model { get; }
    public IndexingReport Report { get; }
    public MultimodalIndex Index { get; }
    public QueryEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        Index.Dispose();
        Model.Dispose();
        Corpus.Dispose();
        GC.SuppressFinalize(this);
    }
}
