using System.Security.Cryptography;
using Affect.Search.Compute;
using Affect.Search.Engine.Embedding;
using Affect.Search.Features.Extraction;
using Affect.Search.Index;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Persistence;

namespace Affect.Search.Engine;

/// <summary>
/// A trained model folder as written by <c>affect train</c>: <c>model.afdbm</c> (the model file),
/// <c>features.json</c> (the vocabulary and codebooks the model's inputs were made with) and
/// <c>centres.json</c> (the embedding centres, optional), loaded together because an embedding is only
/// meaningful with all of them.
/// </summary>
public sealed class ModelFolder : IDisposable
{
    /// <summary>The model file inside a model folder.</summary>
    public const string ModelFileName = "model.afdbm";

    /// <summary>The feature space file inside a model folder.</summary>
    public const string FeatureSpaceFileName = "features.json";

    private ModelFolder(string folder, MultimodalDbm model, FeatureSpace features, EmbeddingCentres? centres, IndexIdentity identity)
    {
        Folder = folder;
        Model = model;
        Features = features;
        Identity = identity;
        Embedder = new JointEmbedder(model, centres);
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>The trained model.</summary>
    public MultimodalDbm Model { get; }

    /// <summary>The vocabulary and codebooks.</summary>
    public FeatureSpace Features { get; }

    /// <summary>The model's hash, the hash of the feature space and centres files, and the embedding size: what an index records.</summary>
    public IndexIdentity Identity { get; }

    /// <summary>Maps items to the joint layer.</summary>
    public JointEmbedder Embedder { get; }

    /// <summary>The model file of a model folder (or the path itself when it names a file).</summary>
    public static string ModelPath(string pathOrFolder)
        => Directory.Exists(pathOrFolder) || !Path.HasExtension(pathOrFolder) ? Path.Combine(pathOrFolder, ModelFileName) : pathOrFolder;

    /// <summary>
    /// Writes a model folder: the model file, the feature space (when the model was trained on a corpus) and
    /// the embedding centres learned from <paramref name="training"/>, the data the model was trained on.
    /// </summary>
    public static void Save(string folder, MultimodalDbm model, FeatureSpace? features, MultimodalDataset training,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(folder);
        if (features is not null) features.Save(Path.Combine(folder, FeatureSpaceFileName));
        ModelFile.Save(model, Path.Combine(folder, ModelFileName), metadata);
        EmbeddingCentres.Learn(new JointEmbedder(model), training).Save(Path.Combine(folder, EmbeddingCentres.FileName));
    }

    /// <summary>Loads a model folder on <paramref name="backend"/>.</summary>
    public static ModelFolder Load(string folder, IComputeBackend backend)
    {
        var modelPath = ModelPath(folder);
        var root = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var featuresPath = Path.Combine(root, FeatureSpaceFileName);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"no model at '{modelPath}'; train one with 'affect train'", modelPath);
        if (!File.Exists(featuresPath))
            throw new FileNotFoundException($"model folder '{root}' has no {FeatureSpaceFileName}: a model trained on a corpus is needed to index or query media and text", featuresPath);
        var featureBytes = File.ReadAllBytes(featuresPath);
        var features = FeatureSpace.Load(new MemoryStream(featureBytes));
        var centresPath = Path.Combine(root, EmbeddingCentres.FileName);
        var centresBytes = File.Exists(centresPath) ? File.ReadAllBytes(centresPath) : [];
        var centres = centresBytes.Length > 0 ? EmbeddingCentres.Load(centresPath) : null;
        var model = ModelFile.Load(backend, modelPath);
        if (centres is not null && centres.Centres.Values.Any(c => c.Length != model.EmbeddingSize))
        {
            model.Dispose();
            throw new InvalidDataException($"{centresPath}: centres do not match the model's embedding size {model.EmbeddingSize}");
        }
        var inputs = Convert.ToHexStringLower(SHA256.HashData([.. featureBytes, .. centresBytes]));
        return new ModelFolder(root, model, features, centres, new IndexIdentity(ModelFile.Identity(model), inputs, model.EmbeddingSize));
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
