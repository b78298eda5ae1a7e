using System.Diagnostics;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Decoding;

[Collection(MediaCollection.Name)]
public sealed class FfmpegDecoderTests(MediaFixture media)
{
    private readonly FfmpegDecoder _decoder = new(new FfmpegOptions { Timeout = TimeSpan.FromSeconds(20) });

    [Fact]
    public void A_video_gives_one_keyframe_per_second_and_its_sound_track()
    {
        var decoded = _decoder.DecodeVideo(media.Path("video.mp4"));
        Assert.Equal(3, decoded.Frames.Count);
        Assert.All(decoded.Frames, f => Assert.Equal((320, 240), (f.Width, f.Height)));
        // testsrc moves (a counter and a sweeping gradient): keyframes differ and are not uniform.
        Assert.NotEqual(decoded.Frames[0].Pixels, decoded.Frames[1].Pixels);
        Assert.True(decoded.Frames[0].Pixels.Distinct().Count() > 50);
        var audio = Assert.IsType<AudioClip>(decoded.Audio);
        Assert.Equal(16000, audio.SampleRate);
        Assert.InRange(audio.Duration, 2.95, 3.1);
        Assert.InRange(Signal.DominantFrequency(audio.Samples, 16000), 995, 1005);
        Assert.InRange(Signal.Rms(audio.Samples), 0.05, 0.2);      // lavfi's sine has amplitude 1/8
    }

    [Fact]
    public void Frames_are_scaled_by_width_keeping_the_aspect_or_left_native()
    {
        var small = new FfmpegDecoder(new FfmpegOptions { FrameWidth = 100 }).DecodeVideo(media.Path("video.mp4"));
        Assert.All(small.Frames, f => Assert.Equal((100, 74), (f.Width, f.Height)));    // 75 rounded down to even
        var native = new FfmpegDecoder(new FfmpegOptions { FrameWidth = null, FramesPerSecond = 2 }).DecodeVideo(media.Path("no-sound.mp4"));
        Assert.Equal(24, native.Frames.Count);
        Assert.All(native.Frames, f => Assert.Equal((160, 120), (f.Width, f.Height)));
    }

    [Fact]
    public void Colours_survive_decoding_and_a_silent_track_decodes_as_silence()
    {
        var decoded = _decoder.DecodeVideo(media.Path("blue-silence.webm"));
        Assert.Equal(2, decoded.Frames.Count);
        var frame = decoded.Frames[1];
        Assert.Equal((320, 240), (frame.Width, frame.Height));
        int centre = 3 * (120 * 320 + 160);
        Assert.InRange(frame.Pixels[centre], 0x33 - 6, 0x33 + 6);
        Assert.InRange(frame.Pixels[centre + 1], 0x66 - 6, 0x66 + 6);
        Assert.InRange(frame.Pixels[centre + 2], 0xCC - 6, 0xCC + 6);
        var audio = Assert.IsType<AudioClip>(decoded.Audio);
        Assert.InRange(audio.Duration, 1.9, 2.1);
        Assert.All(audio.Samples, s => Assert.InRange(s, -1e-4f, 1e-4f));
    }

    [Fact]
    public void A_video_without_sound_has_no_audio_and_the_frame_cap_holds()
    {
        var capped = new FfmpegDecoder(new FfmpegOptions { MaxFrames = 4 });
        var decoded = capped.DecodeVideo(media.Path("no-sound.mp4"));
        Assert.Null(decoded.Audio);
        Assert.Equal(4, decoded.Frames.Count);
        Assert.Equal(12, _decoder.DecodeVideo(media.Path("no-sound.mp4")).Frames.Count);
    }

    [Fact]
    public void A_file_without_video_gives_no_frames()
    {
        var decoded = _decoder.DecodeVideo(media.Path("tone.ogg"));
        Assert.Empty(decoded.Frames);
        Assert.InRange(Assert.IsType<AudioClip>(decoded.Audio).Duration, 1.95, 2.05);
    }

    [Theory]
    [InlineData("tone.ogg")]
    [InlineData("tone.mp3")]
    [InlineData("tone.flac")]
    [InlineData("tone.opus")]
    [InlineData("tone.m4a")]
    [InlineData("mulaw.wav")]
    public void Compressed_audio_decodes_to_mono_16k(string name)
    {
        var clip = _decoder.DecodeAudio(media.Path(name));
        Assert.Equal(16000, clip.SampleRate);
        double expected = name == "mulaw.wav" ? 1 : 2;
        Assert.InRange(clip.Duration, expected - 0.05, expected + 0.08);   // MP3 and AAC add encoder padding
        Assert.InRange(Signal.DominantFrequency(clip.Samples, 16000), 437, 443);
    }

    [Fact]
    public void Audio_is_cut_at_the_duration_cap_and_resampled_to_the_configured_rate()
    {
        var clip = new FfmpegDecoder(new FfmpegOptions { MaxAudioSeconds = 1.5, SampleRate = 8000 }).DecodeAudio(media.Path("long-tone.ogg"));
        Assert.Equal(8000, clip.SampleRate);
        Assert.Equal(12000, clip.Samples.Length);
        Assert.InRange(Signal.DominantFrequency(clip.Samples, 8000), 437, 443);
        Assert.InRange(_decoder.DecodeAudio(media.Path("long-tone.ogg")).Duration, 4.95, 5.05);
    }

    [Fact]
    public void Audio_of_a_video_and_images_through_ffmpeg()
    {
        Assert.InRange(_decoder.DecodeAudio(media.Path("video.mp4")).Duration, 2.95, 3.1);
        var e = Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(media.Path("no-sound.mp4")));
        Assert.Equal($"{media.Path("no-sound.mp4")}: has no audio stream", e.Message);
        var webp = _decoder.DecodeImage(media.Path("half-red.webp"));
        Assert.Equal((8, 8), (webp.Width, webp.Height));
        Assert.InRange(webp.Pixels[0], 254, 255);
        Assert.InRange(webp.Pixels[1], 126, 130);    // 50% red on white
    }

    [Fact]
    public void Odd_file_names_are_not_taken_for_options_or_protocols()
    {
        var odd = media.Path("-i concat:odd name.mp4");
        File.Copy(media.Path("video.mp4"), odd, overwrite: true);
        Assert.Equal(3, _decoder.DecodeVideo(odd).Frames.Count);
    }

    public static TheoryData<string, double> Damaged() => new()
    {
        { "video.mp4", 0.5 }, { "video.mp4", 0.95 }, { "blue-silence.webm", 0.5 }, { "tone.flac", 0.5 }, { "tone.m4a", 0.5 }, { "tone.ogg", 0.1 },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void Truncated_files_fail_naming_the_file(string name, double fraction)
    {
        var path = media.Truncated(name, fraction);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<MediaDecodeException>(() =>
        {
            if (name.EndsWith(".mp4") || name.EndsWith(".webm")) _decoder.DecodeVideo(path);
            else _decoder.DecodeAudio(path);
        });
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Matches("ffmpeg|ffprobe", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Decoding_errors_can_be_tolerated_to_keep_what_decoded()
    {
        var video = media.Truncated("faststart.mp4", 0.5);
        var strict = Assert.Throws<MediaDecodeException>(() => _decoder.DecodeVideo(video));
        Assert.StartsWith($"{video}: ffmpeg reported errors decoding video (damaged or truncated file): ", strict.Message);
        var tolerant = new FfmpegDecoder(new FfmpegOptions { TolerateDecodeErrors = true });
        var decoded = tolerant.DecodeVideo(video);
        Assert.InRange(decoded.Frames.Count, 1, 2);
        Assert.InRange(Assert.IsType<AudioClip>(decoded.Audio).Duration, 0.5, 2.5);
        var flac = media.Truncated("tone.flac", 0.5);
        Assert.Contains("reported errors decoding audio", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(flac)).Message);
        Assert.InRange(tolerant.DecodeAudio(flac).Duration, 0.5, 1.5);
    }

    [Fact]
    public void Garbage_empty_and_missing_files_fail_naming_the_file()
    {
        var garbage = media.Garbage("garbage.mp4");
        var e = Assert.Throws<MediaDecodeException>(() => _decoder.DecodeVideo(garbage));
        Assert.StartsWith($"{garbage}: ffprobe cannot read the file (exit code 1): ", e.Message);
        Assert.Contains("Invalid data found when processing input", e.Message);
        var audio = Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(media.Garbage("garbage.mp3", 20000)));
        Assert.StartsWith(media.Path("garbage.mp3") + ": ffmpeg", audio.Message);
        var empty = media.Write("empty.mkv", []);
        Assert.Equal($"{empty}: ffprobe cannot read the file (exit code 1): the file is empty",
            Assert.Throws<MediaDecodeException>(() => _decoder.DecodeVideo(empty)).Message);
        var missing = media.Path("missing.mp4");
        Assert.Equal($"{missing}: file not found", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeVideo(missing)).Message);
        Assert.Equal($"{missing}: file not found", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(missing)).Message);
    }

    /// <summary>A stand-in for ffprobe or ffmpeg that never finishes (a decoder stuck on hostile input).</summary>
    private string HangingTool(string name)
    {
        Directory.CreateDirectory(media.Path("hanging-tools"));
        var path = media.Write(Path.Combine("hanging-tools", name), System.Text.Encoding.ASCII.GetBytes("#!/bin/sh\nexec sleep 60\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void A_decoder_that_hangs_is_killed_at_the_timeout()
    {
        var video = media.Path("video.mp4");
        var hanging = new FfmpegDecoder(new FfmpegOptions
        {
            Timeout = TimeSpan.FromSeconds(1.5), FfprobePath = HangingTool("ffprobe"), FfmpegPath = HangingTool("ffmpeg"),
        });
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<MediaDecodeException>(() => hanging.DecodeVideo(video));
        Assert.Equal($"{video}: ffprobe timed out after 1.5 s and was killed", e.Message);
        var audio = Assert.Throws<MediaDecodeException>(() => hanging.DecodeAudio(video));
        Assert.Equal($"{video}: ffmpeg timed out after 1.5 s and was killed", audio.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 2.9, 8);
    }

    [Fact]
    public void A_named_pipe_is_refused_unread()
    {
        // Opening a FIFO blocks until a writer comes: the decoder must not hand one to ffmpeg at all.
        var fifo = media.Path("never-written.mp4");
        if (!File.Exists(fifo)) Process.Start("mkfifo", [fifo]).WaitForExit();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<MediaDecodeException>(() => _decoder.DecodeVideo(fifo));
        Assert.Equal($"{fifo}: is not a regular file (a named pipe)", e.Message);
        Assert.Contains("is not a regular file", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(fifo)).Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_tiny_timeout_kills_even_a_healthy_decode()
    {
        var rushed = new FfmpegDecoder(new FfmpegOptions { Timeout = TimeSpan.FromMilliseconds(1) });
        var e = Assert.Throws<MediaDecodeException>(() => rushed.DecodeAudio(media.Path("long-tone.ogg")));
        Assert.EndsWith("ffmpeg timed out after 0.001 s and was killed", e.Message);
    }

    [Fact]
    public void Cancellation_stops_a_hung_decoder()
    {
        var hanging = new FfmpegDecoder(new FfmpegOptions { FfmpegPath = HangingTool("ffmpeg") });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => hanging.DecodeAudio(media.Path("tone.ogg"), cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_missing_ffmpeg_names_the_setup_command()
    {
        var noProbe = new FfmpegDecoder(new FfmpegOptions { FfprobePath = "/nonexistent/ffprobe" });
        var e = Assert.Throws<MediaDecodeException>(() => noProbe.DecodeVideo(media.Path("video.mp4")));
        Assert.StartsWith(media.Path("video.mp4") + ": cannot run ffprobe", e.Message);
        Assert.Contains("sudo tools/setup.sh", e.Message);
        var noFfmpeg = new FfmpegDecoder(new FfmpegOptions { FfmpegPath = "ffmpeg-that-is-not-installed" });
        Assert.Contains("sudo tools/setup.sh", Assert.Throws<MediaDecodeException>(() => noFfmpeg.DecodeAudio(media.Path("tone.ogg"))).Message);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new FfmpegDecoder(new FfmpegOptions { FramesPerSecond = 0 }));
        Assert.Throws<ArgumentException>(() => new FfmpegDecoder(new FfmpegOptions { MaxFrames = 0 }));
        Assert.Throws<ArgumentException>(() => new FfmpegDecoder(new FfmpegOptions { FrameWidth = 1 }));
        Assert.Throws<ArgumentException>(() => new FfmpegDecoder(new FfmpegOptions { Timeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new FfmpegDecoder(new FfmpegOptions { MaxAudioSeconds = double.NaN }));
    }
}
