using System.Numerics;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// Band-limited sample-rate conversion by a polyphase Kaiser-windowed sinc filter. The low-pass cut-off sits at
/// 90% of the lower of the two Nyquist frequencies, with 24 zero crossings each side and a Kaiser window
/// (beta 8), so downsampling attenuates what would alias by about 80 dB (44.1 kHz to 16 kHz: pass band to
/// about 6.4 kHz, stop band from about 8 kHz). Samples outside the input count as silence. Thread-safe.
/// </summary>
public static class Resampler
{
    private const int ZeroCrossings = 24;
    private const double Rolloff = 0.90;
    private const double KaiserBeta = 8.0;
    private const int MaxPhases = 4096;

    /// <summary>
    /// Resamples <paramref name="input"/> from <paramref name="from"/> Hz to <paramref name="to"/> Hz; the result
    /// has ceil(length * to / from) samples. Equal rates (or empty input) return <paramref name="input"/> itself.
    /// </summary>
    public static float[] Resample(float[] input, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (from <= 0 || to <= 0) throw new ArgumentOutOfRangeException(nameof(from), $"sample rates {from} and {to} must be positive");
        if (from == to || input.Length == 0) return input;

        int g = Gcd(from, to);
        long up = to / g, down = from / g;                         // output n sits at input position n * down / up
        double cutoff = Rolloff * Math.Min(1.0, (double)to / from); // in cycles per input sample, relative to Nyquist
        int half = (int)Math.Ceiling(ZeroCrossings / cutoff);      // filter half-length in input samples
        int taps = 2 * half;
        int phases = (int)Math.Min(up, MaxPhases);                 // exact for rational ratios up to 4096 phases
        var table = BuildTable(phases, taps, half, cutoff);

        long length = ((long)input.Length * up + down - 1) / down;
        if (length > Array.MaxLength) throw new ArgumentException($"resampling {input.Length} samples to {to} Hz gives too many samples");
        var output = new float[length];
        for (long n = 0; n < length; n++)
        {
            long t = n * down;
            long baseIndex = t / up;
            long remainder = t % up;
            int phase = phases == up ? (int)remainder : (int)Math.Round((double)remainder * phases / up);
            if (phase == phases) { phase = 0; baseIndex++; }
            long start = baseIndex - half + 1;
            var kernel = new ReadOnlySpan<float>(table, phase * taps, taps);
            output[n] = start >= 0 && start + taps <= input.Length
                ? Dot(new ReadOnlySpan<float>(input, (int)start, taps), kernel)
                : EdgeDot(input, start, kernel);
        }
        return output;
    }

    /// <summary>Row p holds the weights of inputs start .. start + taps - 1 for an output at fraction p / phases past start + half - 1.</summary>
    private static float[] BuildTable(int phases, int taps, int half, double cutoff)
    {
        var table = new float[phases * taps];
        double i0Beta = BesselI0(KaiserBeta);
        var row = new double[taps];
        for (int p = 0; p < phases; p++)
        {
            double fraction = (double)p / phases, sum = 0;
            for (int j = 0; j < taps; j++)
            {
                double x = j - (half - 1) - fraction;               // distance from the output position, in input samples
                double r = x / half;
                double w = Math.Abs(r) >= 1 ? 0 : BesselI0(KaiserBeta * Math.Sqrt(1 - r * r)) / i0Beta;
                double u = cutoff * x;
                double sinc = u == 0 ? 1 : Math.Sin(Math.PI * u) / (Math.PI * u);
                row[j] = cutoff * sinc * w;
                sum += row[j];
            }
            for (int j = 0; j < taps; j++) table[p * taps + j] = (float)(row[j] / sum);   // unit gain at DC
        }
        return table;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
                acc += new Vector<float>(a.Slice(i)) * new Vector<float>(b.Slice(i));
            sum = Vector.Sum(acc);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static float EdgeDot(float[] input, long start, ReadOnlySpan<float> kernel)
    {
        float sum = 0;
        for (int j = 0; j < kernel.Length; j++)
        {
            long k = start + j;
            if (k >= 0 && k < input.Length) sum += input[k] * kernel[j];
        }
        return sum;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 64; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
