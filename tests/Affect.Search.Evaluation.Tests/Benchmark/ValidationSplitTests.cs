using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Features.Corpus;
using Affect.Search.Model.Configuration;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>The validation split carved out of the training items, and the shared feature extraction of several learned systems.</summary>
public sealed class ValidationSplitTests
{
    private static readonly IReadOnlyList<string> Ids = Enumerable.Range(0, 4000).Select(i => $"item-{i}").ToList();

    [Fact]
    public void About_a_quarter_is_held_out_half_as_queries_half_as_references_and_no_item_has_two_roles()
    {
        var split = new ValidationSplit();
        var roles = Ids.Select(split.RoleOf).ToList();
        double held = roles.Count(r => r != ValidationRole.Train) / (double)Ids.Count;
        Assert.InRange(held, 0.23, 0.27);
        int queries = roles.Count(r => r == ValidationRole.Query), references = roles.Count(r => r == ValidationRole.Reference);
        Assert.InRange(queries / (double)(queries + references), 0.45, 0.55);
        var items = Ids.Select(Item).ToList();
        var byRole = Enum.GetValues<ValidationRole>().ToDictionary(r => r, r => split.Select(items, r).Select(i => i.Id).ToHashSet());
        Assert.Equal(Ids.Count, byRole.Values.Sum(s => s.Count));
        Assert.Equal(Ids.Count, byRole.Values.SelectMany(s => s).Distinct().Count());
    }

    [Fact]
    public void The_split_depends_only_on_the_seed_and_the_id_not_on_the_process_or_the_order()
    {
        // Computed independently (Python: SHA-256 of "1\n<id>", first 8 bytes big-endian >> 11, over 2^53): the
        // same in every process, unlike .NET's randomised string hashes.
        var split = new ValidationSplit(0.25, Seed: 1);
        Assert.Equal(ValidationRole.Query, split.RoleOf("item-16"));
        Assert.Equal(ValidationRole.Reference, split.RoleOf("item-17"));
        Assert.Equal(ValidationRole.Query, split.RoleOf("item-19"));
        Assert.Equal(ValidationRole.Reference, split.RoleOf("item-31"));
        Assert.All(Enumerable.Range(0, 16), i => Assert.Equal(ValidationRole.Train, split.RoleOf($"item-{i}")));

        var items = Ids.Select(Item).ToList();
        var shuffled = items.OrderBy(i => i.Id.GetHashCode()).ToList();
        foreach (var role in Enum.GetValues<ValidationRole>())
            Assert.Equal(split.Select(items, role).Select(i => i.Id).Order(), split.Select(shuffled, role).Select(i => i.Id).Order());
        Assert.NotEqual(split.Select(items, ValidationRole.Query).Select(i => i.Id), new ValidationSplit(0.25, Seed: 2).Select(items, ValidationRole.Query).Select(i => i.Id));
    }

    [Fact]
    public void Several_learned_systems_share_one_extraction_of_every_feature_any_of_them_reads()
    {
        var full = DbmConfig.FromJson(EmotionTestCorpus.SmallBatchCpuConfig);
        var textOnly = full with { Name = "text-only", Modalities = full.Modalities.Where(m => m.Name == "text").ToList() };
        var mdbm = Presets.Load("mdbm-cpu"); // one visual pathway joining every visual feature
        var union = BenchmarkRun.FeatureUnion([textOnly, mdbm]);
        Assert.Equal(Engine.Corpus.CorpusFeaturizer.FeaturesOf(full).Order(), Engine.Corpus.CorpusFeaturizer.FeaturesOf(union).Order());
        Assert.Equal(["text", "visual", "audio"], union.Modalities.Select(m => m.Name));
        Assert.Equal(textOnly.Seed, union.Seed); // the first system's seed seeds the feature space
        var map = new ModalityMap(union);
        Assert.Equal(["dsift", "gist", "hog", "lbp", "ssim"], map.Sources('V').Order());
    }

    private static ManifestItem Item(string id) => new(id, "words", null, null, null, new Dictionary<string, IReadOnlyList<string>>(), null, 1);
}
