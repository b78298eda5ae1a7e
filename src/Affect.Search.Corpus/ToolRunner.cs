using System.ComponentModel;
using System.Diagnostics;

namespace Affect.Search.Corpus;

/// <summary>A media tool (ffmpeg, ffprobe, rsvg-convert) failed, timed out or could not be started; the message names the input.</summary>
public sealed class MediaToolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MediaToolException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Runs a command-line tool with an argument list (no shell), standard input closed, both output pipes drained
/// concurrently (so a chatty tool cannot stall on a full pipe), and the process tree killed on timeout.
/// </summary>
internal static class ToolRunner
{
    private const int TailLines = 4;

    /// <summary>Runs the tool and returns its standard output; a non-zero exit is an error quoting the end of standard error.</summary>
    /// <exception cref="MediaToolException">the tool failed or timed out.</exception>
    /// <exception cref="InvalidOperationException">the tool cannot be started (not installed).</exception>
    public static string Run(string program, IReadOnlyList<string> arguments, string subject, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = new Process { StartInfo = start };
        try
        {
            if (!process.Start()) throw new MediaToolException($"{subject}: {program} did not start");
        }
        catch (Win32Exception e)
        {
            // Not a per-item failure: every item would fail the same way, so the whole build stops.
            throw new InvalidOperationException($"cannot run {program} ({e.Message}); install it with `sudo tools/setup.sh`", e);
        }
        try { process.StandardInput.Close(); } catch (IOException) { }
        // Dedicated threads, not async reads: the callers run on thread-pool workers that block here, and async
        // continuations queued behind them would starve the pool (that once made the build three times slower).
        string stdout = "", stderr = "";
        var outReader = new Thread(() => stdout = process.StandardOutput.ReadToEnd()) { IsBackground = true };
        var errReader = new Thread(() => stderr = process.StandardError.ReadToEnd()) { IsBackground = true };
        outReader.Start();
        errReader.Start();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (Win32Exception) { }
            process.WaitForExit();
            outReader.Join();
            errReader.Join();
            throw new MediaToolException($"{subject}: {program} timed out after {timeout.TotalSeconds:0} s and was killed");
        }
        outReader.Join();
        errReader.Join();
        if (process.ExitCode != 0)
        {
            var tail = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(TailLines);
            throw new MediaToolException($"{subject}: {program} failed (exit code {process.ExitCode}): {string.Join(" | ", tail)}");
        }
        return stdout;
    }
}
