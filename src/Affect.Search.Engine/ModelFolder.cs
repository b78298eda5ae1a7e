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
/// meaningful with all of them, and <c>checksums.sha256</c> (their SHA-256s in <c>sha256sum</c>'s format, written
/// last), which loading verifies: a damaged file, or one from another model folder, is refused rather than
/// silently giving other embeddings.
/// </summary>
public sealed class ModelFolder : IDisposable
{
    /// <summary>The model file inside a model folder.</summary>
    public const string ModelFileName = "model.afdbm";

    /// <summary>The feature space file inside a model folder.</summary>
    public const string FeatureSpaceFileName = "features.json";

    /// <summary>The file recording the SHA-256 of every other file of a model folder (<c>sha256sum -c</c> reads it too).</summary>
    public const string ChecksumsFileName = "checksums.sha256";

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
    /// the embedding centres learned from <paramref name="training"/>, the data the model was trained on; then, last, the
    /// checksums of them all (and of a feature space already in the folder when <paramref name="features"/> is null).
    /// </summary>
    public static void Save(string folder, MultimodalDbm model, FeatureSpace? features, MultimodalDataset training,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(folder);
        // A stale checksums file must not vouch for a half-written folder: it goes first and is rewritten last.
        File.Delete(Path.Combine(folder, ChecksumsFileName));
        var files = new List<string> { ModelFileName, EmbeddingCentres.FileName };
        if (features is not null) features.Save(Path.Combine(folder, FeatureSpaceFileName));
        // A feature space saved beforehand (affect train saves it before training) is covered too: it is what Load uses.
        if (File.Exists(Path.Combine(folder, FeatureSpaceFileName))) files.Add(FeatureSpaceFileName);
        ModelFile.Save(model, Path.Combine(folder, ModelFileName), metadata);
        EmbeddingCentres.Learn(new JointEmbedder(model), training).Save(Path.Combine(folder, EmbeddingCentres.FileName));
        WriteChecksums(folder, files);
    }

    private static void WriteChecksums(string folder, IEnumerable<string> files)
    {
        var lines = files.Order(StringComparer.Ordinal).Select(f => $"{Sha256(File.ReadAllBytes(Path.Combine(folder, f)))}  {f}\n");
        var path = Path.Combine(folder, ChecksumsFileName);
        File.WriteAllText(path + ".tmp", string.Concat(lines));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Verifies the files listed in the folder's checksums file (a folder saved before checksums were written has
    /// none, and is loaded unverified). <paramref name="read"/> gives a listed file's bytes, so that files already
    /// read are hashed exactly as they are used.
    /// </summary>
    private static void VerifyChecksums(string root, Func<string, byte[]?> read)
    {
        var path = Path.Combine(root, ChecksumsFileName);
        if (!File.Exists(path)) return;
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            var parts = line.Split("  ", 2);
            if (parts.Length != 2 || parts[0].Length != 64 || !parts[0].All(Uri.IsHexDigit) || parts[1].Contains('/') || parts[1].Contains('\\'))
                throw new InvalidDataException($"{path}: line '{line}' is not '<sha256>  <file name>'; the checksums file is damaged");
            var file = Path.Combine(root, parts[1]);
            var bytes = read(parts[1]) ?? (File.Exists(file) ? File.ReadAllBytes(file) : null);
            if (bytes is null)
                throw new FileNotFoundException($"{file}: missing, but {ChecksumsFileName} lists it; restore the model folder or train again", file);
            if (!string.Equals(Sha256(bytes), parts[0], StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{file}: does not match the SHA-256 recorded in {ChecksumsFileName} when the model folder was saved "
                    + $"(damaged, or a file of another model folder copied over it); restore the folder or train again (deleting {ChecksumsFileName} accepts the files as they are)");
        }
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
        var centresPath = Path.Combine(root, EmbeddingCentres.FileName);
        var centresBytes = File.Exists(centresPath) ? File.ReadAllBytes(centresPath) : [];
        // The checksums describe the folder's own model.afdbm; a model file loaded by another name is not covered.
        if (Path.GetFileName(modelPath) == ModelFileName)
            VerifyChecksums(root, name => name == FeatureSpaceFileName ? featureBytes
                : name == EmbeddingCentres.FileName && centresBytes.Length > 0 ? centresBytes : null);
        FeatureSpace features;
        try { features = FeatureSpace.Load(new MemoryStream(featureBytes)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{featuresPath}: {e.Message}", e); }
        var centres = centresBytes.Length > 0 ? EmbeddingCentres.Load(centresPath) : null;
        var model = ModelFile.Load(backend, modelPath);
        if (centres is not null && centres.Centres.Values.Concat(centres.Scales.Values).Any(c => c.Length != model.EmbeddingSize))
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
