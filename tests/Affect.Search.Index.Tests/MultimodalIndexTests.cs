using Affect.Search.Index.CrashWriter;
using Affect.Search.Index.Tests.Text;

namespace Affect.Search.Index.Tests;

/// <summary>The composite index: incremental changes, generations, filters, pagination, views and refusals.</summary>
public sealed class MultimodalIndexTests : IDisposable
{
    private readonly TempIndexDirectory _dir = new();
    private static readonly IndexIdentity Identity = new("model-a", "features-a", 4);

    private static ItemToIndex Item(string id, string modalities, float[] vector, string? text = null, string emotion = "joy", string? source = null)
    {
        var embeddings = IndexViews.All.Where(v => IndexViews.Contains(v, modalities)).ToDictionary(v => v, _ => vector);
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["emotion"] = [emotion] };
        return new ItemToIndex(new IndexedItem(id, text, labels, new Dictionary<string, string>(), modalities, source), embeddings);
    }

    private static float[] Axis(int i, float tilt = 0)
    {
        var v = new float[4];
        v[i % 4] = 1;
        v[(i + 1) % 4] = tilt;
        return v;
    }

    private MultimodalIndexWriter Writer(IndexSettings? settings = null) => MultimodalIndexWriter.Open(_dir.Path, Identity, settings);

    [Fact]
    public void Committed_items_are_found_by_vector_and_text_and_uncommitted_ones_are_not()
    {
        using (var w = Writer())
        {
            w.Upsert(Item("a", "TV", Axis(0), "a crazy cat"));
            w.Upsert(Item("b", "V", Axis(1)));
            Assert.Equal(1, w.Commit());
            w.Upsert(Item("c", "T", Axis(0, 0.1f), "a calm dog"));
            using var before = MultimodalIndex.Open(_dir.Path);
            Assert.Equal(2, before.ItemCount);
            Assert.Equal(1, before.Generation);
            Assert.Empty(before.SearchText("dog", 5));
        } // disposed without commit: "c" is dropped
        using var index = MultimodalIndex.Open(_dir.Path);
        Assert.Equal(2, index.ItemCount);
        var hits = index.SearchVectors("full", Axis(0), 2)[0];
        Assert.Equal(["a", "b"], hits.Select(h => h.Item.Id));
        Assert.Equal(1f, hits[0].Score, 4);
        Assert.Equal("a", Assert.Single(index.SearchText("cats", 5)).Item.Id);
        Assert.Equal("a crazy cat", index.Item("a")!.Text);
    }

    [Fact]
    public void Views_hold_only_items_with_one_of_their_modalities()
    {
        using (var w = Writer())
        {
            w.Upsert(Item("text-only", "T", Axis(0)));
            w.Upsert(Item("video", "VA", Axis(1)));
            w.Upsert(Item("sound", "A", Axis(2)));
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        string[] Ids(string view) => index.SearchVectors(view, Axis(0), 10)[0].Select(h => h.Item.Id).Order().ToArray();
        Assert.Equal(["sound", "text-only", "video"], Ids("full"));
        Assert.Equal(["text-only"], Ids("T"));
        Assert.Equal(["video"], Ids("V"));
        Assert.Equal(["sound", "video"], Ids("A"));
        Assert.Equal(["sound", "video"], Ids("va"));
        Assert.Equal(new[] { "full", "T", "V", "A", "VA" }, index.Views.Select(v => v.View));
        Assert.Throws<ArgumentException>(() => index.SearchVectors("X", Axis(0), 10));
    }

    [Fact]
    public void Updates_and_deletes_are_honoured_by_the_next_snapshot_and_survive_reopening()
    {
        using (var w = Writer())
        {
            for (int i = 0; i < 4; i++) w.Upsert(Item($"i{i}", "TV", Axis(i), $"word{i}"));
            w.Commit();
        }
        using (var w = Writer())
        {
            w.Upsert(Item("i0", "TV", Axis(2), "replaced text"));
            Assert.True(w.Delete("i1"));
            Assert.False(w.Delete("nobody"));
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        Assert.Equal(3, index.ItemCount);
        var nearAxis0 = index.SearchVectors("full", Axis(0), 10)[0];
        Assert.DoesNotContain(nearAxis0, h => h.Item.Id == "i1");
        Assert.Equal(3, nearAxis0.Count);
        var nearAxis2 = index.SearchVectors("full", Axis(2), 2)[0];
        Assert.Equal(["i0", "i2"], nearAxis2.Select(h => h.Item.Id).Order());
        Assert.Empty(index.SearchText("word0", 5));
        Assert.Empty(index.SearchText("word1", 5));
        Assert.Equal("i0", Assert.Single(index.SearchText("replaced", 5)).Item.Id);
    }

    [Fact]
    public void A_delete_is_honoured_at_once_even_by_an_open_snapshot()
    {
        using (var w = Writer())
        {
            w.Upsert(Item("x", "V", Axis(0)));
            w.Upsert(Item("y", "V", Axis(1)));
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        using (var w = Writer())
        {
            w.Delete("x");
            w.Commit();
        }
        Assert.Equal(["y"], index.SearchVectors("V", Axis(0), 5)[0].Select(h => h.Item.Id));
    }

    [Fact]
    public void Filters_apply_inside_the_search_and_pagination_continues_the_ranking()
    {
        using (var w = Writer())
        {
            for (int i = 0; i < 30; i++)
                w.Upsert(Item($"i{i:00}", "TV", Axis(0, i * 0.05f), $"item number {i}", i % 3 == 0 ? "fear" : "joy", i < 10 ? "first" : "rest"));
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        // Nearest to axis 0 in order of growing tilt: i00, i01, ...; "fear" items are every third.
        var fear = index.SearchVectors("full", Axis(0), 5, filter: ItemFilter.Parse(["emotion=fear"]))[0];
        Assert.Equal(["i00", "i03", "i06", "i09", "i12"], fear.Select(h => h.Item.Id));
        var both = index.SearchVectors("full", Axis(0), 10, filter: ItemFilter.Parse(["emotion=fear", "source=first"]))[0];
        Assert.Equal(["i00", "i03", "i06", "i09"], both.Select(h => h.Item.Id));
        Assert.Empty(index.SearchVectors("full", Axis(0), 5, filter: ItemFilter.Parse(["emotion=none"]))[0]);
        Assert.Equal(["i03"], index.SearchText("item", 10, ItemFilter.Parse(["id=i03"])).Select(h => h.Item.Id));

        var all = index.SearchVectors("full", Axis(0), 12)[0].Select(h => h.Item.Id).ToList();
        var page1 = index.SearchVectors("full", Axis(0), 5)[0].Select(h => h.Item.Id);
        var page2 = index.SearchVectors("full", Axis(0), 5, offset: 5)[0].Select(h => h.Item.Id);
        var page3 = index.SearchVectors("full", Axis(0), 5, offset: 10)[0].Select(h => h.Item.Id);
        Assert.Equal(all.Take(12), page1.Concat(page2).Concat(page3).Take(12));
        Assert.Empty(index.SearchVectors("full", Axis(0), 5, offset: 30)[0]);
        Assert.Throws<ArgumentException>(() => ItemFilter.Parse(["emotion"]));
    }

    [Fact]
    public void Pages_of_a_ranking_with_equal_scores_never_share_or_skip_an_item()
    {
        // Groups of identical vectors whose ties straddle every page boundary: without a stable tie order
        // Faiss orders each group differently for different depths.
        using (var w = Writer())
        {
            for (int i = 0; i < 40; i++) w.Upsert(Item($"i{i:00}", "V", Axis(0, i / 7 * 0.1f)));
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        var all = index.SearchVectors("V", Axis(0), 40)[0].Select(h => h.Item.Id).ToList();
        Assert.Equal(40, all.Distinct().Count());
        foreach (int size in new[] { 1, 3, 4, 5, 6, 9 })
        {
            var pages = Enumerable.Range(0, (40 + size - 1) / size)
                .SelectMany(p => index.SearchVectors("V", Axis(0), size, offset: p * size)[0]).Select(h => h.Item.Id);
            Assert.Equal(all, pages);
        }
        // Within a tie the order is the order of insertion, whatever the depth asked.
        Assert.Equal(["i00", "i01", "i02"], index.SearchVectors("V", Axis(0), 3)[0].Select(h => h.Item.Id));
    }

    [Fact]
    public void Growing_past_the_HNSW_threshold_and_compaction_keep_every_item_findable()
    {
        var settings = new IndexSettings { HnswThreshold = 50, CompactionThreshold = 0.2 };
        var random = new Random(4);
        var vectors = new Dictionary<string, float[]>();
        using (var w = Writer(settings))
        {
            for (int i = 0; i < 80; i++)
            {
                var v = Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                vectors[$"i{i}"] = v;
                w.Upsert(Item($"i{i}", "V", v));
                if (i % 20 == 19) w.Commit();
            }
            for (int i = 0; i < 30; i++) { w.Delete($"i{i}"); vectors.Remove($"i{i}"); }
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        var view = index.Views.Single(v => v.View == "V");
        Assert.Equal(50, view.Items);
        Assert.Equal(50, view.Vectors); // the dead 30 were compacted away
        Assert.Equal("hnsw", view.Structure);
        foreach (var (id, v) in vectors)
            Assert.Equal(1f, index.SearchVectors("V", v, 1)[0].Single(h => h.Item.Id == id).Score, 3);
    }

    [Fact]
    public void A_scalar_quantised_index_learns_its_ranges_from_the_first_batch_and_ranks_close_to_exact()
    {
        var random = new Random(9);
        var vectors = Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToList();
        using (var w = Writer(new IndexSettings { ScalarQuantized = true }))
        {
            for (int i = 0; i < vectors.Count; i++) w.Upsert(Item($"i{i}", "V", vectors[i]));
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        Assert.Equal("flat-sq8", index.Views.Single(v => v.View == "V").Structure);
        static double Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
        for (int i = 0; i < vectors.Count; i++)
        {
            var top = index.SearchVectors("V", vectors[i], 3)[0];
            Assert.Contains(top, h => h.Item.Id == $"i{i}");
            // 8-bit codes may swap near-duplicates, but the winner is as close as exact search's to within quantisation error.
            Assert.True(Cosine(vectors[i], vectors[int.Parse(top[0].Item.Id[1..])]) > 0.99);
            Assert.Equal(1f, top.Single(h => h.Item.Id == $"i{i}").Score, 1);
        }
    }

    [Fact]
    public void An_index_built_with_another_model_is_refused()
    {
        using (var w = Writer()) { w.Upsert(Item("a", "T", Axis(0))); w.Commit(); }
        var e = Assert.Throws<InvalidDataException>(() => MultimodalIndexWriter.Open(_dir.Path, Identity with { Model = "model-b" }));
        Assert.Contains("was built with model model-a", e.Message);
        Assert.Throws<InvalidDataException>(() => MultimodalIndexWriter.Open(_dir.Path, Identity with { Features = "features-b" }));
        using var index = MultimodalIndex.Open(_dir.Path);
        Assert.Throws<InvalidDataException>(() => index.Identity.Require(Identity with { Dimension = 8 }, index.Folder));
    }

    [Fact]
    public void A_second_writer_and_bad_items_are_refused_without_harm()
    {
        using var w = Writer();
        Assert.Throws<IndexBusyException>(() => Writer());
        Assert.Throws<ArgumentException>(() => w.Upsert(Item("short", "V", new float[3])));
        Assert.Throws<ArgumentException>(() => w.Upsert(Item("nan", "V", [float.NaN, 0, 0, 0])));
        Assert.Throws<ArgumentException>(() => w.Upsert(Item(" ", "V", Axis(0))));
        w.Upsert(Item("good", "V", Axis(0)));
        w.Commit();
        using var index = MultimodalIndex.Open(_dir.Path);
        Assert.Equal(1, index.ItemCount);
    }

    [Fact]
    public void Opening_a_folder_without_an_index_or_with_a_lost_vector_file_says_so()
    {
        Assert.Throws<DirectoryNotFoundException>(() => MultimodalIndex.Open(_dir.Path));
        using (var w = Writer()) { w.Upsert(Item("a", "V", Axis(0))); w.Commit(); }
        foreach (var f in Directory.EnumerateFiles(Path.Combine(_dir.Path, "vectors"), "V.*")) File.Delete(f);
        var e = Assert.Throws<InvalidDataException>(() => MultimodalIndex.Open(_dir.Path));
        Assert.Contains("vector file V.g1.faiss", e.Message);
    }

    [Fact]
    public void Info_reports_items_views_model_and_generation()
    {
        using (var w = MultimodalIndexWriter.Open(_dir.Path, Identity, modelFolder: "/models/x"))
        {
            w.Upsert(Item("a", "TVA", Axis(0), "hello"));
            w.Commit("first");
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        var info = index.Info();
        Assert.Equal(1, info.Items);
        Assert.Equal(1, info.Generation);
        Assert.Equal("model-a", info.Model.Model);
        Assert.Equal("/models/x", info.ModelFolder);
        Assert.Equal(5, info.Views.Count);
        Assert.True(info.Bytes > 0);
    }

    public void Dispose() => _dir.Dispose();
}
