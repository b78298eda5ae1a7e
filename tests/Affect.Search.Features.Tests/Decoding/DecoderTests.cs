using System.Buffers.Binary;
using System.Diagnostics;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Decoding;

public sealed class DecoderTests(MediaFixture media) : IClassFixture<MediaFixture>
{
    private readonly MediaDecoder _decoder = new(new FfmpegOptions { Timeout = TimeSpan.FromSeconds(20) });

    /// <summary>The frequency with the most energy, by a direct DFT scan in 10 Hz steps.</summary>
    private static double DominantFrequency(AudioClip clip, double from = 100, double to = 4000)
    {
        var x = clip.Samples.Take(4000).ToArray();
        double best = 0, bestPower = -1;
        for (double f = from; f <= to; f += 10)
        {
            double re = 0, im = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double a = 2 * Math.PI * f * i / clip.SampleRate;
                re += x[i] * Math.Cos(a);
                im += x[i] * Math.Sin(a);
            }
            if (re * re + im * im > bestPower) { bestPower = re * re + im * im; best = f; }
        }
        return best;
    }

    [Fact]
    public void Video_gives_one_keyframe_per_second_and_its_audio_track()
    {
        var decoded = _decoder.DecodeVideo(media.Path("video.mp4"));
        Assert.InRange(decoded.Frames.Count, 3, 4);
        Assert.All(decoded.Frames, f => { Assert.Equal(320, f.Width); Assert.Equal(240, f.Height); });
        Assert.NotNull(decoded.Audio);
        Assert.Equal(16000, decoded.Audio!.SampleRate);
        Assert.InRange(decoded.Audio.Duration, 2.8, 3.2);
        Assert.InRange(DominantFrequency(decoded.Audio), 990, 1010);
        // The test pattern moves: successive keyframes differ.
        Assert.NotEqual(decoded.Frames[0].Pixels, decoded.Frames[1].Pixels);
    }

    [Fact]
    public void A_video_without_sound_has_no_audio_and_the_frame_cap_holds()
    {
        var capped = new MediaDecoder(new FfmpegOptions { MaxFrames = 4, FrameWidth = 80 });
        var decoded = capped.DecodeVideo(media.Path("silent.mp4"));
        Assert.Null(decoded.Audio);
        Assert.Equal(4, decoded.Frames.Count);
        Assert.Equal((80, 60), (decoded.Frames[0].Width, decoded.Frames[0].Height));
    }

    [Fact]
    public void Compressed_audio_decodes_through_ffmpeg_to_mono_16k()
    {
        var clip = _decoder.DecodeAudio(media.Path("tone.ogg"));
        Assert.Equal(16000, clip.SampleRate);
        Assert.InRange(clip.Duration, 1.9, 2.1);
        Assert.InRange(DominantFrequency(clip), 430, 450);
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(16, false)]
    [InlineData(24, false)]
    [InlineData(32, true)]
    public void Wav_files_of_every_common_encoding_decode_to_mono_16k(int bits, bool ieee)
    {
        const int rate = 44100, channels = 2;
        var path = media.Path($"tone-{bits}-{ieee}.wav");
        WriteWav(path, rate, channels, bits, ieee, Enumerable.Range(0, rate).Select(i => 0.5 * Math.Sin(2 * Math.PI * 440 * i / rate)).ToArray());
        var clip = _decoder.DecodeAudio(path);
        Assert.Equal(16000, clip.SampleRate);
        Assert.InRange(clip.Samples.Length, 15990, 16000);
        Assert.InRange(DominantFrequency(clip), 430, 450);
        Assert.InRange(clip.Samples.Max(), 0.45f, 0.55f);
    }

    [Fact]
    public void Transparent_pixels_are_composited_on_white()
    {
        var image = _decoder.DecodeImage(media.Path("half-red.png"));
        Assert.Equal((8, 8), (image.Width, image.Height));
        // 50% red over white: R stays near 255, G and B near 128.
        Assert.InRange(image.Pixels[0], 250, 255);
        Assert.InRange(image.Pixels[1], 120, 136);
        Assert.InRange(image.Pixels[2], 120, 136);
        var jpeg = _decoder.DecodeImage(media.Path("pattern.jpg"));
        Assert.Equal((64, 48), (jpeg.Width, jpeg.Height));
    }

    [Theory]
    [InlineData("video.mp4", "video")]
    [InlineData("half-red.png", "image")]
    [InlineData("pattern.jpg", "image")]
    [InlineData("tone.ogg", "audio")]
    public void Truncated_and_garbage_files_give_a_clear_error_naming_the_file(string name, string kind)
    {
        var cut = media.Truncated(name);
        var garbage = media.Garbage("garbage-" + name);
        foreach (var path in new[] { cut, garbage })
        {
            var clock = Stopwatch.StartNew();
            Exception? error = Record.Exception(() =>
            {
                switch (kind)
                {
                    case "video": _decoder.DecodeVideo(path); break;
                    case "image": _decoder.DecodeImage(path); break;
                    default: _decoder.DecodeAudio(path); break;
                }
            });
            // A truncated JPEG or OGG may still decode partly; when it fails, it fails cleanly and promptly.
            if (error is null) { Assert.Equal(cut, path); continue; }
            var decodeError = Assert.IsType<MediaDecodeException>(error);
            Assert.Contains(path, decodeError.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public void Truncated_and_corrupt_wav_files_are_refused()
    {
        var path = media.Path("ok.wav");
        WriteWav(path, 16000, 1, 16, false, new double[1600]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(media.Path("cut.wav"), bytes.AsSpan(0, bytes.Length - 100).ToArray());
        var e = Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(media.Path("cut.wav")));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("cut.wav", e.Message);
        File.WriteAllBytes(media.Path("nothing.wav"), "RIFF"u8.ToArray());
        Assert.Contains("RIFF", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(media.Path("nothing.wav"))).Message);
    }

    [Fact]
    public void A_decoder_that_hangs_is_killed_at_the_timeout()
    {
        var fifo = media.Path("never.mp4");
        Process.Start("mkfifo", fifo)!.WaitForExit();
        var hanging = new MediaDecoder(new FfmpegOptions { Timeout = TimeSpan.FromSeconds(2) });
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<MediaDecodeException>(() => hanging.DecodeVideo(fifo));
        Assert.Contains("timed out after 2 s", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_missing_ffmpeg_names_the_setup_command()
    {
        var missing = new MediaDecoder(new FfmpegOptions { FfprobePath = "/nonexistent/ffprobe" });
        var e = Assert.Throws<MediaDecodeException>(() => missing.DecodeVideo(media.Path("video.mp4")));
        Assert.Contains("tools/setup.sh", e.Message);
    }

    private static void WriteWav(string path, int rate, int channels, int bits, bool ieee, double[] mono)
    {
        int bytesPerSample = bits / 8, dataLength = mono.Length * channels * bytesPerSample;
        var b = new byte[44 + dataLength];
        "RIFF"u8.CopyTo(b);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), 36 + dataLength);
        "WAVEfmt "u8.CopyTo(b.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(20), (short)(ieee ? 3 : 1));
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(22), (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(28), rate * channels * bytesPerSample);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(32), (short)(channels * bytesPerSample));
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(34), (short)bits);
        "data"u8.CopyTo(b.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), dataLength);
        int o = 44;
        foreach (var x in mono)
            for (int c = 0; c < channels; c++, o += bytesPerSample)
            {
                var s = b.AsSpan(o, bytesPerSample);
                switch (bits, ieee)
                {
                    case (32, true): BinaryPrimitives.WriteSingleLittleEndian(s, (float)x); break;
                    case (8, false): s[0] = (byte)Math.Round(x * 127 + 128); break;
                    case (16, false): BinaryPrimitives.WriteInt16LittleEndian(s, (short)Math.Round(x * 32767)); break;
                    default:
                        int v = (int)Math.Round(x * 8388607);
                        s[0] = (byte)v; s[1] = (byte)(v >> 8); s[2] = (byte)(v >> 16);
                        break;
                }
            }
        File.WriteAllBytes(path, b);
    }
}
