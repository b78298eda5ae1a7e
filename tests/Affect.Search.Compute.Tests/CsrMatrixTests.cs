namespace Affect.Search.Compute.Tests;

public class CsrMatrixTests
{
    private static readonly float[] Dense =
    {
        0, 2, 0, 0,
        0, 0, 0, 0,
        1, 0, 0, 3.5f,
        0, 0, -4, 0,
    };

    [Fact]
    public void FromDense_ToDense_RoundTrip()
    {
        var csr = CsrMatrix.FromDense(Dense, 4, 4);
        Assert.Equal(4, csr.Rows);
        Assert.Equal(4, csr.Cols);
        Assert.Equal(4, csr.NonZeros);
        Assert.Equal(new[] { 0, 1, 1, 3, 4 }, csr.RowStarts);
        Assert.Equal(new[] { 1, 0, 3, 2 }, csr.ColumnIndices);
        Assert.Equal(new[] { 2f, 1f, 3.5f, -4f }, csr.Values);
        Assert.Equal(Dense, csr.ToDense());

        var random = TestUtil.RandomArray(37 * 23, 1).Select(v => v > 0.5f ? v : 0f).ToArray();
        Assert.Equal(random, CsrMatrix.FromDense(random, 37, 23).ToDense());
    }

    [Fact]
    public void FromDense_RejectsWrongLength_AndHandlesEmpty()
    {
        Assert.ThrowsAny<ArgumentException>(() => CsrMatrix.FromDense(new float[5], 2, 3));
        var empty = CsrMatrix.FromDense(new float[6], 2, 3);
        Assert.Equal(0, empty.NonZeros);
        Assert.Equal(new float[6], empty.ToDense());
        var none = CsrMatrix.FromDense(ReadOnlySpan<float>.Empty, 0, 3);
        Assert.Equal(0, none.Rows);
        Assert.Empty(none.ToDense());
    }

    [Fact]
    public void FromRows_BuildsTheSameMatrix()
    {
        var rows = new List<IReadOnlyList<(int, float)>>
        {
            new[] { (1, 2f) },
            Array.Empty<(int, float)>(),
            new[] { (0, 1f), (3, 3.5f) },
            new[] { (2, -4f) },
        };
        var csr = CsrMatrix.FromRows(4, rows);
        Assert.Equal(Dense, csr.ToDense());
        Assert.Throws<ArgumentException>(() => CsrMatrix.FromRows(3, rows)); // column 3 out of range
    }

    [Fact]
    public void ToDense_SumsDuplicateEntries()
    {
        var csr = new CsrMatrix(1, 3, new[] { 0, 3 }, new[] { 2, 0, 2 }, new[] { 1f, 5f, 2f });
        Assert.Equal(new[] { 5f, 0f, 3f }, csr.ToDense());
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2 }, "rows+1")]          // too few row starts
    [InlineData(new[] { 0, 1, 2, 3, 3 }, "rows+1")]    // too many
    [InlineData(new[] { 1, 1, 2, 3 }, "start at 0")]   // does not start at 0
    [InlineData(new[] { 0, 1, 2, 2 }, "end at")]       // does not end at the value count
    [InlineData(new[] { 0, 2, 1, 3 }, "decreases")]    // decreasing
    public void Constructor_RejectsBadRowStarts(int[] rowStarts, string messagePart)
    {
        var ex = Assert.Throws<ArgumentException>(() => new CsrMatrix(3, 4, rowStarts, new[] { 0, 1, 2 }, new[] { 1f, 2f, 3f }));
        Assert.Contains(messagePart, ex.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Constructor_RejectsColumnOutOfRange(int badColumn)
    {
        var ex = Assert.Throws<ArgumentException>(() => new CsrMatrix(2, 4, new[] { 0, 1, 2 }, new[] { 0, badColumn }, new[] { 1f, 2f }));
        Assert.Contains($"column index {badColumn}", ex.Message);
    }

    [Fact]
    public void Constructor_RejectsIndexValueLengthMismatch()
    {
        Assert.Throws<ArgumentException>(() => new CsrMatrix(1, 4, new[] { 0, 2 }, new[] { 0, 1 }, new[] { 1f }));
    }

    [Fact]
    public void SelectRows_KeepsOrder_AllowsRepeats()
    {
        var csr = CsrMatrix.FromDense(Dense, 4, 4);
        var sel = csr.SelectRows(new[] { 3, 1, 2, 3, 0 });
        Assert.Equal(5, sel.Rows);
        Assert.Equal(4, sel.Cols);
        var expected = new[] { 3, 1, 2, 3, 0 }.SelectMany(r => Dense.Skip(r * 4).Take(4)).ToArray();
        Assert.Equal(expected, sel.ToDense());
        Assert.Equal(5, sel.NonZeros);

        var none = csr.SelectRows(ReadOnlySpan<int>.Empty);
        Assert.Equal(0, none.Rows);
        Assert.Equal(0, none.NonZeros);

        // The selection is a copy: changing it does not change the source.
        sel.Values[0] = 100f;
        Assert.Equal(Dense, csr.ToDense());
    }

    [Fact]
    public void Upload_KeepsHostCopyAndShape()
    {
        using var backend = new Cpu.CpuBackend(useOpenBlas: false);
        var csr = CsrMatrix.FromDense(Dense, 4, 4);
        using var s = backend.Upload(csr);
        Assert.Same(backend, s.Backend);
        Assert.Same(csr, s.Host);
        Assert.Equal((4, 4), (s.Rows, s.Cols));
    }
}
