using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// One entry point for an item's media: images through <see cref="ImageDecoder"/>, WAV through the managed
/// <see cref="WavDecoder"/>, everything else (video, compressed audio) through <see cref="FfmpegDecoder"/>.
/// Every failure is a <see cref="MediaDecodeException"/> naming the file.
/// </summary>
public sealed class MediaDecoder(FfmpegOptions? options = null)
{
    private readonly FfmpegDecoder _ffmpeg = new(options);

    /// <summary>The ffmpeg settings.</summary>
    public FfmpegOptions Options => _ffmpeg.Options;

    /// <summary>Decodes a still image.</summary>
    public RgbImage DecodeImage(string path) => ImageDecoder.Decode(path);

    /// <summary>Decodes an audio file to mono at the configured rate (WAV in managed code, other formats through ffmpeg).</summary>
    public AudioClip DecodeAudio(string path)
        => Path.GetExtension(path).Equals(".wav", StringComparison.OrdinalIgnoreCase)
            ? WavDecoder.Decode(path, Options.SampleRate)
            : _ffmpeg.DecodeAudio(path);

    /// <summary>Decodes a video's keyframes and audio track.</summary>
    public DecodedMedia DecodeVideo(string path) => _ffmpeg.DecodeVideo(path);
}
