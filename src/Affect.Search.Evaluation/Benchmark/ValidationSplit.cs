using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Affect.Search.Features.Corpus;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>What a training item becomes when a validation split is carved out of the training split.</summary>
public enum ValidationRole
{
    /// <summary>Stays a training item (models and baselines are fitted on it).</summary>
    Train,

    /// <summary>A reference of the validation database.</summary>
    Reference,

    /// <summary>A validation query.</summary>
    Query,
}

/// <summary>
/// A validation split carved out of <c>train.jsonl</c>, so that model settings can be chosen without looking at the
/// corpus's query split: about <paramref name="Fraction"/> of the training items are held out, half of them as
/// validation references and half as validation queries. An item's role depends only on a SHA-256 of the seed and
/// its id, so the split is the same in every process and whatever the order of the manifest.
/// </summary>
/// <param name="Fraction">The share of training items held out (0 to 1).</param>
/// <param name="Seed">Chooses which items are held out.</param>
public sealed record ValidationSplit(double Fraction = 0.25, ulong Seed = 1)
{
    /// <summary>The name of the split the figures are measured on in this mode (the corpus's own is <see cref="BenchmarkCorpus.TestSplit"/>).</summary>
    public const string Name = "validation";

    /// <summary>The role of the item with <paramref name="id"/>.</summary>
    public ValidationRole RoleOf(string id)
    {
        if (Fraction is < 0 or > 1 || double.IsNaN(Fraction)) throw new ArgumentOutOfRangeException(nameof(Fraction), $"the validation fraction must be between 0 and 1, not {Fraction}");
        // string.GetHashCode is randomised per process; the split must not be.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Seed}\n{id}"));
        double position = (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53); // uniform in [0, 1)
        return position >= Fraction ? ValidationRole.Train : position < Fraction / 2 ? ValidationRole.Query : ValidationRole.Reference;
    }

    /// <summary><paramref name="items"/> (in their order) with the role <paramref name="role"/>.</summary>
    public IReadOnlyList<ManifestItem> Select(IEnumerable<ManifestItem> items, ValidationRole role) => items.Where(i => RoleOf(i.Id) == role).ToList();
}
