namespace Affect.Search.Features.Media;

/// <summary>Mono audio as float samples in [-1, 1] at a sample rate.</summary>
public sealed class AudioClip
{
    /// <summary>Wraps samples.</summary>
    public AudioClip(float[] samples, int sampleRate)
    {
        if (sampleRate <= 0) throw new ArgumentException($"sample rate {sampleRate} is not positive");
        Samples = samples;
        SampleRate = sampleRate;
    }

    /// <summary>The samples.</summary>
    public float[] Samples { get; }
    /// <summary>Samples per second.</summary>
    public int SampleRate { get; }
    /// <summary>Length in seconds.</summary>
    public double Duration => Samples.Length / (double)SampleRate;

    /// <summary>The rate every audio feature works at (the paper's 16 kHz).</summary>
    public const int StandardSampleRate = 16000;
}
