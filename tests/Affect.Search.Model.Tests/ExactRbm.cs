using Affect.Search.Compute;
using Affect.Search.Model.Data;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Model.Tests;

/// <summary>
/// A brute-force reference for small RBMs with a discrete visible layer, in double precision:
/// enumerates every visible configuration (all binary vectors, or all count vectors of a fixed
/// length for Replicated Softmax) and every binary hidden configuration, and computes the joint
/// distribution p(v, h) = base(v) exp(-E(v, h)) / Z with
/// E(v, h) = -v'Wh - b'v - s a'h (s = 1, or the document length M for Replicated Softmax).
/// base(v) is 1 for binary units and the multinomial coefficient M! / prod_k v_k! for word counts
/// (a count vector stands for that many ordered sequences of M one-hot draws), which is what makes
/// E[v | h] = M softmax(b + W h) the exact conditional mean.
/// Nothing here uses the code under test: conditionals are ratios of sums of joint probabilities.
/// </summary>
public sealed class ExactRbm
{
    private ExactRbm(double[,] weights, double[] visibleBias, double[] hiddenBias, double hiddenBiasScale,
        List<double[]> visibleStates, List<double> logBase)
    {
        W = weights;
        B = visibleBias;
        A = hiddenBias;
        S = hiddenBiasScale;
        VisibleStates = visibleStates;
        LogBase = logBase;
        HiddenStates = Enumerable.Range(0, 1 << A.Length).Select(i => Bits(i, A.Length)).ToList();
        LogJoint = new double[VisibleStates.Count, HiddenStates.Count];
        for (int vi = 0; vi < VisibleStates.Count; vi++)
            for (int hi = 0; hi < HiddenStates.Count; hi++)
                LogJoint[vi, hi] = LogBase[vi] - Energy(VisibleStates[vi], HiddenStates[hi]);
        LogZ = LogSumExp(Cells(LogJoint));
    }

    /// <summary>W, |v| x |h|.</summary>
    public double[,] W { get; }
    /// <summary>b.</summary>
    public double[] B { get; }
    /// <summary>a.</summary>
    public double[] A { get; }
    /// <summary>The hidden-bias scale s (M for Replicated Softmax).</summary>
    public double S { get; }
    /// <summary>Every visible configuration.</summary>
    public List<double[]> VisibleStates { get; }
    /// <summary>log base(v) per visible configuration.</summary>
    public List<double> LogBase { get; }
    /// <summary>Every hidden configuration.</summary>
    public List<double[]> HiddenStates { get; }
    /// <summary>log(base(v) exp(-E(v, h))) over all states.</summary>
    public double[,] LogJoint { get; }
    /// <summary>log Z.</summary>
    public double LogZ { get; }

    /// <summary>Number of visible units.</summary>
    public int Nv => B.Length;
    /// <summary>Number of hidden units.</summary>
    public int Nh => A.Length;

    /// <summary>A Bernoulli-Bernoulli RBM over all 2^|v| binary visible vectors.</summary>
    public static ExactRbm Binary(double[,] w, double[] b, double[] a)
    {
        var states = Enumerable.Range(0, 1 << b.Length).Select(i => Bits(i, b.Length)).ToList();
        return new ExactRbm(w, b, a, 1.0, states, states.Select(_ => 0.0).ToList());
    }

    /// <summary>A Replicated Softmax RBM over all count vectors of length <paramref name="documentLength"/>.</summary>
    public static ExactRbm ReplicatedSoftmax(double[,] w, double[] b, double[] a, int documentLength)
    {
        var states = Compositions(b.Length, documentLength).ToList();
        var logBase = states.Select(v => LogFactorial(documentLength) - v.Sum(c => LogFactorial((int)c))).ToList();
        return new ExactRbm(w, b, a, documentLength, states, logBase);
    }

    /// <summary>Reads the parameters of an RBM with a Bernoulli visible layer.</summary>
    public static ExactRbm BinaryFrom(RestrictedBoltzmannMachine rbm)
    {
        var (w, b, a) = Parameters(rbm);
        return Binary(w, b, a);
    }

    /// <summary>The RBM's parameters in double precision.</summary>
    public static (double[,] W, double[] B, double[] A) Parameters(RestrictedBoltzmannMachine rbm)
    {
        var wf = rbm.Weights.ToArray();
        int nv = rbm.Visible.Size, nh = rbm.Hidden.Size;
        var w = new double[nv, nh];
        for (int i = 0; i < nv; i++)
            for (int j = 0; j < nh; j++) w[i, j] = wf[i * nh + j];
        return (w, rbm.VisibleBias.ToArray().Select(x => (double)x).ToArray(), rbm.HiddenBias.ToArray().Select(x => (double)x).ToArray());
    }

    /// <summary>E(v, h) = -v'Wh - b'v - s a'h.</summary>
    public double Energy(double[] v, double[] h)
    {
        double e = 0;
        for (int i = 0; i < Nv; i++)
        {
            e -= B[i] * v[i];
            for (int j = 0; j < Nh; j++) e -= v[i] * W[i, j] * h[j];
        }
        for (int j = 0; j < Nh; j++) e -= S * A[j] * h[j];
        return e;
    }

    /// <summary>P(h_j = 1 | v) as the ratio of joint sums over h, for a visible configuration.</summary>
    public double[] HiddenPosterior(double[] v)
    {
        var logs = HiddenStates.Select(h => -Energy(v, h)).ToArray();
        double norm = LogSumExp(logs);
        var p = new double[Nh];
        for (int hi = 0; hi < HiddenStates.Count; hi++)
        {
            double w = Math.Exp(logs[hi] - norm);
            for (int j = 0; j < Nh; j++) p[j] += w * HiddenStates[hi][j];
        }
        return p;
    }

    /// <summary>E[v | h] as the ratio of joint sums over all visible configurations.</summary>
    public double[] VisibleConditionalMean(double[] h)
    {
        var logs = Enumerable.Range(0, VisibleStates.Count).Select(vi => LogBase[vi] - Energy(VisibleStates[vi], h)).ToArray();
        double norm = LogSumExp(logs);
        var m = new double[Nv];
        for (int vi = 0; vi < VisibleStates.Count; vi++)
        {
            double w = Math.Exp(logs[vi] - norm);
            for (int i = 0; i < Nv; i++) m[i] += w * VisibleStates[vi][i];
        }
        return m;
    }

    /// <summary>-log sum_h exp(-E(v, h)) by enumeration of h.</summary>
    public double FreeEnergyByEnumeration(double[] v) => -LogSumExp(HiddenStates.Select(h => -Energy(v, h)));

    /// <summary>log p(v) of one (binary) visible configuration, base measure included.</summary>
    public double LogProbability(double[] v)
    {
        int idx = VisibleStates.FindIndex(s => s.SequenceEqual(v));
        double logBase = idx >= 0 ? LogBase[idx] : 0;
        return logBase - FreeEnergyByEnumeration(v) - LogZ;
    }

    /// <summary>Mean log-likelihood of data items.</summary>
    public double MeanLogLikelihood(IReadOnlyList<double[]> data) => data.Average(LogProbability);

    /// <summary>
    /// The exact gradient of the mean log-likelihood: E_data[v P(h|v)'] - E_model[v h'] for W,
    /// E_data[v] - E_model[v] for b and s (E_data[P(h|v)] - E_model[h]) for a.
    /// </summary>
    public (double[,] W, double[] B, double[] A) ExactGradient(IReadOnlyList<double[]> data)
    {
        var gW = new double[Nv, Nh];
        var gB = new double[Nv];
        var gA = new double[Nh];
        foreach (var v in data)
        {
            var ph = HiddenPosterior(v);
            for (int i = 0; i < Nv; i++)
            {
                gB[i] += v[i] / data.Count;
                for (int j = 0; j < Nh; j++) gW[i, j] += v[i] * ph[j] / data.Count;
            }
            for (int j = 0; j < Nh; j++) gA[j] += S * ph[j] / data.Count;
        }
        for (int vi = 0; vi < VisibleStates.Count; vi++)
            for (int hi = 0; hi < HiddenStates.Count; hi++)
            {
                double p = Math.Exp(LogJoint[vi, hi] - LogZ);
                var v = VisibleStates[vi];
                var h = HiddenStates[hi];
                for (int i = 0; i < Nv; i++)
                {
                    gB[i] -= p * v[i];
                    for (int j = 0; j < Nh; j++) gW[i, j] -= p * v[i] * h[j];
                }
                for (int j = 0; j < Nh; j++) gA[j] -= S * p * h[j];
            }
        return (gW, gB, gA);
    }

    /// <summary>
    /// log Z of a Bernoulli-visible RBM of moderate size (|v| up to ~20), summing exp(-F(v)) over all
    /// 2^|v| visible vectors with the model's own <see cref="RestrictedBoltzmannMachine.FreeEnergy"/>
    /// (the hidden layer is summed out analytically there), accumulated in double.
    /// </summary>
    public static double LogPartitionByFreeEnergy(IComputeBackend backend, RestrictedBoltzmannMachine rbm)
    {
        int nv = rbm.Visible.Size;
        long total = 1L << nv;
        const int chunk = 8192;
        var logs = new List<double>((int)total);
        for (long start = 0; start < total; start += chunk)
        {
            int n = (int)Math.Min(chunk, total - start);
            var values = new float[n * nv];
            for (int r = 0; r < n; r++)
                for (int i = 0; i < nv; i++) values[r * nv + i] = ((start + r) >> i & 1) != 0 ? 1f : 0f;
            using var batch = new DenseVisibleData(values, n, nv).GatherAll(backend);
            logs.AddRange(rbm.FreeEnergy(batch).Select(f => -(double)f));
        }
        return LogSumExp(logs);
    }

    /// <summary>Mean log p(v) = -F(v) - log Z over rows of binary data (FreeEnergy from the model).</summary>
    public static double MeanLogLikelihoodByFreeEnergy(IComputeBackend backend, RestrictedBoltzmannMachine rbm, DenseVisibleData data)
    {
        double logZ = LogPartitionByFreeEnergy(backend, rbm);
        using var batch = data.GatherAll(backend);
        return rbm.FreeEnergy(batch).Average(f => -(double)f - logZ);
    }

    /// <summary>The binary digits of <paramref name="value"/>, least significant first.</summary>
    public static double[] Bits(long value, int count)
    {
        var bits = new double[count];
        for (int i = 0; i < count; i++) bits[i] = (value >> i & 1) != 0 ? 1 : 0;
        return bits;
    }

    /// <summary>All vectors of <paramref name="parts"/> non-negative integers summing to <paramref name="total"/>.</summary>
    public static IEnumerable<double[]> Compositions(int parts, int total)
    {
        if (parts == 1) { yield return [total]; yield break; }
        for (int first = 0; first <= total; first++)
            foreach (var rest in Compositions(parts - 1, total - first))
                yield return [first, .. rest];
    }

    /// <summary>log(sum exp(x)) without overflow.</summary>
    public static double LogSumExp(IEnumerable<double> xs)
    {
        var list = xs as IReadOnlyList<double> ?? xs.ToList();
        double max = list.Max();
        if (double.IsNegativeInfinity(max)) return max;
        double s = 0;
        foreach (var x in list) s += Math.Exp(x - max);
        return max + Math.Log(s);
    }

    /// <summary>log(1 + exp(x)).</summary>
    public static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <summary>1 / (1 + exp(-x)).</summary>
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double LogFactorial(int n)
    {
        double s = 0;
        for (int k = 2; k <= n; k++) s += Math.Log(k);
        return s;
    }

    private static IEnumerable<double> Cells(double[,] m)
    {
        foreach (var x in m) yield return x;
    }
}

/// <summary>Small conveniences shared by the tests.</summary>
public static class TestUtil
{
    /// <summary>N(0, std^2) values from a seeded stream.</summary>
    public static float[] Normal(int count, float std, ulong seed)
    {
        var values = new float[count];
        new RandomStream(seed).FillNormal(values, std);
        return values;
    }

    /// <summary>Uploads parameters into an RBM (row-major W, |v| x |h|).</summary>
    public static void SetParameters(IComputeBackend backend, RestrictedBoltzmannMachine rbm, float[] weights, float[] visibleBias, float[] hiddenBias)
    {
        backend.Upload(weights, rbm.Weights);
        backend.Upload(visibleBias, rbm.VisibleBias);
        backend.Upload(hiddenBias, rbm.HiddenBias);
    }

    /// <summary>Random parameters with the given standard deviation.</summary>
    public static void Randomise(IComputeBackend backend, RestrictedBoltzmannMachine rbm, float std, ulong seed)
    {
        int nv = rbm.Visible.Size, nh = rbm.Hidden.Size;
        SetParameters(backend, rbm, Normal(nv * nh, std, seed), Normal(nv, std, seed + 1000), Normal(nh, std, seed + 2000));
    }

    /// <summary>A row-major float array from a list of double rows.</summary>
    public static float[] Flatten(IEnumerable<double[]> rows) => rows.SelectMany(r => r.Select(x => (float)x)).ToArray();

    /// <summary>The max absolute difference between two sequences.</summary>
    public static double MaxAbsDiff(IEnumerable<double> a, IEnumerable<double> b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    /// <summary>A 2-D array read row-major.</summary>
    public static IEnumerable<double> RowMajor(double[,] m)
    {
        foreach (var x in m) yield return x;
    }
}
