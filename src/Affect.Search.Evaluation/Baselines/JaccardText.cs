using Affect.Search.Compute;

namespace Affect.Search.Evaluation.Baselines;

/// <summary>
/// The paper's text baseline: the generalised Jaccard coefficient sum_j min(q_j, r_j) / sum_j max(q_j, r_j)
/// between word-count vectors (1 for identical counts, 0 for no shared word).
/// </summary>
public static class JaccardText
{
    /// <summary>
    /// Scores of every query row against every reference row, row-major queries x references. A query or
    /// reference row without words (no positive count) scores NaN, so it ranks last instead of tying at 0 with
    /// genuine non-matches. Counts must be finite and non-negative; repeated columns within a row are summed.
    /// </summary>
    public static float[] Scores(CsrMatrix queries, CsrMatrix references)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(references);
        if (queries.Cols != references.Cols)
            throw new ArgumentException($"queries have {queries.Cols} words and references {references.Cols}: both must use one vocabulary");
        var q = CanonicalRows.Of(queries, nameof(queries));
        var r = CanonicalRows.Of(references, nameof(references));
        int nq = queries.Rows, nr = references.Rows;

        // Postings (reference, count) per word: only references sharing a word with the query are touched.
        var starts = new int[references.Cols + 1];
        foreach (var c in r.Columns) starts[c + 1]++;
        for (int c = 0; c < references.Cols; c++) starts[c + 1] += starts[c];
        var postRow = new int[r.Columns.Length];
        var postValue = new double[r.Columns.Length];
        var fill = starts[..^1].ToArray();
        for (int row = 0; row < nr; row++)
            for (int p = r.Starts[row]; p < r.Starts[row + 1]; p++)
            {
                int slot = fill[r.Columns[p]]++;
                postRow[slot] = row;
                postValue[slot] = r.Values[p];
            }

        var scores = new float[(long)nq * nr];
        // Each query is summed by one task in a fixed order, so results do not depend on scheduling.
        Parallel.For(0, nq, () => new double[nr], (i, _, mins) =>
        {
            var output = scores.AsSpan(i * nr, nr);
            double qSum = q.Sum[i];
            if (!(qSum > 0)) { output.Fill(float.NaN); return mins; }
            for (int p = q.Starts[i]; p < q.Starts[i + 1]; p++)
            {
                double v = q.Values[p];
                int c = q.Columns[p];
                for (int s = starts[c]; s < starts[c + 1]; s++) mins[postRow[s]] += Math.Min(v, postValue[s]);
            }
            for (int j = 0; j < nr; j++)
            {
                double rSum = r.Sum[j];
                // For non-negative counts sum(max) = sum(q) + sum(r) - sum(min).
                output[j] = rSum > 0 ? (float)(mins[j] / (qSum + rSum - mins[j])) : float.NaN;
                mins[j] = 0;
            }
            return mins;
        }, _ => { });
        return scores;
    }

    /// <summary>A CSR matrix with each row's columns sorted and repeats summed, plus row sums.</summary>
    private sealed record CanonicalRows(int[] Starts, int[] Columns, double[] Values, double[] Sum)
    {
        public static CanonicalRows Of(CsrMatrix m, string name)
        {
            var starts = new int[m.Rows + 1];
            var columns = new List<int>(m.NonZeros);
            var values = new List<double>(m.NonZeros);
            var sums = new double[m.Rows];
            var entries = new List<(int Column, double Value)>();
            for (int row = 0; row < m.Rows; row++)
            {
                entries.Clear();
                for (int p = m.RowStarts[row]; p < m.RowStarts[row + 1]; p++)
                {
                    float v = m.Values[p];
                    if (!float.IsFinite(v) || v < 0)
                        throw new ArgumentException($"{name} row {row} has count {v} for word {m.ColumnIndices[p]}: counts must be finite and non-negative", name);
                    if (v > 0) entries.Add((m.ColumnIndices[p], v));
                }
                entries.Sort((a, b) => a.Column.CompareTo(b.Column));
                for (int e = 0; e < entries.Count; e++)
                {
                    if (e > 0 && entries[e].Column == entries[e - 1].Column) values[^1] += entries[e].Value;
                    else { columns.Add(entries[e].Column); values.Add(entries[e].Value); }
                    sums[row] += entries[e].Value;
                }
                starts[row + 1] = columns.Count;
            }
            return new CanonicalRows(starts, columns.ToArray(), values.ToArray(), sums);
        }
    }
}
