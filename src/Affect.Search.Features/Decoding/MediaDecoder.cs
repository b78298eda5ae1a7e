using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// One entry point for an item's media, choosing the decoder by file extension:
/// <list type="bullet">
/// <item>Images (.png .jpg .jpeg .bmp .gif .tga) through the managed <see cref="ImageDecoder"/>; .webp, .tif and
/// .tiff through ffmpeg. A .gif counts as an image (its first frame) for <see cref="DecodeImage"/>;
/// <see cref="DecodeVideo"/> of a .gif samples its animation through ffmpeg.</item>
/// <item>.wav through the managed <see cref="WavDecoder"/> (encodings it does not read, such as mu-law or ADPCM,
/// fall back to ffmpeg); other audio (.ogg .mp3 .m4a .aac .flac .opus ...) through <see cref="FfmpegDecoder"/>.</item>
/// <item>Video (.mp4 .webm .mkv .avi .mov ...) and unknown extensions through <see cref="FfmpegDecoder"/>.</item>
/// </list>
/// Every failure is a <see cref="MediaDecodeException"/> naming the file. Thread-safe: one instance may serve a
/// parallel extraction.
/// </summary>
public sealed class MediaDecoder
{
    private static readonly HashSet<string> ManagedImages = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".gif", ".tga" };
    private static readonly HashSet<string> FfmpegImages = new(StringComparer.OrdinalIgnoreCase) { ".webp", ".tif", ".tiff" };
    private static readonly HashSet<string> Audio = new(StringComparer.OrdinalIgnoreCase) { ".wav", ".wave", ".ogg", ".oga", ".mp3", ".m4a", ".aac", ".flac", ".opus", ".wma" };
    private static readonly HashSet<string> Video = new(StringComparer.OrdinalIgnoreCase)
        { ".mp4", ".m4v", ".webm", ".mkv", ".avi", ".mov", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp", ".ts", ".ogv" };

    /// <summary>Creates a decoder; <paramref name="options"/> configure ffmpeg and the audio rate and duration cap (defaults when null).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MediaDecoder(FfmpegOptions? options = null) => Ffmpeg = new FfmpegDecoder(options);

    /// <summary>The ffmpeg settings (also the audio sample rate and duration cap of WAV decoding).</summary>
    public FfmpegOptions Options => Ffmpeg.Options;

    /// <summary>The ffmpeg decoder in use.</summary>
    public FfmpegDecoder Ffmpeg { get; }

    /// <summary>What a file holds, judged by its extension (case-insensitive).</summary>
    public static MediaKind KindOf(string path)
    {
        string extension = Path.GetExtension(path);
        if (ManagedImages.Contains(extension) || FfmpegImages.Contains(extension)) return MediaKind.Image;
        if (Audio.Contains(extension)) return MediaKind.Audio;
        if (Video.Contains(extension)) return MediaKind.Video;
        return MediaKind.Unknown;
    }

    /// <summary>Decodes a still image; transparency is blended onto white; a .gif gives its first frame.</summary>
    /// <exception cref="MediaDecodeException">The file is missing, not an image, or cannot be decoded.</exception>
    public RgbImage DecodeImage(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        if (FfmpegImages.Contains(extension)) return Ffmpeg.DecodeImage(path);
        return KindOf(path) switch
        {
            MediaKind.Audio => throw new MediaDecodeException($"{path}: is an audio file ({extension}), not an image"),
            MediaKind.Video => throw new MediaDecodeException($"{path}: is a video ({extension}), not an image; decode it as a video"),
            _ => ImageDecoder.Decode(path),     // known image extensions, and unknown ones by signature
        };
    }

    /// <summary>Decodes audio (or a video's sound track) to mono at <see cref="FfmpegOptions.SampleRate"/>, at most <see cref="FfmpegOptions.MaxAudioSeconds"/> long.</summary>
    /// <exception cref="MediaDecodeException">The file is missing, has no audio, or cannot be decoded.</exception>
    public AudioClip DecodeAudio(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        if (KindOf(path) == MediaKind.Image)
            throw new MediaDecodeException($"{path}: is an image ({extension}), it has no audio");
        if (extension.Equals(".wav", StringComparison.OrdinalIgnoreCase) || extension.Equals(".wave", StringComparison.OrdinalIgnoreCase))
        {
            try { return WavDecoder.Decode(path, Options.SampleRate, Options.MaxAudioSeconds); }
            catch (MediaDecodeException e) when (e.InnerException is NotSupportedException)
            {
                return Ffmpeg.DecodeAudio(path);  // an encoding the managed reader does not handle
            }
        }
        return Ffmpeg.DecodeAudio(path);
    }

    /// <summary>
    /// Decodes a video's keyframes and audio track. A still image gives itself as the one frame (native size) and no
    /// audio; an audio file gives no frames and its audio; a .gif gives its animation sampled like a video.
    /// </summary>
    /// <exception cref="MediaDecodeException">The file is missing or cannot be decoded.</exception>
    public DecodedMedia DecodeVideo(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        if (extension.Equals(".gif", StringComparison.OrdinalIgnoreCase)) return Ffmpeg.DecodeVideo(path);
        return KindOf(path) switch
        {
            MediaKind.Image => new DecodedMedia([DecodeImage(path)], null),
            MediaKind.Audio => new DecodedMedia([], DecodeAudio(path)),
            _ => Ffmpeg.DecodeVideo(path),
        };
    }

    /// <summary>Decodes whatever the file holds, by its kind: an image as one frame, audio as a clip, anything else as a video.</summary>
    /// <exception cref="MediaDecodeException">The file is missing or cannot be decoded.</exception>
    public DecodedMedia Decode(string path) => KindOf(path) switch
    {
        MediaKind.Image => new DecodedMedia([DecodeImage(path)], null),
        _ => DecodeVideo(path),
    };
}
