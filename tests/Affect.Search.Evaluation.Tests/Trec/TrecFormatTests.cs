using System.Globalization;
using Affect.Search.Evaluation.Trec;

namespace Affect.Search.Evaluation.Tests.Trec;

public class TrecFormatTests
{
    [Fact]
    public void Run_lines_have_ranks_and_strictly_decreasing_scores()
    {
        var writer = new StringWriter();
        TrecFormat.WriteRun(writer, "emdbm", [("q1", ["d3", "d1", "d2"]), ("q2", ["d9"])]);
        Assert.Equal(
            "q1 Q0 d3 1 3 emdbm\n" +
            "q1 Q0 d1 2 2 emdbm\n" +
            "q1 Q0 d2 3 1 emdbm\n" +
            "q2 Q0 d9 1 1 emdbm\n", writer.ToString());
    }

    [Fact]
    public void Re_sorting_by_score_as_trec_eval_does_reproduces_the_order()
    {
        // Document ids chosen so that sorting by id alone would scramble the order.
        var ranked = new[] { "z", "b", "y", "a", "m" };
        var writer = new StringWriter();
        TrecFormat.WriteRun(writer, "r", [("q", ranked)]);
        var resorted = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .OrderByDescending(f => double.Parse(f[4], CultureInfo.InvariantCulture)).ThenByDescending(f => f[2], StringComparer.Ordinal)
            .Select(f => f[2]);
        Assert.Equal(ranked, resorted);
    }

    [Fact]
    public void Qrels_lines_list_every_relevant_document()
    {
        var writer = new StringWriter();
        TrecFormat.WriteQrels(writer, [("q1", ["d1", "d2"]), ("q2", []), ("q3", ["d7"])]);
        Assert.Equal("q1 0 d1 1\nq1 0 d2 1\nq3 0 d7 1\n", writer.ToString());
    }

    [Fact]
    public void Ids_with_whitespace_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => TrecFormat.WriteRun(new StringWriter(), "run", [("q1", ["d 1"])]));
        Assert.Contains("'d 1'", e.Message);
        e = Assert.Throws<ArgumentException>(() => TrecFormat.WriteQrels(new StringWriter(), [("q\t1", ["d1"])]));
        Assert.Contains("'q\t1'", e.Message);
        e = Assert.Throws<ArgumentException>(() => TrecFormat.WriteRun(new StringWriter(), "my run", [("q1", ["d1"])]));
        Assert.Contains("'my run'", e.Message);
        Assert.Throws<ArgumentException>(() => TrecFormat.WriteRun(new StringWriter(), "run", [("q1", ["d1", "d1"])]));
    }
}
