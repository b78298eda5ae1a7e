using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>Settings of <see cref="FfmpegDecoder"/>.</summary>
public sealed record FfmpegOptions
{
    /// <summary>Keyframes sampled per second of video (the paper: 1).</summary>
    public double FramesPerSecond { get; init; } = 1.0;
    /// <summary>Cap on keyframes per video, bounding memory for long videos.</summary>
    public int MaxFrames { get; init; } = 300;
    /// <summary>Keyframes are scaled to this width (height keeps the aspect ratio, even); null = native size.</summary>
    public int? FrameWidth { get; init; } = 320;
    /// <summary>Audio sample rate.</summary>
    public int SampleRate { get; init; } = AudioClip.StandardSampleRate;
    /// <summary>Cap on decoded audio, in seconds.</summary>
    public double MaxAudioSeconds { get; init; } = 600;
    /// <summary>A decoder process running longer than this is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The ffmpeg program.</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";
    /// <summary>The ffprobe program.</summary>
    public string FfprobePath { get; init; } = "ffprobe";
}

/// <summary>
/// Decodes video keyframes (raw RGB) and audio (mono float PCM) with Debian's ffmpeg in subprocesses,
/// streaming through pipes (no temporary files), with frame and duration caps and a timeout that kills
/// a hung decoder.
/// </summary>
public sealed class FfmpegDecoder(FfmpegOptions? options = null)
{
    /// <summary>The settings in force.</summary>
    public FfmpegOptions Options { get; } = options ?? new FfmpegOptions();

    /// <summary>Keyframes and audio track of a video; a video without an audio stream gives Audio = null.</summary>
    public DecodedMedia DecodeVideo(string path)
    {
        var probe = Probe(path);
        var frames = new List<RgbImage>();
        if (probe.Width > 0 && probe.Height > 0)
        {
            int width = Options.FrameWidth ?? probe.Width;
            int height = Options.FrameWidth is null ? probe.Height : Math.Max(2, (int)Math.Round(probe.Height * (double)width / probe.Width / 2) * 2);
            string fps = Options.FramesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var raw = Run(Options.FfmpegPath, path, "-v", "error", "-nostdin", "-i", path, "-an", "-vf", $"fps={fps},scale={width}:{height}",
                "-frames:v", Options.MaxFrames.ToString(), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
            int frameBytes = width * height * 3;
            for (int o = 0; o + frameBytes <= raw.Length; o += frameBytes) frames.Add(new RgbImage(width, height, raw.AsSpan(o, frameBytes).ToArray()));
            if (frames.Count == 0) throw new MediaDecodeException($"video '{path}' gave no frames");
        }
        return new DecodedMedia(frames, probe.HasAudio ? DecodeAudioStream(path) : null);
    }

    /// <summary>The audio of any file ffmpeg reads (OGG, MP3, AAC, FLAC, WAV, a video's track), mono at the configured rate.</summary>
    public AudioClip DecodeAudio(string path)
    {
        var probe = Probe(path);
        if (!probe.HasAudio) throw new MediaDecodeException($"audio '{path}' has no audio stream");
        return DecodeAudioStream(path);
    }

    private AudioClip DecodeAudioStream(string path)
    {
        var raw = Run(Options.FfmpegPath, path, "-v", "error", "-nostdin", "-i", path, "-vn", "-ac", "1", "-ar", Options.SampleRate.ToString(),
            "-t", Options.MaxAudioSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "f32le", "pipe:1");
        var samples = new float[raw.Length / sizeof(float)];
        Buffer.BlockCopy(raw, 0, samples, 0, samples.Length * sizeof(float));
        return new AudioClip(samples, Options.SampleRate);
    }

    private sealed record ProbeResult(int Width, int Height, bool HasAudio);

    private ProbeResult Probe(string path)
    {
        var json = Run(Options.FfprobePath, path, "-v", "error", "-show_entries", "stream=codec_type,width,height", "-of", "json", path);
        try
        {
            using var doc = JsonDocument.Parse(json);
            int width = 0, height = 0;
            bool audio = false;
            if (doc.RootElement.TryGetProperty("streams", out var streams))
                foreach (var s in streams.EnumerateArray())
                {
                    var type = s.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
                    if (type == "audio") audio = true;
                    if (type == "video" && width == 0 && s.TryGetProperty("width", out var w) && s.TryGetProperty("height", out var h))
                    {
                        width = w.GetInt32();
                        height = h.GetInt32();
                    }
                }
            if (width == 0 && !audio) throw new MediaDecodeException($"'{path}' has no video or audio stream");
            return new ProbeResult(width, height, audio);
        }
        catch (JsonException e) { throw new MediaDecodeException($"'{path}': ffprobe gave unreadable output: {e.Message}", e); }
    }

    /// <summary>Runs a decoder, returning its standard output; standard error is drained concurrently so neither pipe can fill up and block.</summary>
    private byte[] Run(string program, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start) ?? throw new MediaDecodeException($"'{file}': {program} did not start"); }
        catch (Win32Exception e) { throw new MediaDecodeException($"'{file}': {program} is not installed or not on PATH ({e.Message}); run `sudo tools/setup.sh`", e); }
        using (process)
        {
            process.StandardInput.Close();
            using var output = new MemoryStream();
            var stdout = process.StandardOutput.BaseStream.CopyToAsync(output);
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Options.Timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit();
                throw new MediaDecodeException($"'{file}': {Path.GetFileName(program)} timed out after {Options.Timeout.TotalSeconds:0.#} s");
            }
            Task.WaitAll(stdout, stderr);
            if (process.ExitCode != 0)
            {
                var lines = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var tail = string.Join(" | ", lines.TakeLast(3));
                throw new MediaDecodeException($"'{file}' cannot be decoded: {Path.GetFileName(program)} exited with {process.ExitCode}" + (tail.Length > 0 ? $": {tail}" : ""));
            }
            return output.ToArray();
        }
    }
}
