using System.Globalization;
using System.Text;

namespace Affect.Search.Features.Deep;

/// <summary>
/// BERT's uncased WordPiece tokenizer over a <c>vocab.txt</c> (one token a line, id = line number): text
/// is cleaned (control characters dropped, whitespace normalised), lower-cased, stripped of accents (NFD,
/// non-spacing marks removed), split on whitespace and around punctuation and CJK characters, and each word
/// is split greedily into the longest vocabulary pieces ("##" marks a continuation); a word that cannot be
/// split, or is longer than 100 characters, becomes [UNK]. Immutable and thread-safe.
/// </summary>
public sealed class WordPieceTokenizer
{
    private const int MaxWordCharacters = 100;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Reads a vocabulary (UTF-8, one token a line).</summary>
    public WordPieceTokenizer(string vocabularyText)
    {
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = vocabularyText.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var token = lines[i].TrimEnd('\r');
            if (token.Length > 0) _ids.TryAdd(token, i);
        }
        ClassifierId = Id("[CLS]");
        SeparatorId = Id("[SEP]");
        UnknownId = Id("[UNK]");
        PaddingId = _ids.GetValueOrDefault("[PAD]", 0);
    }

    /// <summary>Id of [CLS], which opens every sequence.</summary>
    public int ClassifierId { get; }
    /// <summary>Id of [SEP], which closes every sequence.</summary>
    public int SeparatorId { get; }
    /// <summary>Id of [UNK].</summary>
    public int UnknownId { get; }
    /// <summary>Id of [PAD].</summary>
    public int PaddingId { get; }
    /// <summary>Tokens in the vocabulary.</summary>
    public int Count => _ids.Count;

    /// <summary>
    /// The token ids of <paramref name="text"/>: [CLS], the pieces, [SEP]; at most <paramref name="maxTokens"/>
    /// in all (pieces beyond are cut, as sentence-transformers truncates at the model's maximum length).
    /// </summary>
    public int[] Encode(string text, int maxTokens)
    {
        if (maxTokens < 2) throw new ArgumentOutOfRangeException(nameof(maxTokens), "room for [CLS] and [SEP] at least");
        var ids = new List<int> { ClassifierId };
        foreach (var word in Words(text))
        {
            foreach (var piece in Pieces(word))
            {
                if (ids.Count == maxTokens - 1) break;
                ids.Add(piece);
            }
            if (ids.Count == maxTokens - 1) break;
        }
        ids.Add(SeparatorId);
        return ids.ToArray();
    }

    /// <summary>The pieces of <paramref name="text"/> as strings (inspection and tests).</summary>
    public IReadOnlyList<string> Tokens(string text)
    {
        var byId = _ids.ToDictionary(kv => kv.Value, kv => kv.Key);
        return Words(text).SelectMany(Pieces).Select(id => byId[id]).ToList();
    }

    private int Id(string token) => _ids.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"WordPiece vocabulary has no {token} token");

    private IEnumerable<int> Pieces(string word)
    {
        if (word.Length > MaxWordCharacters) { yield return UnknownId; yield break; }
        var pieces = new List<int>();
        int start = 0;
        while (start < word.Length)
        {
            int end = word.Length, found = -1;
            while (start < end)
            {
                var candidate = start > 0 ? "##" + word[start..end] : word[start..end];
                if (_ids.TryGetValue(candidate, out var id)) { found = id; break; }
                end--;
            }
            if (found < 0) { yield return UnknownId; yield break; }
            pieces.Add(found);
            start = end;
        }
        foreach (var p in pieces) yield return p;
    }

    private static IEnumerable<string> Words(string text)
    {
        var normalized = Clean(text).ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var word = new StringBuilder();
        foreach (var ch in normalized)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsWhiteSpace(ch))
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
            }
            else if (IsPunctuation(ch) || IsCjk(ch))
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                yield return ch.ToString();
            }
            else word.Append(ch);
        }
        if (word.Length > 0) yield return word.ToString();
    }

    private static string Clean(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (ch == '\0' || ch == '\uFFFD') continue;
            if (ch is '\t' or '\n' or '\r') { sb.Append(' '); continue; }
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format) continue;
            sb.Append(char.IsWhiteSpace(ch) ? ' ' : ch);
        }
        return sb.ToString();
    }

    // BERT counts every non-letter/number ASCII symbol as punctuation, plus Unicode punctuation.
    private static bool IsPunctuation(char ch)
        => ch is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~'
           || CharUnicodeInfo.GetUnicodeCategory(ch) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
               or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
               or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static bool IsCjk(char ch) => ch is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';
}
