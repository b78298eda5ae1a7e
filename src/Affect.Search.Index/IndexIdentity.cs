namespace Affect.Search.Index;

/// <summary>
/// What an index's embeddings were computed with: the model (its identity hash), its inputs (a hash of the
/// feature space, i.e. vocabulary and codebooks, and of the embedding centres) and the embedding size. Querying with anything else would compare
/// vectors from different spaces, so a mismatch is refused.
/// </summary>
public sealed record IndexIdentity(string Model, string Features, int Dimension)
{
    /// <summary>Throws <see cref="InvalidDataException"/> unless <paramref name="other"/> (the loaded model) equals this (the index's).</summary>
    public void Require(IndexIdentity other, string folder)
    {
        if (this == other) return;
        var what = Model != other.Model ? $"model {Short(Model)}, but the loaded model is {Short(other.Model)}"
            : Features != other.Features ? $"feature space and centres {Short(Features)}, but the loaded model folder's are {Short(other.Features)}"
            : $"embedding size {Dimension}, but the loaded model's is {other.Dimension}";
        throw new InvalidDataException($"index '{folder}' was built with {what}; query it with the model it was built with, or index into a new folder");
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
