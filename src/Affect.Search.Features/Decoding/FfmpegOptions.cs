using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>Settings of <see cref="FfmpegDecoder"/> (and of <see cref="MediaDecoder"/>, which passes them on).</summary>
public sealed record FfmpegOptions
{
    /// <summary>Keyframes sampled per second of video (the paper: 1).</summary>
    public double FramesPerSecond { get; init; } = 1.0;

    /// <summary>Cap on keyframes per video, bounding memory and time for long videos.</summary>
    public int MaxFrames { get; init; } = Corpus.InputLimits.MaxKeyframes;

    /// <summary>
    /// Keyframes are scaled to this width, the height following the display aspect ratio (rounded to an even
    /// number); null keeps each video's native (storage) size, in which case memory is MaxFrames x width x height x 3.
    /// </summary>
    public int? FrameWidth { get; init; } = 320;

    /// <summary>Sample rate of decoded audio (mono).</summary>
    public int SampleRate { get; init; } = AudioClip.StandardSampleRate;

    /// <summary>Cap on decoded audio, in seconds (ffmpeg's <c>-t</c>); longer tracks are cut, not refused.</summary>
    public double MaxAudioSeconds { get; init; } = Corpus.InputLimits.MaxAudioSeconds;

    /// <summary>Each ffmpeg or ffprobe process running longer than this is killed and the decode fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(Corpus.InputLimits.DecodeTimeoutSeconds);

    /// <summary>The ffmpeg program (a name looked up on PATH, or a path).</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>The ffprobe program (a name looked up on PATH, or a path).</summary>
    public string FfprobePath { get; init; } = "ffprobe";

    /// <summary>
    /// When false (the default), a decode fails if ffmpeg reports any error, even when it exits successfully
    /// with partial output (a truncated file whose index survived, a damaged packet); when true, whatever decoded
    /// is kept and only a failing exit status, a timeout or an empty result is an error.
    /// </summary>
    public bool TolerateDecodeErrors { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(FramesPerSecond > 0) || double.IsInfinity(FramesPerSecond))
            throw new ArgumentException($"{nameof(FramesPerSecond)} must be positive and finite, not {FramesPerSecond}");
        if (MaxFrames < 1) throw new ArgumentException($"{nameof(MaxFrames)} must be at least 1, not {MaxFrames}");
        if (FrameWidth is < 2) throw new ArgumentException($"{nameof(FrameWidth)} must be at least 2 or null, not {FrameWidth}");
        if (SampleRate < 1) throw new ArgumentException($"{nameof(SampleRate)} must be positive, not {SampleRate}");
        if (!(MaxAudioSeconds > 0) || double.IsInfinity(MaxAudioSeconds))
            throw new ArgumentException($"{nameof(MaxAudioSeconds)} must be positive and finite, not {MaxAudioSeconds}");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentException($"{nameof(Timeout)} must be positive, not {Timeout}");
        if (string.IsNullOrWhiteSpace(FfmpegPath)) throw new ArgumentException($"{nameof(FfmpegPath)} is empty");
        if (string.IsNullOrWhiteSpace(FfprobePath)) throw new ArgumentException($"{nameof(FfprobePath)} is empty");
    }
}
