using System.Buffers.Binary;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// A managed RIFF/WAVE reader: PCM 8/16/24/32-bit and IEEE float 32/64-bit (plain or WAVE_FORMAT_EXTENSIBLE),
/// any channel count mixed down to mono, resampled to the target rate. A header or data chunk that claims
/// more bytes than the file holds is refused.
/// </summary>
public static class WavDecoder
{
    private const int FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;

    /// <summary>Decodes a WAV file to mono at <paramref name="sampleRate"/>.</summary>
    public static AudioClip Decode(string path, int sampleRate = AudioClip.StandardSampleRate)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new MediaDecodeException($"audio '{path}' cannot be read: {e.Message}", e); }
        return Decode(bytes, path, sampleRate);
    }

    /// <summary>Decodes WAV bytes; <paramref name="name"/> is used in error messages.</summary>
    public static AudioClip Decode(ReadOnlySpan<byte> data, string name, int sampleRate = AudioClip.StandardSampleRate)
    {
        MediaDecodeException Bad(string what) => new($"audio '{name}' is not a valid WAV file: {what}");
        if (data.Length < 12 || !data[..4].SequenceEqual("RIFF"u8) || !data.Slice(8, 4).SequenceEqual("WAVE"u8)) throw Bad("no RIFF/WAVE header");
        int format = 0, channels = 0, rate = 0, bits = 0;
        ReadOnlySpan<byte> samples = default;
        bool haveFormat = false, haveData = false;
        int offset = 12;
        while (offset + 8 <= data.Length)
        {
            var id = data.Slice(offset, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(offset + 4, 4));
            int body = offset + 8;
            if (body + size > data.Length) throw Bad($"chunk '{System.Text.Encoding.ASCII.GetString(id)}' claims {size} bytes but only {data.Length - body} remain (truncated?)");
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16) throw Bad("format chunk too short");
                format = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 2, 2));
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(body + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 14, 2));
                if (format == FormatExtensible)
                {
                    if (size < 40) throw Bad("extensible format chunk too short");
                    format = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 24, 2)); // first two bytes of the sub-format GUID
                }
                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                samples = data.Slice(body, (int)size);
                haveData = true;
            }
            offset = body + (int)size + (int)(size & 1); // chunks are word-aligned
        }
        if (!haveFormat) throw Bad("no format chunk");
        if (!haveData) throw Bad("no data chunk");
        if (channels <= 0 || rate <= 0) throw Bad($"{channels} channels at {rate} Hz");
        bool pcm = format == FormatPcm && bits is 8 or 16 or 24 or 32;
        bool ieee = format == FormatFloat && bits is 32 or 64;
        if (!pcm && !ieee) throw Bad($"unsupported encoding (format {format}, {bits} bits); convert it with ffmpeg");
        int bytesPerSample = bits / 8, frame = bytesPerSample * channels;
        int frames = samples.Length / frame;
        var mono = new float[frames];
        for (int f = 0; f < frames; f++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++) sum += Sample(samples.Slice(f * frame + c * bytesPerSample, bytesPerSample), bits, ieee);
            mono[f] = (float)(sum / channels);
        }
        return new AudioClip(Resampler.Resample(mono, rate, sampleRate), sampleRate);
    }

    private static double Sample(ReadOnlySpan<byte> s, int bits, bool ieee) => (bits, ieee) switch
    {
        (32, true) => BinaryPrimitives.ReadSingleLittleEndian(s),
        (64, true) => BinaryPrimitives.ReadDoubleLittleEndian(s),
        (8, false) => (s[0] - 128) / 128.0,
        (16, false) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
        (24, false) => ((s[0] | (s[1] << 8) | (s[2] << 16)) << 8 >> 8) / 8388608.0,
        _ => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
    };
}

/// <summary>Sample-rate conversion by windowed-sinc interpolation (low-passed at the lower Nyquist rate).</summary>
public static class Resampler
{
    /// <summary>Resamples <paramref name="input"/> from <paramref name="from"/> Hz to <paramref name="to"/> Hz.</summary>
    public static float[] Resample(float[] input, int from, int to)
    {
        if (from == to || input.Length == 0) return input;
        double ratio = (double)to / from;
        int length = (int)Math.Floor(input.Length * ratio);
        var output = new float[length];
        double cutoff = Math.Min(1.0, ratio); // relative to the input's Nyquist
        const int halfWidth = 16;
        double radius = halfWidth / cutoff;
        Parallel.For(0, length, i =>
        {
            double center = i / ratio;
            int start = (int)Math.Ceiling(center - radius), end = (int)Math.Floor(center + radius);
            double sum = 0, weights = 0;
            for (int j = Math.Max(0, start); j <= Math.Min(input.Length - 1, end); j++)
            {
                double x = (j - center) * cutoff;
                double sinc = x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
                double window = 0.5 + 0.5 * Math.Cos(Math.PI * (j - center) / radius); // Hann
                double w = sinc * window;
                sum += w * input[j];
                weights += w;
            }
            output[i] = weights != 0 ? (float)(sum / weights) : 0f;
        });
        return output;
    }
}
