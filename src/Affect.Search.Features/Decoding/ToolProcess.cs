using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// Runs ffmpeg or ffprobe as a child process: arguments passed as a list (no shell), standard input closed,
/// standard output consumed on the calling thread while standard error is drained concurrently into a bounded
/// tail (so neither pipe can fill up and stall the child), and the whole process tree killed when the timeout
/// passes or the caller cancels.
/// </summary>
internal static partial class ToolProcess
{
    private const int TailLines = 12;
    private const int MaxLineLength = 400;
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    /// <summary>What a finished run gave.</summary>
    /// <param name="Value">What the output reader returned.</param>
    /// <param name="ExitCode">The process's exit status.</param>
    /// <param name="Errors">The last lines the process wrote to standard error, tidied.</param>
    public sealed record Result<T>(T Value, int ExitCode, IReadOnlyList<string> Errors);

    /// <summary>
    /// Runs <paramref name="program"/> on <paramref name="file"/> (named in every message) and hands its standard
    /// output to <paramref name="readOutput"/>, which must read to the end of the stream.
    /// </summary>
    /// <exception cref="MediaDecodeException">The program is missing, timed out, or reading its output failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public static Result<T> Run<T>(string program, IReadOnlyList<string> arguments, string file, Func<Stream, T> readOutput,
        TimeSpan timeout, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        string tool = Path.GetFileName(program);
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
        var errors = new Queue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data)) return;
            lock (errors)
            {
                errors.Enqueue(e.Data.Length > MaxLineLength ? e.Data[..MaxLineLength] + "..." : e.Data);
                if (errors.Count > TailLines) errors.Dequeue();
            }
        };
        try
        {
            if (!process.Start()) throw new MediaDecodeException($"{file}: {tool} did not start");
        }
        catch (Win32Exception e)
        {
            throw new MediaDecodeException($"{file}: cannot run {tool} ('{program}': {e.Message}); ffmpeg and ffprobe are needed " +
                                           "to decode video and compressed audio: install them with `sudo tools/setup.sh`", e);
        }
        process.BeginErrorReadLine();
        try { process.StandardInput.Close(); } catch (IOException) { }

        bool timedOut = false;
        using var timer = new CancellationTokenSource(timeout < MaxTimeout ? timeout : MaxTimeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellation);
        T value = default!;
        Exception? readError = null;
        using (stop.Token.Register(() =>
               {
                   timedOut = timer.IsCancellationRequested;
                   Kill(process);
               }))
        {
            try { value = readOutput(process.StandardOutput.BaseStream); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                readError = e;
                Kill(process);
            }
            process.WaitForExit();     // also waits for standard error to reach its end
        }                              // disposing the registration waits for a kill in progress

        int exitCode = process.ExitCode;
        var tail = Tidy(errors, file);
        bool failed = readError is not null || exitCode != 0;
        if (failed && timedOut)
            throw new MediaDecodeException($"{file}: {tool} timed out after {Seconds(timeout)} s and was killed" + Suffix(tail));
        if (failed && cancellation.IsCancellationRequested) throw new OperationCanceledException(cancellation);
        if (readError is MediaDecodeException decodeError) throw new MediaDecodeException(decodeError.Message + Suffix(tail), decodeError);
        if (readError is not null)
            throw new MediaDecodeException($"{file}: reading {tool}'s output failed: {readError.Message}" + Suffix(tail), readError);
        return new Result<T>(value, exitCode, tail);
    }

    /// <summary>" (ffmpeg said: a | b)" or nothing.</summary>
    public static string Suffix(IReadOnlyList<string> errors, int lines = 4)
        => errors.Count == 0 ? "" : ": " + string.Join(" | ", errors.TakeLast(lines));

    /// <summary>A timeout in seconds as messages show it ("2", "0.5", "0.001").</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }    // already exited
        catch (Win32Exception) { }               // exiting while being killed
    }

    /// <summary>Drops ffmpeg's context addresses ("[mov,mp4 @ 0x55d1]") and the input URL prefix from stderr lines.</summary>
    private static List<string> Tidy(Queue<string> errors, string file)
    {
        string[] lines;
        lock (errors) lines = errors.ToArray();
        string url = "file:" + Path.GetFullPath(file);
        return lines.Select(l => Address().Replace(l, "").Replace(url + ": ", "").Replace(url, Path.GetFileName(file)).Trim())
            .Where(l => l.Length > 0).ToList();
    }

    [GeneratedRegex(@" @ 0x[0-9a-fA-F]+")]
    private static partial Regex Address();
}
