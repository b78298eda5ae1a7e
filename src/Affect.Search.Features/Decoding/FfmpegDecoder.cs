using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// Decodes video keyframes and audio (any container and codec the installed ffmpeg reads) by running ffmpeg and
/// ffprobe as subprocesses (installed by <c>sudo tools/setup.sh</c>).
/// <list type="bullet">
/// <item>Everything streams through pipes: no temporary files. Keyframes come as PAM images (RGBA, each frame
/// with its own size header) from <c>-vf fps=F,scale=W:H -frames:v MaxFrames -f image2pipe -c:v pam</c>; audio as
/// mono float32 PCM from <c>-vn -ac 1 -ar SampleRate -t MaxAudioSeconds -f f32le</c>, in a second process.</item>
/// <item>Memory is bounded by <see cref="FfmpegOptions.MaxFrames"/>, the frame size and
/// <see cref="FfmpegOptions.MaxAudioSeconds"/>.</item>
/// <item>Each process is killed (with its children) after <see cref="FfmpegOptions.Timeout"/>, and the decode
/// fails with "... timed out after N s".</item>
/// <item>Every failure is a <see cref="MediaDecodeException"/> naming the file, with ffmpeg's last error lines:
/// a missing or unreadable file, a failing exit status, decoding errors (unless
/// <see cref="FfmpegOptions.TolerateDecodeErrors"/>), a missing ffmpeg (naming <c>sudo tools/setup.sh</c>).</item>
/// </list>
/// Stateless apart from its options, so one instance may serve many threads.
/// </summary>
public sealed class FfmpegDecoder
{
    /// <summary>Creates a decoder with <paramref name="options"/> (defaults when null).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public FfmpegDecoder(FfmpegOptions? options = null)
    {
        Options = options ?? new FfmpegOptions();
        Options.Validate();
    }

    /// <summary>The settings in force.</summary>
    public FfmpegOptions Options { get; }

    /// <summary>
    /// Keyframes sampled at <see cref="FfmpegOptions.FramesPerSecond"/> (at most <see cref="FfmpegOptions.MaxFrames"/>,
    /// scaled to <see cref="FfmpegOptions.FrameWidth"/>) and the audio track, mono at
    /// <see cref="FfmpegOptions.SampleRate"/>. A file without an audio stream gives Audio = null; one without a video
    /// stream gives no frames; one with neither is an error.
    /// </summary>
    /// <exception cref="MediaDecodeException">The file cannot be decoded; the message names it and says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public DecodedMedia DecodeVideo(string path, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        MediaFile.CheckExists(path);
        var (streams, probeError) = Probe(path, cancellation);
        if (streams is not { } found)
        {
            // ffprobe gives up on some damaged files (a Matroska file cut short) that ffmpeg still partly decodes.
            if (!Options.TolerateDecodeErrors) throw probeError!;
            return DecodeWithoutProbe(path, probeError!, cancellation);
        }
        if (!found.Video && !found.Audio) throw new MediaDecodeException($"{path}: contains no video or audio stream");
        var frames = found.Video ? DecodeFrames(path, Options.FrameWidth, Options.FramesPerSecond, Options.MaxFrames, cancellation) : [];
        var audio = found.Audio ? DecodeAudioTrack(path, cancellation) : null;
        return new DecodedMedia(frames, audio);
    }

    /// <summary>Tolerant mode after ffprobe failed: keeps whichever of frames and audio ffmpeg can decode.</summary>
    private DecodedMedia DecodeWithoutProbe(string path, MediaDecodeException probeError, CancellationToken cancellation)
    {
        List<RgbImage> frames = [];
        AudioClip? audio = null;
        try { frames = DecodeFrames(path, Options.FrameWidth, Options.FramesPerSecond, Options.MaxFrames, cancellation); }
        catch (MediaDecodeException e) when (!e.Message.Contains(" timed out after ", StringComparison.Ordinal)) { }
        try { audio = DecodeAudioTrack(path, cancellation); }
        catch (MediaDecodeException e) when (!e.Message.Contains(" timed out after ", StringComparison.Ordinal)) { }
        if (frames.Count == 0 && audio is null) throw probeError;
        return new DecodedMedia(frames, audio);
    }

    /// <summary>
    /// The audio of any file ffmpeg reads (OGG, MP3, AAC/M4A, FLAC, Opus, WAV, a video's sound track), mixed down to
    /// mono at <see cref="FfmpegOptions.SampleRate"/> and cut at <see cref="FfmpegOptions.MaxAudioSeconds"/>.
    /// </summary>
    /// <exception cref="MediaDecodeException">The file cannot be decoded or has no audio stream.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public AudioClip DecodeAudio(string path, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        MediaFile.CheckExists(path);
        return DecodeAudioTrack(path, cancellation);
    }

    /// <summary>
    /// The first frame of an image or video at its native size (for still formats the managed
    /// <see cref="ImageDecoder"/> does not read, such as WebP or TIFF); transparency is blended onto white.
    /// </summary>
    /// <exception cref="MediaDecodeException">The file cannot be decoded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public RgbImage DecodeImage(string path, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        MediaFile.CheckExists(path);
        var frames = DecodeFrames(path, width: null, framesPerSecond: null, maxFrames: 1, cancellation);
        return frames[0];
    }

    private readonly record struct Streams(bool Video, bool Audio);

    /// <summary>Which streams the file has, or (when ffprobe exits with an error) the exception to throw.</summary>
    private (Streams? Streams, MediaDecodeException? Error) Probe(string path, CancellationToken cancellation)
    {
        var result = ToolProcess.Run(Options.FfprobePath,
            ["-v", "error", "-hide_banner", "-show_entries", "stream=codec_type,width,height", "-of", "json", Url(path)],
            path, s => new StreamReader(s).ReadToEnd(), Options.Timeout, cancellation);
        if (result.ExitCode != 0)
            return (null, new MediaDecodeException($"{path}: ffprobe cannot read the file (exit code {result.ExitCode})" + Reason(path, result.Errors)));
        try
        {
            using var json = JsonDocument.Parse(result.Value);
            bool video = false, audio = false;
            if (json.RootElement.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array)
                foreach (var s in streams.EnumerateArray())
                {
                    string? type = s.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
                    audio |= type == "audio";
                    video |= type == "video";
                }
            return (new Streams(video, audio), null);
        }
        catch (JsonException e)
        {
            throw new MediaDecodeException($"{path}: ffprobe gave unreadable output: {e.Message}", e);
        }
    }

    private List<RgbImage> DecodeFrames(string path, int? width, double? framesPerSecond, int maxFrames, CancellationToken cancellation)
    {
        var filters = new List<string>();
        if (framesPerSecond is double fps) filters.Add("fps=fps=" + fps.ToString("0.######", CultureInfo.InvariantCulture));
        if (width is int w) filters.Add($"scale=w={w}:h='max(2,trunc({w}/dar/2)*2)':flags=area");
        var arguments = new List<string> { "-v", "error", "-nostdin", "-hide_banner", "-i", Url(path), "-an", "-sn", "-dn" };
        if (filters.Count > 0) arguments.AddRange(["-vf", string.Join(",", filters)]);
        arguments.AddRange(["-frames:v", maxFrames.ToString(CultureInfo.InvariantCulture), "-f", "image2pipe", "-c:v", "pam", "-pix_fmt", "rgba", "pipe:1"]);

        var result = ToolProcess.Run(Options.FfmpegPath, arguments, path,
            s => NetpbmStreamReader.ReadAll(s, maxFrames, path), Options.Timeout, cancellation);
        CheckOutcome(path, result.ExitCode, result.Errors, "decoding video");
        if (result.Value.Count == 0)
            throw new MediaDecodeException($"{path}: no video frame could be decoded" + Reason(path, result.Errors));
        return result.Value;
    }

    private AudioClip DecodeAudioTrack(string path, CancellationToken cancellation)
    {
        int rate = Options.SampleRate;
        // -t cuts to within a frame; the reader's cap (a second more) only guards memory should it not.
        long capSamples = (long)Math.Min(Math.Ceiling(Options.MaxAudioSeconds * rate) + rate, Array.MaxLength);
        var arguments = new List<string>
        {
            "-v", "error", "-nostdin", "-hide_banner", "-i", Url(path), "-vn", "-sn", "-dn",
            "-ac", "1", "-ar", rate.ToString(CultureInfo.InvariantCulture),
            "-t", Options.MaxAudioSeconds.ToString("0.######", CultureInfo.InvariantCulture),
            "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1",
        };
        var result = ToolProcess.Run(Options.FfmpegPath, arguments, path,
            s => ReadFloats(s, capSamples), Options.Timeout, cancellation);
        if (result.ExitCode != 0 && result.Errors.Any(e => e.Contains("does not contain any stream", StringComparison.Ordinal)))
            throw new MediaDecodeException($"{path}: has no audio stream");
        CheckOutcome(path, result.ExitCode, result.Errors, "decoding audio");
        return new AudioClip(result.Value, rate);
    }

    private void CheckOutcome(string path, int exitCode, IReadOnlyList<string> errors, string what)
    {
        if (exitCode != 0)
            throw new MediaDecodeException($"{path}: ffmpeg failed {what} (exit code {exitCode})" + Reason(path, errors));
        if (errors.Count > 0 && !Options.TolerateDecodeErrors)
            throw new MediaDecodeException($"{path}: ffmpeg reported errors {what} (damaged or truncated file)" + ToolProcess.Suffix(errors));
    }

    /// <summary>ffmpeg's last error lines, or a note that the file is empty.</summary>
    private static string Reason(string path, IReadOnlyList<string> errors)
    {
        try
        {
            if (new FileInfo(path) is { Exists: true, Length: 0 }) return ": the file is empty";
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return ToolProcess.Suffix(errors);
    }

    /// <summary>Reads little-endian float32 samples to the end of the stream, keeping at most <paramref name="cap"/>.</summary>
    private static float[] ReadFloats(Stream stream, long cap)
    {
        var samples = new float[(int)Math.Min(cap, 1 << 16)];
        long filledBytes = 0;
        var discard = new byte[1 << 16];
        while (true)
        {
            if (filledBytes == (long)samples.Length * 4 && samples.Length < cap)
                Array.Resize(ref samples, (int)Math.Min(cap, (long)samples.Length * 2));
            var free = MemoryMarshal.AsBytes(samples.AsSpan())[(int)filledBytes..];
            int n = free.Length > 0 ? stream.Read(free) : stream.Read(discard);
            if (n == 0) break;
            if (free.Length > 0) filledBytes += n;
        }
        int count = (int)(filledBytes / 4);
        Array.Resize(ref samples, count);
        for (int i = 0; i < count; i++)
        {
            float v = samples[i];
            if (!BitConverter.IsLittleEndian) v = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(v)));
            samples[i] = float.IsFinite(v) ? Math.Clamp(v, -1f, 1f) : 0f;
        }
        return samples;
    }

    /// <summary>The input as a file: URL, so a name starting with '-' or containing ':' is never read as an option or protocol.</summary>
    private static string Url(string path) => "file:" + Path.GetFullPath(path);
}
