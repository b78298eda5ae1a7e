using Affect.Search.Index.Tests.Text;

namespace Affect.Search.Index.Tests;

/// <summary>
/// The bounds of one search request: pages beyond <see cref="SearchLimits"/> are refused with a clear message
/// (never an overflow or a huge allocation), and within them no search asks for more than the view holds.
/// </summary>
public sealed class SearchLimitsTests : IDisposable
{
    private readonly TempIndexDirectory _dir = new();
    private static readonly IndexIdentity Identity = new("model-a", "features-a", 4);

    public void Dispose() => _dir.Dispose();

    private MultimodalIndex ThreeItems()
    {
        using (var w = MultimodalIndexWriter.Open(_dir.Path, Identity))
        {
            for (int i = 0; i < 3; i++)
            {
                var v = new float[4];
                v[i] = 1;
                w.Upsert(new ItemToIndex(new IndexedItem($"i{i}", $"word{i} shared", new Dictionary<string, IReadOnlyList<string>>(),
                    new Dictionary<string, string>(), "T", null), new Dictionary<string, float[]> { ["full"] = v, ["T"] = v }));
            }
            w.Commit();
        }
        return MultimodalIndex.Open(_dir.Path);
    }

    [Fact]
    public void Pages_are_bounded_by_k_and_the_result_window_without_overflow()
    {
        Assert.Null(SearchLimits.PageProblem(SearchLimits.MaxK, SearchLimits.MaxResultWindow - SearchLimits.MaxK));
        Assert.Contains($"between 1 and {SearchLimits.MaxK}", SearchLimits.PageProblem(SearchLimits.MaxK + 1, 0));
        Assert.Contains("between 1", SearchLimits.PageProblem(0, 0));
        Assert.Contains("must not be negative", SearchLimits.PageProblem(1, -1));
        Assert.Contains($"at most {SearchLimits.MaxResultWindow}", SearchLimits.PageProblem(1, SearchLimits.MaxResultWindow));
        Assert.Contains($"at most {SearchLimits.MaxResultWindow}", SearchLimits.PageProblem(SearchLimits.MaxK, int.MaxValue));
        Assert.Contains($"at most {SearchLimits.MaxResultWindow}", SearchLimits.WindowProblem(int.MaxValue, int.MaxValue));
    }

    [Fact]
    public void Vector_and_text_searches_refuse_requests_beyond_the_window()
    {
        using var index = ThreeItems();
        float[] query = [1, 0, 0, 0];
        var overflow = Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchVectors("full", query, 20, int.MaxValue));
        Assert.Contains($"offset + k must be at most {SearchLimits.MaxResultWindow}", overflow.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchVectors("full", query, 300_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchVectors("full", query, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchText("shared", SearchLimits.MaxResultWindow + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchText("shared", int.MaxValue));
    }

    [Fact]
    public void A_whole_window_on_a_small_view_gives_what_the_view_holds()
    {
        using var index = ThreeItems();
        float[] queries = [1, 0, 0, 0, 0, 1, 0, 0];
        var all = index.SearchVectors("full", queries, SearchLimits.MaxResultWindow);
        Assert.All(all, hits => Assert.Equal(3, hits.Count));
        Assert.Equal("i1", all[1][0].Item.Id);
        Assert.Equal(["i1", "i2"], index.SearchVectors("full", queries, 5, offset: 1)[0].Select(h => h.Item.Id).Order());
        Assert.All(index.SearchVectors("full", queries, SearchLimits.MaxK, offset: SearchLimits.MaxResultWindow - SearchLimits.MaxK), Assert.Empty);
        Assert.Equal(3, index.SearchText("shared", SearchLimits.MaxResultWindow).Count);
    }

    [Fact]
    public void An_id_over_the_text_index_term_limit_is_refused_before_anything_changes()
    {
        using (var w = MultimodalIndexWriter.Open(_dir.Path, Identity))
        {
            var item = new IndexedItem(new string('a', MultimodalIndexWriter.MaxIdBytes + 1), "text", new Dictionary<string, IReadOnlyList<string>>(),
                new Dictionary<string, string>(), "T", null);
            var e = Assert.Throws<ArgumentException>(() => w.Upsert(new ItemToIndex(item, new Dictionary<string, float[]> { ["T"] = [1, 0, 0, 0] })));
            Assert.Contains($"over the text index's limit of {MultimodalIndexWriter.MaxIdBytes} bytes", e.Message);
            w.Upsert(new ItemToIndex(item with { Id = "fine" }, new Dictionary<string, float[]> { ["T"] = [1, 0, 0, 0] }));
            w.Commit();
        }
        using var index = MultimodalIndex.Open(_dir.Path);
        Assert.Equal(1, index.ItemCount);
    }

    [Fact]
    public void A_second_writer_is_told_the_index_is_busy()
    {
        using var first = MultimodalIndexWriter.Open(_dir.Path, Identity);
        var busy = Assert.Throws<IndexBusyException>(() => MultimodalIndexWriter.Open(_dir.Path, Identity));
        Assert.Contains("is being written by another process", busy.Message);
        Assert.Equal(Path.GetFullPath(_dir.Path), Path.GetFullPath(busy.Folder));
    }
}
