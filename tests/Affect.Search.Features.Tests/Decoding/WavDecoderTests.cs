using System.Buffers.Binary;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Decoding;

public sealed class WavDecoderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("affect-wav-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Stereo_16_bit_44k_sine_decodes_to_mono_16k_at_the_same_pitch()
    {
        var path = Save("a440.wav", TestWav.Write(WavEncoding.Pcm16, 2, 44100, 44100, TestWav.Sine(440, 44100)));
        var clip = WavDecoder.Decode(path);
        Assert.Equal(AudioClip.StandardSampleRate, clip.SampleRate);
        Assert.Equal(16000, clip.Samples.Length);
        Assert.InRange(Signal.DominantFrequency(clip.Samples, clip.SampleRate), 438, 442);
        Assert.InRange(Signal.Rms(clip.Samples), 0.5 / Math.Sqrt(2) * 0.98, 0.5 / Math.Sqrt(2) * 1.02);
    }

    [Theory]
    [InlineData(WavEncoding.Pcm8, false)]
    [InlineData(WavEncoding.Pcm16, true)]
    [InlineData(WavEncoding.Pcm24, false)]
    [InlineData(WavEncoding.Pcm24, true)]
    [InlineData(WavEncoding.Pcm32, false)]
    [InlineData(WavEncoding.Float32, false)]
    [InlineData(WavEncoding.Float32, true)]
    [InlineData(WavEncoding.Float64, false)]
    public void Every_pcm_and_float_encoding_decodes(WavEncoding encoding, bool extensible)
    {
        var bytes = TestWav.Write(encoding, 2, 22050, 22050, TestWav.Sine(440, 22050), extensible);
        var clip = WavDecoder.Decode(bytes, $"tone-{encoding}.wav");
        Assert.Equal(16000, clip.Samples.Length);
        Assert.InRange(Signal.DominantFrequency(clip.Samples, clip.SampleRate), 438, 442);
        double tolerance = encoding == WavEncoding.Pcm8 ? 0.02 : 0.005;
        Assert.InRange(Signal.Rms(clip.Samples), 0.5 / Math.Sqrt(2) - tolerance, 0.5 / Math.Sqrt(2) + tolerance);
    }

    [Fact]
    public void Sixteen_bit_mono_at_the_target_rate_passes_through_exactly()
    {
        short[] values = [0, 1, -1, 16384, -16384, 32767, -32768, 1234];
        var samples = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(samples.AsSpan(2 * i), values[i]);
        var clip = WavDecoder.Decode(TestWav.Riff(("fmt ", TestWav.Format(WavEncoding.Pcm16, 1, 16000)), ("data", samples)), "exact.wav");
        Assert.Equal(values.Select(v => v / 32768f), clip.Samples);
    }

    [Fact]
    public void Channels_are_averaged()
    {
        double[] levels = [0.3, 0.6, 0.0, -0.1];
        var bytes = TestWav.Write(WavEncoding.Float32, levels.Length, 16000, 100, (c, _) => levels[c]);
        var clip = WavDecoder.Decode(bytes, "four-channels.wav");
        Assert.All(clip.Samples, s => Assert.Equal(0.2f, s, 1e-6f));
        var opposite = TestWav.Write(WavEncoding.Pcm16, 2, 16000, 100, (c, f) => (c == 0 ? 1 : -1) * 0.5 * Math.Sin(f));
        Assert.All(WavDecoder.Decode(opposite, "opposite.wav").Samples, s => Assert.InRange(s, -1e-4f, 1e-4f));
    }

    [Fact]
    public void Unknown_and_odd_sized_chunks_are_skipped()
    {
        var samples = TestWav.Samples(WavEncoding.Pcm16, 1, 1000, (_, f) => f % 2 == 0 ? 0.25 : -0.25);
        var bytes = TestWav.Riff(("LIST", new byte[27]), ("fmt ", TestWav.Format(WavEncoding.Pcm16, 1, 16000)),
            ("fact", new byte[4]), ("junk", new byte[3]), ("data", samples), ("id3 ", new byte[11]));
        var clip = WavDecoder.Decode(bytes, "chunks.wav");
        Assert.Equal(1000, clip.Samples.Length);
        Assert.Equal(0.25f, clip.Samples[0], 1e-4f);
        Assert.Equal(-0.25f, clip.Samples[1], 1e-4f);
    }

    [Fact]
    public void A_streaming_data_size_means_to_the_end_and_a_partial_last_frame_is_ignored()
    {
        var samples = TestWav.Samples(WavEncoding.Pcm16, 2, 500, (_, _) => 0.5);
        var bytes = TestWav.Riff(("fmt ", TestWav.Format(WavEncoding.Pcm16, 2, 16000)), ("data", samples)).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var placeholder = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(placeholder.AsSpan(40), 0xFFFFFFFF);
        Assert.Equal(500, WavDecoder.Decode(placeholder, "streamed.wav").Samples.Length);   // 2003 bytes: 500 frames and 3 left over
    }

    [Fact]
    public void Downsampling_removes_what_would_alias()
    {
        // 12 kHz at 48 kHz would fold to 4 kHz at 16 kHz; the resampler's low-pass must remove it.
        var high = WavDecoder.Decode(TestWav.Write(WavEncoding.Float32, 1, 48000, 48000, TestWav.Sine(12000, 48000)), "12k.wav");
        Assert.InRange(Signal.Rms(high.Samples), 0, 0.354 * 0.001);
        // 1 kHz passes with its level.
        var low = WavDecoder.Decode(TestWav.Write(WavEncoding.Float32, 1, 48000, 48000, TestWav.Sine(1000, 48000)), "1k.wav");
        Assert.InRange(Signal.Rms(low.Samples), 0.3536 * 0.995, 0.3536 * 1.005);
        Assert.InRange(Signal.DominantFrequency(low.Samples, 16000), 998, 1002);
    }

    [Fact]
    public void Upsampling_and_other_target_rates_keep_pitch_and_length()
    {
        var bytes = TestWav.Write(WavEncoding.Pcm16, 1, 8000, 8000, TestWav.Sine(440, 8000));
        var up = WavDecoder.Decode(bytes, "8k.wav");
        Assert.Equal(16000, up.Samples.Length);
        Assert.InRange(Signal.DominantFrequency(up.Samples, 16000), 438, 442);
        var odd = WavDecoder.Decode(TestWav.Write(WavEncoding.Pcm16, 1, 44100, 44100, TestWav.Sine(440, 44100)), "odd.wav", 22222);
        Assert.Equal(22222, odd.SampleRate);
        Assert.Equal(22222, odd.Samples.Length);
        Assert.InRange(Signal.DominantFrequency(odd.Samples, 22222), 438, 442);
    }

    [Fact]
    public void The_duration_cap_cuts_long_files()
    {
        var path = Save("long.wav", TestWav.Write(WavEncoding.Pcm16, 1, 16000, 48000, TestWav.Sine(440, 16000)));
        Assert.Equal(16000, WavDecoder.Decode(path, 16000, maxSeconds: 1).Samples.Length);
        Assert.Equal(48000, WavDecoder.Decode(path).Samples.Length);
    }

    [Fact]
    public void An_empty_data_chunk_gives_an_empty_clip()
    {
        var clip = WavDecoder.Decode(TestWav.Riff(("fmt ", TestWav.Format(WavEncoding.Pcm16, 1, 44100)), ("data", [])), "nothing.wav");
        Assert.Empty(clip.Samples);
        Assert.Equal(16000, clip.SampleRate);
    }

    public static TheoryData<string, byte[], string> Broken()
    {
        var good = TestWav.Write(WavEncoding.Pcm16, 2, 44100, 4410, TestWav.Sine(440, 44100));
        var fmt = TestWav.Format(WavEncoding.Pcm16, 1, 16000);
        var zeroChannels = (byte[])fmt.Clone();
        zeroChannels[2] = 0;
        var lyingFmt = TestWav.Riff(("fmt ", fmt), ("data", new byte[10]));
        BinaryPrimitives.WriteInt32LittleEndian(lyingFmt.AsSpan(16), 5000);
        var random = new byte[300];
        new Random(7).NextBytes(random);
        return new()
        {
            { "half.wav", good[..(good.Length / 2)], "truncated WAV: the data chunk declares 17640 bytes but only" },
            { "header-only.wav", good[..30], "truncated WAV: the fmt chunk declares 16 bytes but only 10 remain" },
            { "riff-only.wav", "RIFF"u8.ToArray(), "too few for a RIFF/WAVE header" },
            { "random.wav", random, "no RIFF header" },
            { "avi.wav", TestWav.Riff().Select((b, i) => i is >= 8 and < 12 ? "AVI "u8[i - 8] : b).ToArray(), "type 'AVI ', not WAVE" },
            { "no-data.wav", TestWav.Riff(("fmt ", fmt)), "no data chunk" },
            { "no-fmt.wav", TestWav.Riff(("data", new byte[100])), "no fmt chunk" },
            { "short-fmt.wav", TestWav.Riff(("fmt ", new byte[10]), ("data", new byte[100])), "fmt chunk is 10 bytes" },
            { "lying-fmt.wav", lyingFmt, "truncated WAV: the fmt chunk declares 5000 bytes" },
            { "zero-channels.wav", TestWav.Riff(("fmt ", zeroChannels), ("data", new byte[100])), "0 channels" },
            { "empty.wav", [], "empty" },
        };
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void Broken_files_are_refused_naming_the_file_and_the_problem(string name, byte[] bytes, string problem)
    {
        var path = Save(name, bytes);
        var e = Assert.Throws<MediaDecodeException>(() => WavDecoder.Decode(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
        if (bytes.Length > 0) Assert.Contains(problem, Assert.Throws<MediaDecodeException>(() => WavDecoder.Decode(bytes, name)).Message);
    }

    [Fact]
    public void Other_encodings_are_refused_as_not_supported()
    {
        var mulaw = TestWav.Riff(("fmt ", TestWav.Format(WavEncoding.Pcm8, 1, 8000, tag: 7)), ("data", new byte[800]));
        var e = Assert.Throws<MediaDecodeException>(() => WavDecoder.Decode(mulaw, "mulaw.wav"));
        Assert.IsType<NotSupportedException>(e.InnerException);
        Assert.Contains("mu-law", e.Message);
        var rf64 = TestWav.Write(WavEncoding.Pcm16, 1, 8000, 10, (_, _) => 0);
        "RF64"u8.CopyTo(rf64);
        Assert.IsType<NotSupportedException>(Assert.Throws<MediaDecodeException>(() => WavDecoder.Decode(rf64, "big.wav")).InnerException);
    }

    [Fact]
    public void Missing_files_and_folders_are_named()
    {
        var missing = Path.Combine(_folder, "missing.wav");
        Assert.Equal($"{missing}: file not found", Assert.Throws<MediaDecodeException>(() => WavDecoder.Decode(missing)).Message);
        Assert.Contains("directory", Assert.Throws<MediaDecodeException>(() => WavDecoder.Decode(_folder)).Message);
    }

    [Fact]
    public void The_resampler_keeps_dc_and_gives_the_expected_lengths()
    {
        var ones = Enumerable.Repeat(1f, 44100).ToArray();
        var down = Resampler.Resample(ones, 44100, 16000);
        Assert.Equal(16000, down.Length);
        Assert.All(down.Skip(200).Take(15600), s => Assert.Equal(1f, s, 1e-4f));
        Assert.Equal(2, Resampler.Resample([1f, 1f, 1f, 1f, 1f], 48000, 16000).Length);     // ceil(5 / 3)
        Assert.Equal(441, Resampler.Resample(new float[160], 16000, 44100).Length);
        Assert.Same(ones, Resampler.Resample(ones, 44100, 44100));
        Assert.Empty(Resampler.Resample([], 44100, 16000));
        // A ratio whose phase count is over the table limit still works.
        var prime = Resampler.Resample(Enumerable.Repeat(0.5f, 10007).ToArray(), 10007, 16001);
        Assert.Equal(16001, prime.Length);
        Assert.All(prime.Skip(500).Take(15000), s => Assert.Equal(0.5f, s, 1e-4f));
    }
}
