using MathNet.Numerics.LinearAlgebra;

namespace Affect.Search.Evaluation.Baselines;

/// <summary>
/// Regularised canonical correlation analysis between two views (x: low-level features, y: word counts), the
/// classic cross-modal retrieval baseline: both views are projected into a shared space where paired items
/// are maximally correlated, and compared there by cosine.
/// </summary>
/// <remarks>
/// Each view is centred and reduced by PCA to at most <c>maxInputDimension</c> principal directions (from the
/// d x d covariance or, when items are fewer than dimensions, the n x n Gram matrix; directions with variance
/// below 1e-10 of the largest are dropped as numerically empty). In that basis the covariance is diagonal, so
/// the regularised whitening (C + r I)^(-1/2) is a per-direction scale, with r = regularisation x the view's
/// largest principal variance (relative, so the same setting suits any feature scale). The SVD of the whitened
/// cross-covariance gives the canonical pairs. All arithmetic is in double with MathNet's decompositions.
/// </remarks>
public sealed class CanonicalCorrelation
{
    private readonly View _x, _y;

    private CanonicalCorrelation(View x, View y, double[] correlations)
    {
        _x = x;
        _y = y;
        Correlations = correlations;
    }

    /// <summary>Dimension of the shared space.</summary>
    public int Components => Correlations.Count;

    /// <summary>
    /// Canonical correlations on the training data, descending: the singular values of the regularised whitened
    /// cross-covariance, which equal the plain canonical correlations as the regularisation goes to 0.
    /// </summary>
    public IReadOnlyList<double> Correlations { get; }

    /// <summary>
    /// Fits CCA on paired rows: row i of <paramref name="x"/> (row-major, <paramref name="xDimension"/> values) goes
    /// with row i of <paramref name="y"/>. At most <paramref name="components"/> are kept: fewer when a view keeps
    /// fewer principal directions (see <see cref="Components"/>).
    /// </summary>
    public static CanonicalCorrelation Fit(float[] x, int xDimension, float[] y, int yDimension, int components, double regularisation = 1e-3, int maxInputDimension = 256)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (xDimension <= 0 || yDimension <= 0) throw new ArgumentException($"dimensions must be at least 1 (x: {xDimension}, y: {yDimension})");
        if (x.Length % xDimension != 0) throw new ArgumentException($"{x.Length} x values do not fill rows of {xDimension}", nameof(x));
        if (y.Length % yDimension != 0) throw new ArgumentException($"{y.Length} y values do not fill rows of {yDimension}", nameof(y));
        int n = x.Length / xDimension;
        if (y.Length / yDimension != n) throw new ArgumentException($"x has {n} rows and y {y.Length / yDimension}: the views must be paired row by row");
        if (n < 2) throw new ArgumentException($"CCA needs at least 2 paired rows, got {n}");
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "at least one component is needed");
        if (!(regularisation >= 0) || double.IsInfinity(regularisation)) throw new ArgumentOutOfRangeException(nameof(regularisation), regularisation, "the regularisation must be finite and non-negative");
        if (maxInputDimension < 1) throw new ArgumentOutOfRangeException(nameof(maxInputDimension), maxInputDimension, "at least one input direction is needed");

        var vx = View.Fit(x, n, xDimension, maxInputDimension, regularisation, "x");
        var vy = View.Fit(y, n, yDimension, maxInputDimension, regularisation, "y");
        // A small or redundant training set keeps few directions; more components would be noise.
        components = Math.Min(components, Math.Min(vx.Whitening.ColumnCount, vy.Whitening.ColumnCount));

        // Whitened training scores; their cross-covariance's singular pairs are the canonical directions.
        var zx = vx.Centred.Multiply(vx.Whitening);
        var zy = vy.Centred.Multiply(vy.Whitening);
        var cross = zx.TransposeThisAndMultiply(zy).Divide(n - 1);
        var svd = cross.Svd(computeVectors: true);
        var u = svd.U.SubMatrix(0, svd.U.RowCount, 0, components);
        var v = svd.VT.Transpose().SubMatrix(0, svd.VT.ColumnCount, 0, components);
        var correlations = svd.S.Take(components).ToArray();
        return new CanonicalCorrelation(vx.WithDirections(u), vy.WithDirections(v), correlations);
    }

    /// <summary>Projects x rows (row-major, the fitted x dimension) into the shared space: rows x <see cref="Components"/>.</summary>
    public float[] ProjectX(float[] x) => _x.Project(x, "x");

    /// <summary>Projects y rows (row-major, the fitted y dimension) into the shared space: rows x <see cref="Components"/>.</summary>
    public float[] ProjectY(float[] y) => _y.Project(y, "y");

    /// <summary>One view: its mean and the map from centred input to the output space.</summary>
    private sealed class View
    {
        private View(double[] mean, Matrix<double> whitening, Matrix<double> centred)
        {
            Mean = mean;
            Whitening = whitening;
            Centred = centred;
        }

        public double[] Mean { get; }

        /// <summary>Input dimension x output columns (whitened principal directions, or canonical directions).</summary>
        public Matrix<double> Whitening { get; }

        /// <summary>The centred training rows (released after fitting).</summary>
        public Matrix<double> Centred { get; }

        public static View Fit(float[] values, int n, int d, int maxDirections, double regularisation, string name)
        {
            var mean = new double[d];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) mean[j] += values[i * d + j];
            for (int j = 0; j < d; j++) mean[j] /= n;
            var centred = Matrix<double>.Build.Dense(n, d, (i, j) => values[i * d + j] - mean[j]);
            if (centred.Enumerate().Any(v => !double.IsFinite(v))) throw new ArgumentException($"view {name} has non-finite values", name);

            // Principal directions and variances, largest first, from the smaller of the two Gram forms.
            Matrix<double> directions;
            double[] variances;
            if (d <= n)
            {
                var evd = centred.TransposeThisAndMultiply(centred).Divide(n - 1).Evd(Symmetricity.Symmetric);
                var order = Descending(evd.EigenValues.Select(e => e.Real).ToArray());
                variances = order.Select(k => evd.EigenValues[k].Real).ToArray();
                directions = Matrix<double>.Build.DenseOfColumnVectors(order.Select(k => evd.EigenVectors.Column(k)));
            }
            else
            {
                // X X' u = mu u gives the principal direction X' u / sqrt(mu) with variance mu / (n - 1).
                var evd = centred.TransposeAndMultiply(centred).Evd(Symmetricity.Symmetric);
                var order = Descending(evd.EigenValues.Select(e => e.Real).ToArray());
                variances = order.Select(k => evd.EigenValues[k].Real / (n - 1)).ToArray();
                directions = Matrix<double>.Build.DenseOfColumnVectors(order.Select(k =>
                {
                    double mu = Math.Max(evd.EigenValues[k].Real, double.Epsilon);
                    return centred.TransposeThisAndMultiply(evd.EigenVectors.Column(k)).Divide(Math.Sqrt(mu));
                }));
            }
            double largest = variances.Length == 0 ? 0 : variances[0];
            if (!(largest > 0)) throw new ArgumentException($"view {name} has no variance: every row is the same", name);
            int keep = Math.Min(maxDirections, variances.TakeWhile(v => v > 1e-10 * largest).Count());
            double ridge = regularisation * largest;
            var whitening = Matrix<double>.Build.Dense(d, keep, (j, k) => directions[j, k] / Math.Sqrt(variances[k] + ridge));
            return new View(mean, whitening, centred);
        }

        private static int[] Descending(double[] values)
            => Enumerable.Range(0, values.Length).OrderByDescending(k => values[k]).ThenBy(k => k).ToArray();

        public View WithDirections(Matrix<double> canonical)
            => new(Mean, Whitening.Multiply(canonical), Matrix<double>.Build.Dense(0, 0));

        public float[] Project(float[] values, string name)
        {
            ArgumentNullException.ThrowIfNull(values, name);
            int d = Mean.Length, k = Whitening.ColumnCount;
            if (values.Length % d != 0) throw new ArgumentException($"{values.Length} {name} values do not fill rows of {d}", name);
            int rows = values.Length / d;
            var map = Whitening.ToColumnArrays();
            var projected = new float[(long)rows * k];
            Parallel.For(0, rows, i =>
            {
                var centred = new double[d];
                for (int j = 0; j < d; j++) centred[j] = values[i * d + j] - Mean[j];
                for (int c = 0; c < k; c++)
                {
                    var column = map[c];
                    double s = 0;
                    for (int j = 0; j < d; j++) s += centred[j] * column[j];
                    projected[i * k + c] = (float)s;
                }
            });
            return projected;
        }
    }
}
