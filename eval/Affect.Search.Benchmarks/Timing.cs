using System.Diagnostics;

namespace Affect.Search.Benchmarks;

/// <summary>The outcome of timing repeated calls of one operation.</summary>
/// <param name="Calls">Timed calls (after warm-up).</param>
/// <param name="Seconds">Wall time of the timed calls, all together.</param>
/// <param name="MeanSeconds">Seconds / Calls: the figure every rate in the report is derived from.</param>
/// <param name="MedianSeconds">Median single-call time (less sensitive to the machine's noise).</param>
/// <param name="MinSeconds">Fastest single call.</param>
public sealed record Timing(long Calls, double Seconds, double MeanSeconds, double MedianSeconds, double MinSeconds)
{
    /// <summary>
    /// Calls <paramref name="body"/> <paramref name="warmup"/> times untimed, then until at least
    /// <paramref name="minSeconds"/> have passed (and at least <paramref name="minCalls"/> calls).
    /// </summary>
    public static Timing Measure(Action body, double minSeconds, int warmup = 2, int minCalls = 3)
    {
        for (int i = 0; i < warmup; i++) body();
        var durations = new List<double>();
        long start = Stopwatch.GetTimestamp(), last = start;
        while (true)
        {
            body();
            long now = Stopwatch.GetTimestamp();
            durations.Add((now - last) / (double)Stopwatch.Frequency);
            last = now;
            if (durations.Count >= minCalls && (now - start) / (double)Stopwatch.Frequency >= minSeconds) break;
        }
        double total = (last - start) / (double)Stopwatch.Frequency;
        durations.Sort();
        return new Timing(durations.Count, total, total / durations.Count, durations[durations.Count / 2], durations[0]);
    }
}

/// <summary>Builds a <see cref="Timing"/> from individually measured calls.</summary>
public static class TimingBuilder
{
    public static Timing From(List<double> durations)
    {
        if (durations.Count == 0) return new Timing(0, 0, double.NaN, double.NaN, double.NaN);
        var sorted = durations.OrderBy(d => d).ToArray();
        double total = durations.Sum();
        return new Timing(sorted.Length, total, total / sorted.Length, Median(sorted), sorted[0]);
    }

    public static double Median(IEnumerable<double> values)
    {
        var s = values.OrderBy(d => d).ToArray();
        if (s.Length == 0) return double.NaN;
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}

/// <summary>
/// How busy the processors were with work that is not this process during a window (/proc/stat
/// busy ticks minus this process's CPU time): the machine is shared, so every figure carries it.
/// </summary>
public sealed class LoadMonitor
{
    private readonly long _busy0, _steal0;
    private readonly TimeSpan _own0;
    private readonly long _t0;

    private LoadMonitor()
    {
        (_busy0, _steal0) = ReadProcStat();
        _own0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        _t0 = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    public static LoadMonitor Start() => new();

    /// <summary>Fraction (0..1) of all processors' time spent on other processes' work, and on hypervisor steal; NaN where /proc/stat is absent.</summary>
    public (double Foreign, double Steal) Stop()
    {
        var (busy1, steal1) = ReadProcStat();
        var own = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - _own0;
        double elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(_t0).TotalSeconds;
        if (busy1 < 0 || _busy0 < 0 || elapsed <= 0) return (double.NaN, double.NaN);
        double capacity = elapsed * Environment.ProcessorCount;
        double foreign = ((busy1 - _busy0) / TicksPerSecond - own.TotalSeconds) / capacity;
        double steal = (steal1 - _steal0) / TicksPerSecond / capacity;
        return (Math.Clamp(foreign, 0, 1), Math.Clamp(steal, 0, 1));
    }

    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    private static (long Busy, long Steal) ReadProcStat()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal ...
            long busy = f[0] + f[1] + f[2] + f[5] + f[6];
            return (busy, f.Length > 7 ? f[7] : 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return (-1, -1);
        }
    }
}

/// <summary>Waits (bounded) for the shared machine to be quiet before a measurement.</summary>
public static class Quiet
{
    /// <summary>
    /// Samples 0.5 s windows until two in a row show other processes using less than
    /// <paramref name="maxForeign"/> of the processors, or <paramref name="timeoutSeconds"/> pass.
    /// Returns the seconds waited and the last window's load (NaN without /proc/stat).
    /// </summary>
    public static (double Waited, double LastForeign) WaitFor(double timeoutSeconds, double maxForeign = 0.10)
    {
        if (timeoutSeconds <= 0) return (0, double.NaN);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int quiet = 0;
        double last = double.NaN;
        while (clock.Elapsed.TotalSeconds < timeoutSeconds)
        {
            var m = LoadMonitor.Start();
            Thread.Sleep(500);
            last = m.Stop().Foreign;
            if (double.IsNaN(last)) break;
            quiet = last < maxForeign ? quiet + 1 : 0;
            if (quiet >= 2) break;
        }
        return (clock.Elapsed.TotalSeconds, last);
    }
}

/// <summary>Load from other processes over the rounds a figure was computed from.</summary>
/// <param name="ForeignCpu">Time-weighted mean share of all processors used by other processes (0..1) over the rounds used.</param>
/// <param name="Steal">Hypervisor steal, same basis.</param>
/// <param name="RoundsUsed">Rounds the figure is computed from.</param>
/// <param name="RoundsDiscarded">Rounds dropped because other processes used more than the threshold.</param>
/// <param name="Noisy">True when quiet rounds did not add up to the measurement time before the timeout, so every round was used.</param>
public sealed record Load(double ForeignCpu, double Steal, int RoundsUsed, int RoundsDiscarded, bool Noisy);

/// <summary>
/// Runs a measurement in short rounds and keeps only the rounds during which other processes used
/// at most <c>maxForeign</c> of the processors: the reference machine is shared and its load comes in
/// bursts. If quiet rounds do not suffice before the timeout, every round is used and the result is
/// flagged noisy.
/// </summary>
public static class QuietRounds
{
    public const double RoundSeconds = 0.5;

    public static (List<TRound> Used, Load Load) Run<TRound>(Func<TRound> newRound, Action<TRound> unit,
        Func<IReadOnlyList<TRound>, bool> enough, double maxForeign, double timeoutSeconds)
    {
        var all = new List<(TRound Round, double Foreign, double Steal, double Seconds)>();
        var clock = Stopwatch.StartNew();
        bool timedOut = false;
        while (true)
        {
            var round = newRound();
            var monitor = LoadMonitor.Start();
            long t0 = Stopwatch.GetTimestamp();
            do unit(round); while (Stopwatch.GetElapsedTime(t0).TotalSeconds < RoundSeconds);
            var (foreign, steal) = monitor.Stop();
            all.Add((round, foreign, steal, Stopwatch.GetElapsedTime(t0).TotalSeconds));
            var quiet = all.Where(r => !(r.Foreign > maxForeign)).Select(r => r.Round).ToList();
            if (enough(quiet)) break;
            if (clock.Elapsed.TotalSeconds > timeoutSeconds) { timedOut = true; break; }
        }
        var used = timedOut ? all : all.Where(r => !(r.Foreign > maxForeign)).ToList();
        double seconds = used.Sum(r => r.Seconds);
        double Mean(Func<(TRound, double Foreign, double Steal, double Seconds), double> f) =>
            seconds > 0 ? used.Sum(r => f(r) * r.Seconds) / seconds : double.NaN;
        return (used.Select(r => r.Round).ToList(),
            new Load(Mean(r => r.Foreign), Mean(r => r.Steal), used.Count, all.Count - used.Count, timedOut));
    }
}
