using Affect.Search.Features.Corpus;
using Affect.Search.Model.Configuration;

namespace Affect.Search.Engine.Embedding;

/// <summary>
/// The modalities a model reads, by the letters views and queries use (T text, V visual, A audio), and
/// what an item or a query gives that the model has no pathway for (a model trained on image+text pairs
/// has no audio pathway, see <see cref="DbmConfig.LeftOut"/>).
/// </summary>
public sealed class ModelModalities
{
    private readonly DbmConfig _config;

    /// <summary>The modalities of the model built from <paramref name="config"/>.</summary>
    public ModelModalities(DbmConfig config)
    {
        _config = config;
        Letters = new string(config.Modalities.Select(m => LetterOf(m.Name)).Distinct().OrderBy(Order).ToArray());
    }

    /// <summary>The model's modality letters in T, V, A order.</summary>
    public string Letters { get; }

    /// <summary>Whether the model has a pathway for the modality with <paramref name="letter"/>.</summary>
    public bool Reads(char letter) => Letters.Contains(letter);

    /// <summary>The letter of a configured modality name: its upper-case first letter ("text" is T).</summary>
    public static char LetterOf(string modality) => char.ToUpperInvariant(modality[0]);

    /// <summary>The name a letter stands for in views and queries: T text, V visual, A audio.</summary>
    public static string NameOf(char letter) => letter switch { 'T' => "text", 'V' => "visual", 'A' => "audio", _ => letter.ToString() };

    /// <summary>The views whose embeddings this model can compute: full, and those sharing a letter with it.</summary>
    public IReadOnlyList<string> Views => Index.IndexViews.All.Where(v => v == Index.IndexViews.Full || v.Any(Reads)).ToList();

    /// <summary>
    /// Why the model cannot read the modality with <paramref name="letter"/>, for error messages, e.g.
    /// "the model 'cpu' has no audio pathway (left out in training: no training item has it); it reads text and visual".
    /// </summary>
    public string Lacking(char letter)
    {
        var name = NameOf(letter);
        var left = (_config.LeftOut ?? []).FirstOrDefault(l => LetterOf(l.Modality) == letter);
        var why = left is null ? "" : $" (left out in training: {left.Reason})";
        var reads = string.Join(" and ", Letters.Select(NameOf));
        return $"the model '{_config.Name}' has no {name} pathway{why}; it reads {reads}";
    }

    /// <summary>
    /// The modality names an item gives that the model has no pathway for: its text, its image, its audio
    /// file, and its video when the model reads neither pictures nor sound. A video's sound track alone is
    /// not counted: a model without audio embeds the video from its pictures.
    /// </summary>
    public IReadOnlyList<string> Unreadable(ManifestItem item)
    {
        var unread = new List<string>();
        if (item.Text is not null && !Reads('T')) unread.Add("text");
        if ((item.Image is not null || (item.Video is not null && !Reads('A'))) && !Reads('V')) unread.Add("visual");
        if ((item.Audio is not null || (item.Video is not null && !Reads('V'))) && !Reads('A')) unread.Add("audio");
        return unread;
    }

    private static int Order(char letter) => "TVA".IndexOf(letter) is var i and >= 0 ? i : 3;
}
