using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Features.Corpus;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>The "+ BM25" system: reciprocal rank fusion as the engine's hybrid search does it, and the joint ranking alone without text.</summary>
public sealed class JointWithBm25SystemTests
{
    private sealed class Fixed(string name, float[]? scores) : IRetrievalSystem
    {
        public string Name => name;
        public float[]? Scores(CellData cell) => scores;
    }

    private static CellData Cell(int references)
    {
        ManifestItem Item(string id) => new(id, "words", null, null, null, new Dictionary<string, IReadOnlyList<string>>(), null, 1);
        var empty = new MultimodalDataset(1, new Dictionary<string, VisibleData>());
        return new CellData(new RetrievalCell("T", "full"), empty, [Item("q")], ["T"],
            new MultimodalDataset(references, new Dictionary<string, VisibleData>()), Enumerable.Range(0, references).Select(r => Item($"r{r}")).ToList(),
            Enumerable.Repeat("T", references).ToArray());
    }

    private static int[] Order(float[] scores) => Enumerable.Range(0, scores.Length).Where(i => !float.IsNaN(scores[i])).OrderByDescending(i => scores[i]).ToArray();

    [Fact]
    public void Fuses_the_two_rankings_by_reciprocal_rank_with_ties_by_id()
    {
        // Joint: r0 > r1 > r2 > r3; BM25: r3 > r2, nothing else matches.
        var joint = new Fixed("joint", [0.9f, 0.8f, 0.7f, 0.6f]);
        var bm25 = new Fixed("bm25", [float.NaN, float.NaN, 2f, 3f]);
        var fused = new JointWithBm25System("joint + BM25", joint, bm25).Scores(Cell(4))!;
        // 1/(60 + rank): r3 = 1/64 + 1/61 is just above r2 = 1/63 + 1/62, then r0 = 1/61, r1 = 1/62.
        Assert.Equal([3, 2, 0, 1], Order(fused));
    }

    [Fact]
    public void Without_text_scores_it_is_the_joint_ranking_alone()
    {
        var jointScores = new[] { 0.1f, 0.5f, 0.3f };
        var fused = new JointWithBm25System("joint + BM25", new Fixed("joint", jointScores), new Fixed("bm25", null)).Scores(Cell(3));
        Assert.Same(jointScores, fused);
        Assert.Null(new JointWithBm25System("x", new Fixed("joint", null), new Fixed("bm25", [1f, 2f, 3f])).Scores(Cell(3)));
    }

    [Fact]
    public void Equal_fused_scores_are_ordered_by_reference_id_as_the_engine_orders_them()
    {
        // r1 is first in the joint ranking and second in BM25; r0 the reverse: equal fused scores, r0 < r1 by id.
        var fused = new JointWithBm25System("f", new Fixed("joint", [0.5f, 0.9f]), new Fixed("bm25", [3f, 2f])).Scores(Cell(2))!;
        Assert.Equal([0, 1], Order(fused));
    }
}
