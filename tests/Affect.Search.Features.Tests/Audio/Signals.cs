using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Audio;

/// <summary>Synthetic test signals at 16 kHz.</summary>
internal static class Signals
{
    public const int Rate = AudioClip.StandardSampleRate;

    public static AudioClip Tone(double hz, double amplitude = 0.5, double seconds = 1.0, double phase = 0.3)
    {
        var s = new float[(int)(seconds * Rate)];
        for (int i = 0; i < s.Length; i++) s[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate + phase));
        return new AudioClip(s, Rate);
    }

    public static AudioClip Silence(double seconds = 1.0) => new(new float[(int)(seconds * Rate)], Rate);

    public static AudioClip WhiteNoise(double seconds = 1.0, double amplitude = 0.5, int seed = 7)
    {
        var random = new Random(seed);
        var s = new float[(int)(seconds * Rate)];
        for (int i = 0; i < s.Length; i++) s[i] = (float)(amplitude * (2 * random.NextDouble() - 1));
        return new AudioClip(s, Rate);
    }

    /// <summary>Unit impulses every <paramref name="period"/> samples.</summary>
    public static AudioClip ClickTrain(int period, double seconds = 1.0)
    {
        var s = new float[(int)(seconds * Rate)];
        for (int i = period / 2; i < s.Length; i += period) s[i] = 1f;
        return new AudioClip(s, Rate);
    }

    /// <summary>Tone a for <paramref name="segment"/> samples, then tone b, and so on.</summary>
    public static AudioClip Alternating(double hzA, double hzB, int segment, double seconds = 1.0, double amplitude = 0.5)
    {
        var s = new float[(int)(seconds * Rate)];
        for (int i = 0; i < s.Length; i++)
        {
            double hz = (i / segment) % 2 == 0 ? hzA : hzB;
            s[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate));
        }
        return new AudioClip(s, Rate);
    }

    public static AudioClip Scaled(AudioClip clip, float factor) => new(clip.Samples.Select(x => x * factor).ToArray(), clip.SampleRate);
}
