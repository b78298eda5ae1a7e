using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Affect.Search.Corpus;

/// <summary>The three manifests of a corpus.</summary>
public enum Split
{
    /// <summary><c>train.jsonl</c>: items for the unsupervised model.</summary>
    Train,
    /// <summary><c>reference.jsonl</c>: the searched database.</summary>
    Reference,
    /// <summary><c>queries.jsonl</c>: the evaluation queries.</summary>
    Queries,
}

/// <summary>Which modalities an item keeps.</summary>
[Flags]
public enum Modalities
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>The item's text.</summary>
    Text = 1,
    /// <summary>A still image.</summary>
    Image = 2,
    /// <summary>A sound file.</summary>
    Audio = 4,
    /// <summary>A video (pictures and sound together).</summary>
    Video = 8,
}

/// <summary>
/// Deterministic choices made from an item's id alone: its split and which modalities it keeps. Each choice is a
/// uniform number in [0, 1) from the SHA-256 of a purpose, the seed and the id, so it is the same on every
/// machine, independent of enumeration order, and does not move when other items are added or removed.
/// </summary>
public static class CorpusSplit
{
    /// <summary>The documented seed of every choice (changing it reshuffles splits and modalities).</summary>
    public const int Seed = 20240611;

    /// <summary>Share of items in <see cref="Split.Train"/>.</summary>
    public const double TrainShare = 0.50;

    /// <summary>Share of items in <see cref="Split.Reference"/>; the rest (0.15) are queries.</summary>
    public const double ReferenceShare = 0.35;

    /// <summary>The manifest file name of a split.</summary>
    public static string FileName(Split split) => split switch
    {
        Split.Train => "train.jsonl",
        Split.Reference => "reference.jsonl",
        _ => "queries.jsonl",
    };

    /// <summary>A uniform number in [0, 1) from SHA-256("<paramref name="purpose"/>:<see cref="Seed"/>:<paramref name="id"/>").</summary>
    public static double Fraction(string purpose, string id)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{purpose}:{Seed}:{id}"), hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The split of an item: train below 0.50, reference below 0.85, else queries.</summary>
    public static Split SplitOf(string id)
    {
        double u = Fraction("split", id);
        return u < TrainShare ? Split.Train : u < TrainShare + ReferenceShare ? Split.Reference : Split.Queries;
    }

    /// <summary>An emoji's modalities: 70% image + text, 15% image only, 15% text only.</summary>
    public static Modalities ForEmoji(string id)
    {
        double u = Fraction("modality", id);
        return u < 0.70 ? Modalities.Image | Modalities.Text : u < 0.85 ? Modalities.Image : Modalities.Text;
    }

    /// <summary>
    /// A stamp's modalities. With a sound: 55% video + text, 15% video only, 15% sound only, 15% sound + text.
    /// Without: 70% image + text, 15% image only, 15% text only.
    /// </summary>
    public static Modalities ForStamp(string id, bool hasSound)
    {
        double u = Fraction("modality", id);
        if (hasSound)
            return u < 0.55 ? Modalities.Video | Modalities.Text
                : u < 0.70 ? Modalities.Video
                : u < 0.85 ? Modalities.Audio
                : Modalities.Audio | Modalities.Text;
        return u < 0.70 ? Modalities.Image | Modalities.Text : u < 0.85 ? Modalities.Image : Modalities.Text;
    }

    /// <summary>The combination's name as the counts show it, e.g. "text+image" (order: text, image, audio, video).</summary>
    public static string Name(Modalities m)
    {
        var parts = new List<string>();
        if (m.HasFlag(Modalities.Text)) parts.Add("text");
        if (m.HasFlag(Modalities.Image)) parts.Add("image");
        if (m.HasFlag(Modalities.Audio)) parts.Add("audio");
        if (m.HasFlag(Modalities.Video)) parts.Add("video");
        return parts.Count == 0 ? "none" : string.Join('+', parts);
    }
}
