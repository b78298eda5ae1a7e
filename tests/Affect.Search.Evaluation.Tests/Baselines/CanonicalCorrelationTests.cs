using Affect.Search.Evaluation.Baselines;
using Affect.Search.Evaluation.Retrieval;

namespace Affect.Search.Evaluation.Tests.Baselines;

public class CanonicalCorrelationTests
{
    /// <summary>
    /// Paired views sharing latent factors z_k: x holds z_k + noise of sd s_k (then mixed by a random matrix and padded
    /// with pure-noise columns), y the same with fresh noise, so the planted canonical correlation of factor k is
    /// 1 / (1 + s_k^2).
    /// </summary>
    private static (float[] X, float[] Y) Planted(int n, double[] noise, int xDim, int yDim, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var mixX = new double[xDim * xDim];
        var mixY = new double[yDim * yDim];
        for (int i = 0; i < mixX.Length; i++) mixX[i] = Normal();
        for (int i = 0; i < mixY.Length; i++) mixY[i] = Normal();
        var x = new float[n * xDim];
        var y = new float[n * yDim];
        var rawX = new double[xDim];
        var rawY = new double[yDim];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < xDim; j++) rawX[j] = Normal();
            for (int j = 0; j < yDim; j++) rawY[j] = Normal();
            for (int k = 0; k < noise.Length; k++)
            {
                double z = Normal();
                rawX[k] = z + noise[k] * Normal();
                rawY[k] = z + noise[k] * Normal();
            }
            // Invertible mixing keeps the canonical correlations and hides the factors from any single column.
            for (int a = 0; a < xDim; a++) { double s = 5; for (int b = 0; b < xDim; b++) s += mixX[a * xDim + b] * rawX[b]; x[i * xDim + a] = (float)s; }
            for (int a = 0; a < yDim; a++) { double s = -3; for (int b = 0; b < yDim; b++) s += mixY[a * yDim + b] * rawY[b]; y[i * yDim + a] = (float)s; }
        }
        return (x, y);
    }

    [Fact]
    public void Recovers_planted_correlations_and_pairs()
    {
        var noise = new[] { 0.3, 0.5, 0.7 }; // planted correlations 0.917, 0.8, 0.671
        const int train = 3000, held = 300;
        var (x, y) = Planted(train + held, noise, 8, 12, seed: 4);
        var cca = CanonicalCorrelation.Fit(x[..(train * 8)], 8, y[..(train * 12)], 12, components: 3, regularisation: 1e-6);
        Assert.Equal(3, cca.Components);
        for (int k = 0; k < 3; k++) Assert.Equal(1 / (1 + noise[k] * noise[k]), cca.Correlations[k], 0.03);

        // Held-out pairs: for each x row, is its own y row among the 10 best of 300 by cosine in the shared space?
        var scores = Ranking.CosineScores(cca.ProjectX(x[(train * 8)..]), cca.ProjectY(y[(train * 12)..]), 3);
        var ties = Enumerable.Range(0, held).ToArray();
        int hits = 0;
        for (int i = 0; i < held; i++)
            if (Ranking.Top(scores.AsSpan(i * held, held), 10, ties).Contains(i)) hits++;
        // Chance is 10 / 300 = 3.3%.
        Assert.True(hits > 0.25 * held, $"paired row in the top 10 for {hits} of {held}");
    }

    [Fact]
    public void First_correlation_matches_a_brute_force_search_in_two_dimensions()
    {
        var random = new Random(9);
        const int n = 200;
        var x = new float[n * 2];
        var y = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            double a = random.NextDouble(), b = random.NextDouble(), c = random.NextDouble();
            x[2 * i] = (float)(a + 0.5 * b); x[2 * i + 1] = (float)(b - c);
            y[2 * i] = (float)(0.3 * a + random.NextDouble()); y[2 * i + 1] = (float)(c + 0.2 * random.NextDouble());
        }
        var cca = CanonicalCorrelation.Fit(x, 2, y, 2, components: 1, regularisation: 0);

        // max over directions u = (cos t, sin t), v = (cos p, sin p) of |corr(u'x, v'y)|, from the covariances.
        double[] Cov(float[] p, float[] q)
        {
            double mp0 = 0, mp1 = 0, mq0 = 0, mq1 = 0;
            for (int i = 0; i < n; i++) { mp0 += p[2 * i]; mp1 += p[2 * i + 1]; mq0 += q[2 * i]; mq1 += q[2 * i + 1]; }
            mp0 /= n; mp1 /= n; mq0 /= n; mq1 /= n;
            var c = new double[4];
            for (int i = 0; i < n; i++)
            {
                double p0 = p[2 * i] - mp0, p1 = p[2 * i + 1] - mp1, q0 = q[2 * i] - mq0, q1 = q[2 * i + 1] - mq1;
                c[0] += p0 * q0; c[1] += p0 * q1; c[2] += p1 * q0; c[3] += p1 * q1;
            }
            return c;
        }
        var cxx = Cov(x, x); var cyy = Cov(y, y); var cxy = Cov(x, y);
        double best = 0;
        const int steps = 3600; // 0.05 degree: the error at the maximum is second order, ~1e-6
        var cosines = Enumerable.Range(0, steps).Select(k => Math.Cos(Math.PI * k / steps)).ToArray();
        var sines = Enumerable.Range(0, steps).Select(k => Math.Sin(Math.PI * k / steps)).ToArray();
        for (int t = 0; t < steps; t++)
        {
            double u0 = cosines[t], u1 = sines[t];
            double vx = u0 * u0 * cxx[0] + 2 * u0 * u1 * cxx[1] + u1 * u1 * cxx[3];
            double w0 = u0 * cxy[0] + u1 * cxy[2], w1 = u0 * cxy[1] + u1 * cxy[3];
            for (int p = 0; p < steps; p++)
            {
                double v0 = cosines[p], v1 = sines[p];
                double vy = v0 * v0 * cyy[0] + 2 * v0 * v1 * cyy[1] + v1 * v1 * cyy[3];
                best = Math.Max(best, Math.Abs(w0 * v0 + w1 * v1) / Math.Sqrt(vx * vy));
            }
        }
        Assert.Equal(best, cca.Correlations[0], 4);

        // The projections themselves have that correlation.
        var px = cca.ProjectX(x);
        var py = cca.ProjectY(y);
        Assert.Equal(best, Math.Abs(Correlation(px, py)), 4);
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CanonicalCorrelation.Fit(new float[6], 2, new float[4], 2, 1));
        Assert.Throws<ArgumentException>(() => CanonicalCorrelation.Fit(new float[5], 2, new float[4], 2, 1));
        var (x, y) = Planted(50, [0.5], 3, 2, seed: 1);
        // More components than the smaller view keeps: as many as it keeps.
        var cca = CanonicalCorrelation.Fit(x, 3, y, 2, components: 3);
        Assert.Equal(2, cca.Components);
        Assert.Throws<ArgumentException>(() => cca.ProjectX(new float[4]));
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += (a[i] - ma) * (b[i] - mb); aa += (a[i] - ma) * (a[i] - ma); bb += (b[i] - mb) * (b[i] - mb); }
        return ab / Math.Sqrt(aa * bb);
    }
}
