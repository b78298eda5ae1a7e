using Affect.Search.Compute;
using Affect.Search.Evaluation.Baselines;

namespace Affect.Search.Evaluation.Tests.Baselines;

public class JaccardTextTests
{
    [Fact]
    public void Scores_match_hand_computed_coefficients()
    {
        // Four words. Query 2 stores word 1 as two entries (1 + 2) that must be summed to 3.
        var queries = CsrMatrix.FromRows(4, [
            [(0, 2f), (1, 1f)],        // q0 = [2, 1, 0, 0]
            [],                        // q1: no words
            [(1, 1f), (3, 1f), (1, 2f)], // q2 = [0, 3, 0, 1]
        ]);
        var references = CsrMatrix.FromRows(4, [
            [(0, 1f), (1, 1f), (2, 1f)], // r0 = [1, 1, 1, 0]
            [(1, 1f), (0, 2f)],          // r1 = [2, 1, 0, 0]
            [(3, 5f)],                   // r2 = [0, 0, 0, 5]
            [(2, 0f)],                   // r3: an explicit zero, still no words
        ]);
        var s = JaccardText.Scores(queries, references);
        Assert.Equal(12, s.Length);
        // q0: r0 min 1+1 = 2, max 2+1+1 = 4; r1 identical; r2 min 0, max 2+1+5 = 8.
        Assert.Equal(0.5f, s[0], 6);
        Assert.Equal(1f, s[1], 6);
        Assert.Equal(0f, s[2], 6);
        Assert.True(float.IsNaN(s[3]));
        for (int j = 4; j < 8; j++) Assert.True(float.IsNaN(s[j]));
        // q2: r0 min 1, max 1+3+1+1 = 6; r1 min 1, max 2+3+1 = 6; r2 min 1, max 3+5 = 8.
        Assert.Equal(1f / 6, s[8], 6);
        Assert.Equal(1f / 6, s[9], 6);
        Assert.Equal(1f / 8, s[10], 6);
        Assert.True(float.IsNaN(s[11]));
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        var a = CsrMatrix.FromRows(3, [[(0, 1f)]]);
        Assert.Throws<ArgumentException>(() => JaccardText.Scores(a, CsrMatrix.FromRows(4, [[(0, 1f)]])));
        Assert.Throws<ArgumentException>(() => JaccardText.Scores(a, CsrMatrix.FromRows(3, [[(0, -1f)]])));
    }
}
