using System.Buffers.Binary;

namespace Affect.Search.Features.Tests.Decoding;

/// <summary>Sample encodings <see cref="TestWav"/> can write.</summary>
public enum WavEncoding { Pcm8, Pcm16, Pcm24, Pcm32, Float32, Float64 }

/// <summary>Writes RIFF/WAVE bytes by hand, with optional extra chunks, so the decoder is tested against known bytes.</summary>
public static class TestWav
{
    public static int BytesPerSample(WavEncoding e) => e switch
    {
        WavEncoding.Pcm8 => 1, WavEncoding.Pcm16 => 2, WavEncoding.Pcm24 => 3,
        WavEncoding.Pcm32 or WavEncoding.Float32 => 4, _ => 8,
    };

    /// <summary>Interleaved sample bytes of <paramref name="frames"/> frames; <paramref name="signal"/>(channel, frame) in [-1, 1].</summary>
    public static byte[] Samples(WavEncoding encoding, int channels, int frames, Func<int, int, double> signal)
    {
        int size = BytesPerSample(encoding);
        var b = new byte[frames * channels * size];
        int o = 0;
        for (int f = 0; f < frames; f++)
            for (int c = 0; c < channels; c++, o += size)
            {
                double x = Math.Clamp(signal(c, f), -1, 1);
                var s = b.AsSpan(o, size);
                switch (encoding)
                {
                    case WavEncoding.Pcm8: s[0] = (byte)Math.Round(x * 127 + 128); break;
                    case WavEncoding.Pcm16: BinaryPrimitives.WriteInt16LittleEndian(s, (short)Math.Round(x * 32767)); break;
                    case WavEncoding.Pcm24:
                        int v = (int)Math.Round(x * 8388607);
                        s[0] = (byte)v; s[1] = (byte)(v >> 8); s[2] = (byte)(v >> 16);
                        break;
                    case WavEncoding.Pcm32: BinaryPrimitives.WriteInt32LittleEndian(s, (int)Math.Round(x * int.MaxValue)); break;
                    case WavEncoding.Float32: BinaryPrimitives.WriteSingleLittleEndian(s, (float)x); break;
                    default: BinaryPrimitives.WriteDoubleLittleEndian(s, x); break;
                }
            }
        return b;
    }

    /// <summary>A fmt chunk body (16 bytes, or 40 for WAVE_FORMAT_EXTENSIBLE).</summary>
    public static byte[] Format(WavEncoding encoding, int channels, int rate, bool extensible = false, int? tag = null)
    {
        int size = BytesPerSample(encoding);
        var f = new byte[extensible ? 40 : 16];
        int baseTag = tag ?? (encoding is WavEncoding.Float32 or WavEncoding.Float64 ? 3 : 1);
        BinaryPrimitives.WriteUInt16LittleEndian(f, (ushort)(extensible ? 0xFFFE : baseTag));
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(4), rate);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(8), rate * channels * size);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(12), (ushort)(channels * size));
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(14), (ushort)(size * 8));
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(18), (ushort)(size * 8));
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(20), channels == 2 ? 3u : 0u);
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(24), (uint)baseTag);
            byte[] tail = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            tail.CopyTo(f, 28);
        }
        return f;
    }

    /// <summary>A RIFF/WAVE file of the given chunks, in order (each padded to an even length).</summary>
    public static byte[] Riff(params (string Id, byte[] Body)[] chunks)
    {
        using var m = new MemoryStream();
        m.Write("RIFF"u8);
        m.Write(new byte[4]);
        m.Write("WAVE"u8);
        foreach (var (id, body) in chunks)
        {
            m.Write(System.Text.Encoding.ASCII.GetBytes(id));
            var size = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(size, body.Length);
            m.Write(size);
            m.Write(body);
            if (body.Length % 2 == 1) m.WriteByte(0);
        }
        var bytes = m.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    /// <summary>A plain WAV of a signal.</summary>
    public static byte[] Write(WavEncoding encoding, int channels, int rate, int frames, Func<int, int, double> signal, bool extensible = false)
        => Riff(("fmt ", Format(encoding, channels, rate, extensible)), ("data", Samples(encoding, channels, frames, signal)));

    /// <summary>A sine of <paramref name="frequency"/> Hz and amplitude <paramref name="amplitude"/> on every channel.</summary>
    public static Func<int, int, double> Sine(double frequency, int rate, double amplitude = 0.5)
        => (_, f) => amplitude * Math.Sin(2 * Math.PI * frequency * f / rate);
}

/// <summary>Measurements on decoded audio.</summary>
public static class Signal
{
    /// <summary>The frequency with the most energy (Hann-windowed DFT over up to 8000 middle samples, to about 0.5 Hz).</summary>
    public static double DominantFrequency(float[] samples, int rate, double from = 30, double? to = null)
    {
        int n = Math.Min(samples.Length, 8000);
        int start = (samples.Length - n) / 2;
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = samples[start + i] * (0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (n - 1)));
        double top = to ?? rate / 2.0 - 50;
        double best = from;
        double bestPower = -1;
        for (double f = from; f <= top; f += 5) Try(f);
        double coarse = best;
        for (double f = coarse - 5; f <= coarse + 5; f += 0.5) Try(f);
        return best;

        void Try(double f)
        {
            // Rotating phasor instead of a cosine per sample.
            double step = 2 * Math.PI * f / rate, cs = Math.Cos(step), sn = Math.Sin(step);
            double c = 1, s = 0, re = 0, im = 0;
            for (int i = 0; i < n; i++)
            {
                re += x[i] * c; im += x[i] * s;
                (c, s) = (c * cs - s * sn, s * cs + c * sn);
            }
            double p = re * re + im * im;
            if (p > bestPower) { bestPower = p; best = f; }
        }
    }

    /// <summary>Root mean square of the samples between fractions <paramref name="from"/> and <paramref name="to"/> of the clip (skipping edges).</summary>
    public static double Rms(float[] samples, double from = 0.1, double to = 0.9)
    {
        int a = (int)(samples.Length * from), b = (int)(samples.Length * to);
        double sum = 0;
        for (int i = a; i < b; i++) sum += samples[i] * (double)samples[i];
        return b > a ? Math.Sqrt(sum / (b - a)) : 0;
    }
}
