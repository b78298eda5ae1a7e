using Affect.Search.Features.Media;

namespace Affect.Search.Features.Audio;

/// <summary>
/// Audio-Six (Section III-B of the paper, after [1]): energy entropy, signal energy, zero-crossing rate,
/// spectral rolloff, spectral centroid and spectral flux, computed per 32 ms window
/// (<see cref="AudioWindows"/>) and average-pooled over the clip's windows. Every value is bounded, so the
/// vector sits on a scale comparable with the bag-of-words histogram it is concatenated with.
/// </summary>
/// <remarks>
/// Per window, with x the raw (un-windowed) samples of length L and P the power spectrum of the
/// Hamming-windowed samples (bins 0..N/2, bin k at k·fs/N Hz):
/// <list type="number">
/// <item><b>Energy entropy</b> [0, 1]: the window is split into <see cref="SubFrames"/> (10) equal sub-frames,
/// p_j = (sub-frame energy) / (window energy), value = −Σ p_j·log p_j / log(10) (normalised by its maximum).</item>
/// <item><b>Signal energy</b>: mean of x² (a sine of amplitude A gives A²/2; full-scale is at most 1).</item>
/// <item><b>Zero-crossing rate</b>: sign changes between consecutive samples per sample pair,
/// (number of i with (x[i−1] ≥ 0) ≠ (x[i] ≥ 0)) / (L − 1); a tone of f Hz gives ≈ 2f / fs.</item>
/// <item><b>Spectral rolloff</b>: frequency of the lowest bin where the cumulative power reaches 85% of the
/// total, <b>as a fraction of Nyquist</b> (multiply by fs/2 for Hz; see <see cref="ToHz"/>).</item>
/// <item><b>Spectral centroid</b>: power-weighted mean frequency Σ f_k·P_k / Σ P_k, <b>as a fraction of
/// Nyquist</b>.</item>
/// <item><b>Spectral flux</b>: L2 distance between the magnitude spectra (√P, each normalised to sum 1) of
/// this window and the previous one; pooled as the mean over the clip's window-to-window transitions
/// (0 for a clip of a single window).</item>
/// </list>
/// A window is <b>silent</b> when its energy is below <see cref="SilenceEnergy"/> (−120 dBFS); all six values
/// of a silent window are 0, and so is the flux of any transition into or out of a silent window. Silent
/// windows still count in the averages. A clip shorter than one window is zero-padded to one window
/// (<see cref="AudioWindows"/>), so its energy is averaged over the full 32 ms. No value is ever NaN.
/// Works at any sample rate; thread-safe.
/// </remarks>
public sealed class AudioSixFeature : IAudioFeature
{
    /// <summary>Index of energy entropy.</summary>
    public const int EnergyEntropy = 0;
    /// <summary>Index of signal energy.</summary>
    public const int SignalEnergy = 1;
    /// <summary>Index of zero-crossing rate.</summary>
    public const int ZeroCrossingRate = 2;
    /// <summary>Index of spectral rolloff (fraction of Nyquist).</summary>
    public const int SpectralRolloff = 3;
    /// <summary>Index of spectral centroid (fraction of Nyquist).</summary>
    public const int SpectralCentroid = 4;
    /// <summary>Index of spectral flux.</summary>
    public const int SpectralFlux = 5;

    /// <summary>Sub-frames per window for energy entropy.</summary>
    public const int SubFrames = 10;
    /// <summary>Fraction of spectral energy below the rolloff frequency.</summary>
    public const double RolloffFraction = 0.85;
    /// <summary>Windows with mean squared amplitude below this are silent (all features 0).</summary>
    public const double SilenceEnergy = 1e-12;

    /// <summary>Names of the six dimensions, in order.</summary>
    public static IReadOnlyList<string> DimensionNames { get; } =
        ["energy-entropy", "signal-energy", "zero-crossing-rate", "spectral-rolloff", "spectral-centroid", "spectral-flux"];

    /// <inheritdoc />
    public string Name => "audio-six";

    /// <inheritdoc />
    public int Dimension => 6;

    /// <summary>Converts a rolloff or centroid value (fraction of Nyquist) to Hz.</summary>
    public static double ToHz(double fractionOfNyquist, int sampleRate) => fractionOfNyquist * sampleRate / 2.0;

    /// <inheritdoc />
    public float[] Extract(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var acc = new Accumulator(clip.SampleRate);
        AudioWindows.Visit(clip, (_, samples, power) => acc.Add(samples, power));
        return acc.Result();
    }

    /// <summary>The six values of every window (flux of the first window is 0), before pooling.</summary>
    public IReadOnlyList<float[]> PerWindow(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var acc = new Accumulator(clip.SampleRate);
        var list = new List<float[]>();
        AudioWindows.Visit(clip, (_, samples, power) => list.Add(acc.Add(samples, power)));
        return list;
    }

    /// <summary>Streaming per-window computation and average pooling (one instance per clip, not thread-safe).</summary>
    internal sealed class Accumulator
    {
        private readonly double[] _binHz;
        private readonly double _nyquist;
        private readonly double[] _sums = new double[6];
        private double[] _previous, _current;
        private bool _hasPrevious, _previousSilent;
        private int _windows;

        public Accumulator(int sampleRate)
        {
            _nyquist = sampleRate / 2.0;
            _binHz = new double[AudioWindows.BinCount(sampleRate)];
            for (int k = 0; k < _binHz.Length; k++) _binHz[k] = AudioWindows.BinFrequency(k, sampleRate);
            _previous = new double[AudioWindows.BinCount(sampleRate)];
            _current = new double[_previous.Length];
        }

        /// <summary>Adds one window; returns its six values.</summary>
        public float[] Add(ReadOnlySpan<float> x, ReadOnlySpan<float> power)
        {
            var v = new double[6];
            int length = x.Length;
            double energy = 0;
            for (int i = 0; i < length; i++) energy += x[i] * (double)x[i];
            energy /= length;
            double totalPower = 0;
            for (int k = 0; k < power.Length; k++) totalPower += power[k];
            bool silent = !(energy >= SilenceEnergy) || !(totalPower > 0);

            if (!silent)
            {
                v[SignalEnergy] = energy;
                v[EnergyEntropy] = Entropy(x);
                int crossings = 0;
                for (int i = 1; i < length; i++) if (x[i - 1] >= 0 != x[i] >= 0) crossings++;
                v[ZeroCrossingRate] = length > 1 ? crossings / (double)(length - 1) : 0;

                double weighted = 0, cumulative = 0, threshold = RolloffFraction * totalPower;
                int rolloffBin = -1;
                double magnitudeSum = 0;
                for (int k = 0; k < power.Length; k++)
                {
                    weighted += _binHz[k] * power[k];
                    cumulative += power[k];
                    if (rolloffBin < 0 && cumulative >= threshold) rolloffBin = k;
                    _current[k] = Math.Sqrt(power[k]);
                    magnitudeSum += _current[k];
                }
                if (rolloffBin < 0) rolloffBin = power.Length - 1;
                v[SpectralCentroid] = Math.Clamp(weighted / totalPower / _nyquist, 0, 1);
                v[SpectralRolloff] = Math.Clamp(_binHz[rolloffBin] / _nyquist, 0, 1);
                for (int k = 0; k < _current.Length; k++) _current[k] /= magnitudeSum;

                if (_hasPrevious && !_previousSilent)
                {
                    double d = 0;
                    for (int k = 0; k < _current.Length; k++) { double t = _current[k] - _previous[k]; d += t * t; }
                    v[SpectralFlux] = Math.Sqrt(d);
                }
            }

            if (_hasPrevious) _sums[SpectralFlux] += v[SpectralFlux];
            for (int i = 0; i < 5; i++) _sums[i] += v[i];
            (_previous, _current) = (_current, _previous);
            _previousSilent = silent;
            _hasPrevious = true;
            _windows++;
            return Array.ConvertAll(v, d => (float)d);
        }

        private static double Entropy(ReadOnlySpan<float> x)
        {
            int length = x.Length;
            Span<double> e = stackalloc double[SubFrames];
            double total = 0;
            for (int j = 0; j < SubFrames; j++)
            {
                int from = (int)((long)j * length / SubFrames), to = (int)((long)(j + 1) * length / SubFrames);
                double s = 0;
                for (int i = from; i < to; i++) s += x[i] * (double)x[i];
                e[j] = s;
                total += s;
            }
            if (!(total > 0)) return 0;
            double h = 0;
            for (int j = 0; j < SubFrames; j++)
            {
                double p = e[j] / total;
                if (p > 0) h -= p * Math.Log(p);
            }
            return Math.Clamp(h / Math.Log(SubFrames), 0, 1);
        }

        /// <summary>The average-pooled vector.</summary>
        public float[] Result()
        {
            var r = new float[6];
            if (_windows == 0) return r;
            for (int i = 0; i < 5; i++) r[i] = (float)(_sums[i] / _windows);
            r[SpectralFlux] = _windows > 1 ? (float)(_sums[SpectralFlux] / (_windows - 1)) : 0f;
            return r;
        }
    }
}
