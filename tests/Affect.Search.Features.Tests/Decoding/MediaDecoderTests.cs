using System.Diagnostics;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Decoding;

[Collection(MediaCollection.Name)]
public sealed class MediaDecoderTests(MediaFixture media)
{
    private readonly MediaDecoder _decoder = new(new FfmpegOptions { Timeout = TimeSpan.FromSeconds(20) });

    [Theory]
    [InlineData("a.PNG", MediaKind.Image)]
    [InlineData("a.jpeg", MediaKind.Image)]
    [InlineData("a.gif", MediaKind.Image)]
    [InlineData("a.tga", MediaKind.Image)]
    [InlineData("a.webp", MediaKind.Image)]
    [InlineData("a.wav", MediaKind.Audio)]
    [InlineData("a.opus", MediaKind.Audio)]
    [InlineData("a.m4a", MediaKind.Audio)]
    [InlineData("a.mkv", MediaKind.Video)]
    [InlineData("a.MOV", MediaKind.Video)]
    [InlineData("a.txt", MediaKind.Unknown)]
    [InlineData("noextension", MediaKind.Unknown)]
    public void Kinds_come_from_the_extension(string path, MediaKind kind) => Assert.Equal(kind, MediaDecoder.KindOf(path));

    [Fact]
    public void Wav_is_decoded_in_managed_code_and_other_audio_by_ffmpeg()
    {
        var wav = media.Write("stereo.wav", TestWav.Write(WavEncoding.Pcm16, 2, 44100, 44100, TestWav.Sine(440, 44100)));
        var clip = _decoder.DecodeAudio(wav);
        Assert.Equal(16000, clip.Samples.Length);
        Assert.Equal(WavDecoder.Decode(wav).Samples, clip.Samples);
        // ffmpeg's 24-bit WAV uses WAVE_FORMAT_EXTENSIBLE, which the managed reader handles too.
        var extensible = _decoder.DecodeAudio(media.Path("s24-extensible.wav"));
        Assert.InRange(Signal.DominantFrequency(extensible.Samples, 16000), 437, 443);
        // mu-law is not read in managed code: the facade falls back to ffmpeg.
        var mulaw = _decoder.DecodeAudio(media.Path("mulaw.wav"));
        Assert.Equal(16000, mulaw.Samples.Length);
        Assert.InRange(Signal.DominantFrequency(mulaw.Samples, 16000), 437, 443);
        Assert.InRange(_decoder.DecodeAudio(media.Path("tone.mp3")).Duration, 1.95, 2.1);
    }

    [Fact]
    public void The_configured_rate_and_cap_apply_to_wav_too()
    {
        var wav = media.Write("three-seconds.wav", TestWav.Write(WavEncoding.Pcm16, 1, 44100, 3 * 44100, TestWav.Sine(440, 44100)));
        var decoder = new MediaDecoder(new FfmpegOptions { SampleRate = 8000, MaxAudioSeconds = 2 });
        var clip = decoder.DecodeAudio(wav);
        Assert.Equal(8000, clip.SampleRate);
        Assert.Equal(16000, clip.Samples.Length);
    }

    [Fact]
    public void Images_decode_managed_or_through_ffmpeg_and_a_gif_is_an_image_or_an_animation()
    {
        Assert.Equal((24, 16), Size(_decoder.DecodeImage(media.Path("solid.tga"))));
        Assert.Equal((8, 8), Size(_decoder.DecodeImage(media.Path("half-red.webp"))));
        Assert.Equal((64, 48), Size(_decoder.DecodeImage(media.Path("animated.gif"))));
        // Unknown extensions are recognised by signature.
        Assert.Equal((24, 16), Size(_decoder.DecodeImage(media.Write("solid.dat", media.Bytes("solid.png")))));
        var animation = _decoder.DecodeVideo(media.Path("animated.gif"));
        Assert.Equal(3, animation.Frames.Count);
        Assert.Equal((320, 240), Size(animation.Frames[0]));
        Assert.Null(animation.Audio);
    }

    [Fact]
    public void Decoding_as_video_or_by_kind_covers_every_kind()
    {
        var still = _decoder.DecodeVideo(media.Path("solid.png"));
        Assert.Equal((24, 16), Size(Assert.Single(still.Frames)));
        Assert.Null(still.Audio);
        var sound = _decoder.DecodeVideo(media.Path("tone.flac"));
        Assert.Empty(sound.Frames);
        Assert.NotNull(sound.Audio);
        var video = _decoder.Decode(media.Path("video.mp4"));
        Assert.Equal(3, video.Frames.Count);
        Assert.NotNull(video.Audio);
        Assert.InRange(_decoder.DecodeAudio(media.Path("video.mp4")).Duration, 2.95, 3.1);
        Assert.Single(_decoder.Decode(media.Path("pattern.jpg")).Frames);
    }

    [Fact]
    public void Asking_for_the_wrong_kind_fails_naming_the_file()
    {
        var mp3 = media.Path("tone.mp3");
        Assert.Equal($"{mp3}: is an audio file (.mp3), not an image", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeImage(mp3)).Message);
        var png = media.Path("solid.png");
        Assert.Equal($"{png}: is an image (.png), it has no audio", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeAudio(png)).Message);
        Assert.StartsWith(media.Path("video.mp4") + ": is a video", Assert.Throws<MediaDecodeException>(() => _decoder.DecodeImage(media.Path("video.mp4"))).Message);
    }

    public static TheoryData<string, string> Corrupt() => new()
    {
        { "solid.png", "image" }, { "pattern.jpg", "image" }, { "red.gif", "image" }, { "solid.bmp", "image" }, { "solid.tga", "image" },
        { "three-seconds-copy.wav", "audio" }, { "tone.ogg", "audio" }, { "tone.flac", "audio" }, { "video.mp4", "video" }, { "blue-silence.webm", "video" },
    };

    [Theory]
    [MemberData(nameof(Corrupt))]
    public void Truncated_and_random_files_of_every_kind_fail_cleanly_and_promptly(string name, string kind)
    {
        if (name.EndsWith(".wav")) media.Write(name, TestWav.Write(WavEncoding.Pcm24, 2, 48000, 48000, TestWav.Sine(440, 48000)));
        var decoder = new MediaDecoder(new FfmpegOptions { Timeout = TimeSpan.FromSeconds(5) });
        var cases = new[] { media.Truncated(name), media.Garbage("random-" + name), media.Write("empty-" + name, []) };
        foreach (var path in cases)
        {
            var clock = Stopwatch.StartNew();
            var error = Record.Exception(() =>
            {
                switch (kind)
                {
                    case "image": decoder.DecodeImage(path); break;
                    case "audio": decoder.DecodeAudio(path); break;
                    default: decoder.DecodeVideo(path); break;
                }
            });
            var decodeError = Assert.IsType<MediaDecodeException>(error);
            Assert.StartsWith(path + ": ", decodeError.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{path} took {clock.Elapsed}");
        }
    }

    private static (int, int) Size(RgbImage image) => (image.Width, image.Height);
}
