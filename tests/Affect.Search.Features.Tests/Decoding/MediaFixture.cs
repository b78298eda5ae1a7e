using System.Diagnostics;

namespace Affect.Search.Features.Tests.Decoding;

/// <summary>Test media made once per test class in a temporary folder (ffmpeg is installed by tools/setup.sh).</summary>
public sealed class MediaFixture : IDisposable
{
    public MediaFixture()
    {
        Folder = Directory.CreateTempSubdirectory("affect-media-").FullName;
        // 3 s of a moving test pattern at 320x240 with a 1 kHz tone.
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3", "-f", "lavfi", "-i", "sine=frequency=1000:duration=3",
            "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", Path("video.mp4"));
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=12", "-c:v", "libx264", "-pix_fmt", "yuv420p", Path("silent.mp4"));
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libvorbis", Path("tone.ogg"));
        // Half-transparent red on a 8x8 canvas.
        Ffmpeg("-f", "lavfi", "-i", "color=c=red@0.5:s=8x8,format=rgba", "-frames:v", "1", Path("half-red.png"));
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", Path("pattern.jpg"));
    }

    public string Folder { get; }

    public string Path(string name) => System.IO.Path.Combine(Folder, name);

    /// <summary>The first half of a file, as a truncated copy.</summary>
    public string Truncated(string name)
    {
        var bytes = File.ReadAllBytes(Path(name));
        var target = Path("cut-" + name);
        File.WriteAllBytes(target, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        return target;
    }

    public string Garbage(string name)
    {
        var target = Path(name);
        File.WriteAllBytes(target, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        return target;
    }

    private static void Ffmpeg(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(arguments)) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed making test media: {err}");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
