namespace Affect.Search.Features.Corpus;

/// <summary>
/// The documented limits on one input item, checked for every manifest line before any decoding or
/// indexing, so that one oversized line is a per-line error naming the line and id instead of a failure
/// halfway through a run. Media longer than the decode caps are cut, not refused.
/// </summary>
public static class InputLimits
{
    /// <summary>Bytes of one manifest line (UTF-8, without its line break); a longer line is refused unread.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>
    /// Bytes of an item id in UTF-8 (as Elasticsearch's _id). Far below Lucene's 32,766-byte term limit, which
    /// the text index's id field must respect.
    /// </summary>
    public const int MaxIdBytes = 512;

    /// <summary>Length of an item's text, in UTF-16 code units.</summary>
    public const int MaxTextLength = 100_000;

    /// <summary>Length of the source field, in UTF-16 code units.</summary>
    public const int MaxSourceLength = 2_048;

    /// <summary>Label values of one item, over all label kinds.</summary>
    public const int MaxLabels = 1_000;

    /// <summary>Length of a label kind or label value, in UTF-16 code units.</summary>
    public const int MaxLabelLength = 256;

    /// <summary>Bytes of an image file (images are read whole into memory to be decoded).</summary>
    public const long MaxImageBytes = 512L << 20;

    /// <summary>Bytes of an audio file.</summary>
    public const long MaxAudioBytes = 1L << 30;

    /// <summary>Bytes of a video file.</summary>
    public const long MaxVideoBytes = 4L << 30;

    /// <summary>Pixels of a decoded image (width x height); a larger image is refused when decoded.</summary>
    public const long MaxImagePixels = 1L << 26;

    /// <summary>Keyframes decoded per video (the default of FfmpegOptions.MaxFrames): later frames are not read.</summary>
    public const int MaxKeyframes = 300;

    /// <summary>Seconds of audio decoded per file or sound track (the default of FfmpegOptions.MaxAudioSeconds): the rest is cut.</summary>
    public const double MaxAudioSeconds = 600;

    /// <summary>Seconds one ffmpeg or ffprobe process may run on one file (the default of FfmpegOptions.Timeout) before the decode fails.</summary>
    public const int DecodeTimeoutSeconds = 60;

    /// <summary>The byte limit of a media field ("image", "audio" or "video").</summary>
    public static long MaxMediaBytes(string field) => field switch
    {
        "image" => MaxImageBytes,
        "audio" => MaxAudioBytes,
        "video" => MaxVideoBytes,
        _ => throw new ArgumentException($"unknown media field '{field}'", nameof(field)),
    };
}
