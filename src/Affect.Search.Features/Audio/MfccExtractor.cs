using Affect.Search.Features.Media;

namespace Affect.Search.Features.Audio;

/// <summary>
/// Mel-frequency cepstral coefficients per analysis window (<see cref="AudioWindows"/>: 32 ms Hamming
/// windows, 50% overlap). Defaults: 26 triangular mel filters spanning 0–8 kHz (HTK mel scale
/// 2595·log10(1 + f/700), filters equally spaced in mel, triangles evaluated at each FFT bin's exact
/// frequency), natural log of each filter's energy floored at <see cref="EnergyFloor"/>, orthonormal DCT-II,
/// and the first 13 coefficients kept, c0 included (c0 = √(1/F)·Σ log energies, so it carries loudness).
/// </summary>
/// <remarks>
/// Because every log mel energy shifts by the same 2·ln(a) when the signal is scaled by a, and the DCT basis
/// vectors k ≥ 1 sum to zero, c1..c12 are invariant to amplitude scaling (as long as no filter sits at the
/// floor); only c0 changes. Immutable and thread-safe.
/// </remarks>
public sealed class MfccExtractor
{
    private readonly int[] _filterStart;
    private readonly float[][] _filterWeights;
    private readonly float[] _dct; // coefficients x filters, row-major
    private readonly double[] _edgesHz;
    private readonly float _logFloor;

    /// <summary>Builds the filterbank and DCT for a sample rate.</summary>
    public MfccExtractor(int sampleRate = AudioClip.StandardSampleRate, int filterCount = 26, int coefficientCount = 13,
        double lowHz = 0, double highHz = 8000, double energyFloor = 1e-10)
    {
        if (sampleRate <= 0) throw new ArgumentException($"sample rate {sampleRate} is not positive");
        if (filterCount < 2) throw new ArgumentException($"need at least 2 mel filters, got {filterCount}");
        if (coefficientCount < 1 || coefficientCount > filterCount)
            throw new ArgumentException($"coefficient count {coefficientCount} must be in 1..{filterCount}");
        if (!(energyFloor > 0)) throw new ArgumentException($"energy floor {energyFloor} must be positive");
        highHz = Math.Min(highHz, sampleRate / 2.0);
        if (!(lowHz >= 0 && lowHz < highHz)) throw new ArgumentException($"mel range {lowHz}..{highHz} Hz is empty");

        SampleRate = sampleRate;
        FilterCount = filterCount;
        CoefficientCount = coefficientCount;
        LowHz = lowHz;
        HighHz = highHz;
        EnergyFloor = energyFloor;
        _logFloor = (float)Math.Log(energyFloor);

        double melLow = HzToMel(lowHz), melHigh = HzToMel(highHz);
        _edgesHz = new double[filterCount + 2];
        for (int i = 0; i < _edgesHz.Length; i++) _edgesHz[i] = MelToHz(melLow + i * (melHigh - melLow) / (filterCount + 1));

        int bins = AudioWindows.BinCount(sampleRate);
        _filterStart = new int[filterCount];
        _filterWeights = new float[filterCount][];
        for (int j = 0; j < filterCount; j++)
        {
            double lo = _edgesHz[j], mid = _edgesHz[j + 1], hi = _edgesHz[j + 2];
            var weights = new List<float>();
            int start = -1;
            for (int k = 0; k < bins; k++)
            {
                double f = AudioWindows.BinFrequency(k, sampleRate);
                double w = f < lo || f > hi ? 0 : f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
                if (w > 0)
                {
                    if (start < 0) start = k;
                    // Fill any gap (cannot happen for a triangle, kept for safety) so weights stay contiguous.
                    while (start + weights.Count < k) weights.Add(0f);
                    weights.Add((float)w);
                }
            }
            _filterStart[j] = Math.Max(start, 0);
            _filterWeights[j] = weights.ToArray();
        }

        _dct = new float[coefficientCount * filterCount];
        for (int c = 0; c < coefficientCount; c++)
        {
            double norm = c == 0 ? Math.Sqrt(1.0 / filterCount) : Math.Sqrt(2.0 / filterCount);
            for (int n = 0; n < filterCount; n++)
                _dct[c * filterCount + n] = (float)(norm * Math.Cos(Math.PI * c * (n + 0.5) / filterCount));
        }
    }

    /// <summary>The sample rate clips must have.</summary>
    public int SampleRate { get; }
    /// <summary>Number of mel filters.</summary>
    public int FilterCount { get; }
    /// <summary>Number of cepstral coefficients per window (c0 included).</summary>
    public int CoefficientCount { get; }
    /// <summary>Lower edge of the filterbank in Hz.</summary>
    public double LowHz { get; }
    /// <summary>Upper edge of the filterbank in Hz (at most Nyquist).</summary>
    public double HighHz { get; }
    /// <summary>Filter energies below this are floored before the log (silence gives ln(floor) everywhere).</summary>
    public double EnergyFloor { get; }

    /// <summary>HTK mel scale.</summary>
    public static double HzToMel(double hz) => 2595.0 * Math.Log10(1.0 + hz / 700.0);

    /// <summary>Inverse of <see cref="HzToMel"/>.</summary>
    public static double MelToHz(double mel) => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);

    /// <summary>Lower edge, peak and upper edge (Hz) of mel filter <paramref name="filter"/>.</summary>
    public (double LowerHz, double CenterHz, double UpperHz) FilterEdges(int filter)
    {
        if ((uint)filter >= (uint)FilterCount) throw new ArgumentOutOfRangeException(nameof(filter));
        return (_edgesHz[filter], _edgesHz[filter + 1], _edgesHz[filter + 2]);
    }

    /// <summary>MFCC vectors (<see cref="CoefficientCount"/> values each), one per window, in time order.</summary>
    public IReadOnlyList<float[]> Frames(AudioClip clip)
    {
        CheckRate(clip);
        var frames = new List<float[]>(AudioWindows.Count(clip.Samples?.Length ?? 0, clip.SampleRate));
        var logMel = new float[FilterCount];
        AudioWindows.Visit(clip, (_, _, power) =>
        {
            var mfcc = new float[CoefficientCount];
            Compute(power, logMel, mfcc);
            frames.Add(mfcc);
        });
        return frames;
    }

    /// <summary>
    /// The pre-DCT log mel filterbank energies (<see cref="FilterCount"/> values each, natural log, floored),
    /// one vector per window. Exposed for inspection and tests.
    /// </summary>
    public IReadOnlyList<float[]> LogMelEnergies(AudioClip clip)
    {
        CheckRate(clip);
        var frames = new List<float[]>(AudioWindows.Count(clip.Samples?.Length ?? 0, clip.SampleRate));
        var scratch = new float[CoefficientCount];
        AudioWindows.Visit(clip, (_, _, power) =>
        {
            var logMel = new float[FilterCount];
            Compute(power, logMel, scratch);
            frames.Add(logMel);
        });
        return frames;
    }

    /// <summary>
    /// Computes one window's log mel energies and MFCCs from its power spectrum
    /// (<see cref="AudioWindows.BinCount"/> bins at <see cref="SampleRate"/>).
    /// </summary>
    public void Compute(ReadOnlySpan<float> power, Span<float> logMel, Span<float> mfcc)
    {
        if (power.Length != AudioWindows.BinCount(SampleRate))
            throw new ArgumentException($"power spectrum of {power.Length} bins, expected {AudioWindows.BinCount(SampleRate)}");
        if (logMel.Length < FilterCount || mfcc.Length < CoefficientCount) throw new ArgumentException("output spans too short");
        for (int j = 0; j < FilterCount; j++)
        {
            var weights = _filterWeights[j];
            double e = 0;
            var bins = power.Slice(_filterStart[j], weights.Length);
            for (int i = 0; i < weights.Length; i++) e += weights[i] * (double)bins[i];
            logMel[j] = e > EnergyFloor ? (float)Math.Log(e) : _logFloor;
        }
        for (int c = 0; c < CoefficientCount; c++)
        {
            double s = 0;
            int row = c * FilterCount;
            for (int n = 0; n < FilterCount; n++) s += _dct[row + n] * (double)logMel[n];
            mfcc[c] = (float)s;
        }
    }

    internal void CheckRate(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.SampleRate != SampleRate)
            throw new ArgumentException($"clip at {clip.SampleRate} Hz, the MFCC extractor is set up for {SampleRate} Hz (resample first)");
    }
}
