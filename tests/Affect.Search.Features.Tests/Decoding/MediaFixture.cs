using System.Diagnostics;

namespace Affect.Search.Features.Tests.Decoding;

/// <summary>
/// Test media made once for the decoding test classes (one xunit collection) in a temporary folder that
/// <see cref="Dispose"/> deletes. ffmpeg is a hard dependency (installed by tools/setup.sh), so no test is skipped.
/// </summary>
public sealed class MediaFixture : IDisposable
{
    public MediaFixture()
    {
        Folder = Directory.CreateTempSubdirectory("affect-decoding-").FullName;
        // 3 s of a moving test pattern at 320x240, 25 fps, with a 1 kHz tone.
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3", "-f", "lavfi", "-i", "sine=frequency=1000:duration=3",
            "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", Path("video.mp4"));
        // The same with its index first (as streaming sites serve MP4): cut short, it still partly decodes.
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3", "-f", "lavfi", "-i", "sine=frequency=1000:duration=3",
            "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", Path("faststart.mp4"));
        // 12 s without sound, for the frame cap.
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=5:duration=12", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", Path("no-sound.mp4"));
        // A solid colour (#3366CC) with a silent sound track, in WebM (VP8 + Vorbis).
        Ffmpeg("-f", "lavfi", "-i", "color=c=0x3366CC:size=64x48:rate=10:duration=2", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo",
            "-t", "2", "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "500k", "-c:a", "libvorbis", Path("blue-silence.webm"));
        // A 440 Hz tone in compressed audio formats, and a 5 s one for the duration cap.
        foreach (var (name, codec) in new[] { ("tone.ogg", "libvorbis"), ("tone.mp3", "libmp3lame"), ("tone.flac", "flac"), ("tone.opus", "libopus"), ("tone.m4a", "aac") })
            Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2", "-c:a", codec, Path(name));
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=5", "-c:a", "libvorbis", Path("long-tone.ogg"));
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=1", "-c:a", "pcm_mulaw", Path("mulaw.wav"));
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1", "-ac", "2", "-c:a", "pcm_s24le", Path("s24-extensible.wav"));
        // Stills: a half-transparent and a fully transparent PNG, a lossless solid colour in PNG/BMP/TGA, a pattern in JPEG, GIFs.
        Ffmpeg("-f", "lavfi", "-i", "color=c=red@0.5:size=8x8,format=rgba", "-frames:v", "1", Path("half-red.png"));
        Ffmpeg("-f", "lavfi", "-i", "color=c=black@0.0:size=8x8,format=rgba", "-frames:v", "1", Path("clear.png"));
        foreach (var (name, options) in new[] { ("solid.png", ""), ("solid.bmp", ""), ("solid.tga", "-rle 0"), ("solid-rle.tga", "-rle 1") })
            Ffmpeg(["-f", "lavfi", "-i", "color=c=0x3366CC:size=24x16,format=rgb24", "-frames:v", "1",
                .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries), Path(name)]);
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", "-q:v", "3", Path("pattern.jpg"));
        Ffmpeg("-f", "lavfi", "-i", "color=c=red:size=16x8", "-frames:v", "1", Path("red.gif"));
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=3", Path("animated.gif"));
        Ffmpeg("-f", "lavfi", "-i", "color=c=red@0.5:size=8x8,format=rgba", "-frames:v", "1", "-c:v", "libwebp", "-lossless", "1", Path("half-red.webp"));
    }

    public string Folder { get; }

    public string Path(string name) => System.IO.Path.Combine(Folder, name);

    public byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    /// <summary>A copy of a file cut to <paramref name="fraction"/> of its length.</summary>
    public string Truncated(string name, double fraction = 0.5)
    {
        var bytes = Bytes(name);
        var target = Path("cut-" + fraction.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + name);
        File.WriteAllBytes(target, bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray());
        return target;
    }

    /// <summary>A file of deterministic random bytes.</summary>
    public string Garbage(string name, int length = 4096)
    {
        var target = Path(name);
        var bytes = new byte[length];
        new Random(name.Length * 7919).NextBytes(bytes);
        File.WriteAllBytes(target, bytes);
        return target;
    }

    /// <summary>Writes <paramref name="bytes"/> to a new file in the folder and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        var target = Path(name);
        File.WriteAllBytes(target, bytes);
        return target;
    }

    private void Ffmpeg(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-v", "error", "-nostdin", "-y" }.Concat(arguments)) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        p.StandardInput.Close();
        var error = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed making test media ({string.Join(' ', arguments)}): {error.Result}");
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The decoding test classes that share <see cref="MediaFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class MediaCollection : ICollectionFixture<MediaFixture>
{
    public const string Name = "Decoding media";
}
