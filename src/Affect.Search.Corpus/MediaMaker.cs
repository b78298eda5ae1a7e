using System.Globalization;

namespace Affect.Search.Corpus;

/// <summary>
/// Makes the corpus's derived media with external tools: SVG stamps rasterised by rsvg-convert, and short videos
/// (the stamp on white with a slow zoom, the stamp's sound as the audio track) by ffmpeg. Every output is
/// bit-exact for the same input and tool versions: single-threaded encoders, bit-exact flags, no metadata.
/// </summary>
public sealed class MediaMaker
{
    /// <summary>Frame size of the videos (square).</summary>
    public const int VideoSize = 128;

    /// <summary>Frame rate of the videos.</summary>
    public const int VideoFps = 12;

    /// <summary>Shortest video in seconds (a very short sound still makes a usable clip; the audio is padded with silence).</summary>
    public const double MinVideoSeconds = 1.0;

    /// <summary>Longest video in seconds (keeps the corpus small and the build fast).</summary>
    public const double MaxVideoSeconds = 4.0;

    /// <summary>Largest side of a rasterised SVG in pixels.</summary>
    public const int RasterSize = 256;

    /// <summary>Side of a rasterised icon of the extended corpus in pixels: the size of the default corpus's emoji images.</summary>
    public const int IconSize = 64;

    private readonly string _ffmpeg, _ffprobe, _rsvg;
    private readonly TimeSpan _timeout;

    /// <summary>Uses the tools found on PATH unless named otherwise.</summary>
    public MediaMaker(string ffmpeg = "ffmpeg", string ffprobe = "ffprobe", string rsvgConvert = "rsvg-convert", TimeSpan? timeout = null)
    {
        (_ffmpeg, _ffprobe, _rsvg) = (ffmpeg, ffprobe, rsvgConvert);
        _timeout = timeout ?? TimeSpan.FromSeconds(120);
    }

    /// <summary>
    /// The versions of the tools that make the media, as they name themselves ("ffmpeg version 5.1.9-0+deb12u1",
    /// "rsvg-convert version 2.54.7"): the same inputs give the same bytes only with the same versions, so the
    /// corpus records them. A tool that does not answer is "unknown".
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToolVersions()
    {
        string FirstLine(string program, string argument)
        {
            try
            {
                var line = ToolRunner.Run(program, [argument], program, _timeout).Split('\n')[0].Trim();
                int copyright = line.IndexOf(" Copyright", StringComparison.Ordinal);
                return copyright > 0 ? line[..copyright] : line;
            }
            catch (Exception e) when (e is MediaToolException or InvalidOperationException) { return "unknown"; }
        }
        return [new("ffmpeg", FirstLine(_ffmpeg, "-version")), new("rsvg-convert", FirstLine(_rsvg, "--version"))];
    }

    /// <summary>Rasterises <paramref name="svg"/> into <paramref name="png"/>, at most <see cref="RasterSize"/> pixels a side, on white.</summary>
    /// <exception cref="MediaToolException">rsvg-convert failed (e.g. the SVG is unreadable); the message names the file.</exception>
    public void Rasterise(string svg, string png)
    {
        var size = RasterSize.ToString(CultureInfo.InvariantCulture);
        ToolRunner.Run(_rsvg, new[] { "-w", size, "-h", size, "--keep-aspect-ratio", "-b", "white", "-o", png, svg }, svg, _timeout);
        if (!File.Exists(png) || new FileInfo(png).Length == 0) throw new MediaToolException($"{svg}: rsvg-convert wrote no image");
    }

    /// <summary>
    /// Rasterises an icon <paramref name="svg"/> into <paramref name="png"/>: <see cref="IconSize"/> pixels a side (the
    /// drawing fitted and centred), composited on white. Icons are black on transparent; on white they read like the
    /// emoji (which the feature decoder also blends on white) instead of depending on how a reader treats alpha.
    /// </summary>
    /// <exception cref="MediaToolException">rsvg-convert failed (e.g. the SVG is unreadable or missing); the message names the file.</exception>
    public void RasteriseIcon(string svg, string png)
    {
        if (!File.Exists(svg)) throw new MediaToolException($"{svg}: not found");
        var size = IconSize.ToString(CultureInfo.InvariantCulture);
        ToolRunner.Run(_rsvg, new[] { "-w", size, "-h", size, "--keep-aspect-ratio", "-b", "white", "-o", png, svg }, svg, _timeout);
        if (!File.Exists(png) || new FileInfo(png).Length == 0) throw new MediaToolException($"{svg}: rsvg-convert wrote no image");
    }

    /// <summary>The duration of a sound file in seconds: from its headers for Ogg Vorbis/Opus and WAV, else from ffprobe.</summary>
    /// <exception cref="MediaToolException">ffprobe failed or reported no duration (e.g. the file is not a sound).</exception>
    public double ProbeSeconds(string sound)
    {
        if (SoundDuration.TryRead(sound) is { } fromHeaders) return fromHeaders;
        var output = ToolRunner.Run(_ffprobe, new[] { "-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", sound },
            sound, _timeout).Trim();
        if (!double.TryParse(output, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0))
            throw new MediaToolException($"{sound}: ffprobe reports no duration ('{output}')");
        return seconds;
    }

    /// <summary>The video length for a sound of <paramref name="soundSeconds"/>: clamped to [1, 4] s, in whole frames.</summary>
    public static double VideoSeconds(double soundSeconds)
    {
        double clamped = Math.Clamp(soundSeconds, MinVideoSeconds, MaxVideoSeconds);
        return Math.Ceiling(clamped * VideoFps) / VideoFps;
    }

    /// <summary>
    /// Makes an MP4 (H.264 yuv420p + AAC mono) of <paramref name="image"/> laid on white, zooming in slowly (so that
    /// keyframes differ over time), with <paramref name="sound"/> as its audio, lasting <see cref="VideoSeconds"/>.
    /// </summary>
    /// <exception cref="MediaToolException">ffmpeg failed; the message names the image and quotes ffmpeg.</exception>
    public void MakeVideo(string image, string sound, double soundSeconds, string mp4)
    {
        double seconds = VideoSeconds(soundSeconds);
        int frames = (int)Math.Round(seconds * VideoFps);
        string s = VideoSize.ToString(CultureInfo.InvariantCulture);
        // One still frame in; zoompan emits `frames` frames from it, so no endless -loop input is needed. The picture
        // is scaled to twice the frame size first: zoompan crops to whole pixels, and at 128 px the zoom would judder
        // (4x is smoother still but makes each video a third slower).
        int work = VideoSize * 2;
        string filter = string.Create(CultureInfo.InvariantCulture,
            $"color=c=white:s={work}x{work}:r=1:d=1[bg];" +
            $"[0:v]scale={work}:{work}:force_original_aspect_ratio=decrease[fg];" +
            $"[bg][fg]overlay=x=(W-w)/2:y=(H-h)/2:format=auto," +
            $"zoompan=z='1+0.25*on/{frames}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d={frames}:s={s}x{s}:fps={VideoFps},format=yuv420p[v];" +
            $"[1:a]apad[a]");
        var args = new List<string>
        {
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-threads", "1",
            "-i", image, "-i", sound,
            "-filter_complex", filter, "-filter_complex_threads", "1", "-map", "[v]", "-map", "[a]",
            "-t", seconds.ToString("0.###", CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", "24", "-pix_fmt", "yuv420p", "-threads:v", "1",
            "-c:a", "aac", "-b:a", "64k", "-ac", "1", "-ar", "22050",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1",
            "-movflags", "+faststart", mp4,
        };
        ToolRunner.Run(_ffmpeg, args, image, _timeout);
        if (!File.Exists(mp4) || new FileInfo(mp4).Length == 0) throw new MediaToolException($"{image}: ffmpeg wrote no video");
    }
}
