using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;

namespace Affect.Search.Model.Tests.Layers;

/// <summary>Dense and sparse visible data: gathering, selection, and the three batch products agreeing.</summary>
public sealed class VisibleDataTests : IDisposable
{
    private readonly CpuBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    private static readonly float[] Dense =
    [
        0, 2, 0, 1,
        3, 0, 0, 0,
        0, 0, 0, 0,
        1, 1, 1.5f, 0,
        0, 0, 4, 0,
    ];

    [Fact]
    public void Gather_TakesRowsInTheGivenOrder_DenseAndSparse()
    {
        int[] rows = [3, 0, 3, 4];
        var dense = new DenseVisibleData(Dense, 5, 4);
        var sparse = new SparseVisibleData(CsrMatrix.FromDense(Dense, 5, 4));
        using var db = dense.Gather(_backend, rows);
        using var sb = sparse.Gather(_backend, rows);
        Assert.NotNull(db.Dense);
        Assert.NotNull(sb.Sparse);
        var want = rows.SelectMany(r => Dense.Skip(r * 4).Take(4)).ToArray();
        Assert.Equal(want, db.Dense!.ToArray());
        using var sd = sb.ToDense(_backend);
        Assert.Equal(want, sd.ToArray());
        Assert.Equal(4, sb.Rows);
        Assert.Equal(4, sb.Dimension);
        Assert.Equal(want, ((DenseVisibleData)dense.Select(rows)).Values);
        Assert.Equal(want, ((SparseVisibleData)sparse.Select(rows)).Counts.ToDense());
    }

    [Fact]
    public void SparseAndDenseBatches_GiveTheSameProducts()
    {
        int[] rows = [4, 1, 2, 3, 0];
        using var db = new DenseVisibleData(Dense, 5, 4).Gather(_backend, rows);
        using var sb = new SparseVisibleData(CsrMatrix.FromDense(Dense, 5, 4)).Gather(_backend, rows);
        using var w = _backend.FromArray(TestUtil.Normal(4 * 3, 1f, 3), 4, 3);
        using var h = _backend.FromArray(TestUtil.Normal(5 * 3, 1f, 4), 5, 3);

        float[] Project(VisibleBatch b)
        {
            using var o = _backend.FromArray(Enumerable.Repeat(1f, 15).ToArray(), 5, 3);
            b.Project(_backend, 2f, w, 0.5f, o);
            return o.ToArray();
        }
        float[] Outer(VisibleBatch b)
        {
            using var g = _backend.FromArray(Enumerable.Repeat(1f, 12).ToArray(), 4, 3);
            b.AccumulateOuter(_backend, -1f, h, 0.25f, g);
            return g.ToArray();
        }
        float[] Sums(VisibleBatch b)
        {
            using var s = _backend.FromArray([1f, 1f, 1f, 1f], 1, 4);
            b.AccumulateColumnSums(_backend, 3f, 0.5f, s);
            return s.ToArray();
        }

        // Reference in double from the dense rows.
        var v = rows.Select(r => Dense.Skip(r * 4).Take(4).ToArray()).ToArray();
        var wa = w.ToArray();
        var ha = h.ToArray();
        var project = new double[15];
        for (int r = 0; r < 5; r++)
            for (int j = 0; j < 3; j++)
                project[r * 3 + j] = 0.5 + 2 * Enumerable.Range(0, 4).Sum(i => (double)v[r][i] * wa[i * 3 + j]);
        var outer = new double[12];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
                outer[i * 3 + j] = 0.25 - Enumerable.Range(0, 5).Sum(r => (double)v[r][i] * ha[r * 3 + j]);
        var sums = Enumerable.Range(0, 4).Select(i => 0.5 + 3 * v.Sum(row => (double)row[i])).ToArray();

        foreach (var b in new[] { db, sb })
        {
            Assert.True(TestUtil.MaxAbsDiff(project, Project(b).Select(x => (double)x)) < 1e-5);
            Assert.True(TestUtil.MaxAbsDiff(outer, Outer(b).Select(x => (double)x)) < 1e-5);
            Assert.True(TestUtil.MaxAbsDiff(sums, Sums(b).Select(x => (double)x)) < 1e-5);
        }
    }

    [Fact]
    public void DenseVisibleData_RejectsAShapeMismatch()
    {
        var e = Assert.Throws<ArgumentException>(() => new DenseVisibleData(new float[7], 2, 4));
        Assert.Contains("7", e.Message);
        Assert.Equal(0, new DenseVisibleData([], 0, 4).Count);
    }
}
