using Affect.Search.Compute.Cpu;
using Affect.Search.Engine.Corpus;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Extraction;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Training;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Engine.Tests.Search;

/// <summary>The engine tests' model: the small-batch cpu topology and small codebooks, trained without labels on a manifest.</summary>
internal static class SmallTestModel
{
    /// <summary>Learns the feature space, trains the model on <paramref name="manifest"/>, saves it to <paramref name="folder"/> and loads it.</summary>
    public static ModelFolder Train(string manifest, string folder)
    {
        var config = DbmConfig.FromJson(EmotionTestCorpus.SmallBatchCpuConfig);
        var options = new FeatureSpaceOptions { VisualCodebookSize = 24, AudioCodebookSize = 12, DescriptorsPerFrame = 30, MinDocumentFrequency = 2, Seed = 2 };
        var (space, data, _) = CorpusFeaturizer.LearnAndFeaturize(ManifestReader.Read(manifest), config, new MediaDecoder(), options);
        using (var dbm = DbmTrainer.Train(new CpuBackend(), config, data))
            ModelFolder.Save(folder, dbm, space, data);
        return ModelFolder.Load(folder, CpuBackend.CreateBest());
    }
}
