namespace Affect.Search.Corpus;

/// <summary>One item of the built corpus, as its manifest line holds it.</summary>
/// <param name="Id">Unique id, e.g. "emoji-1f600" or "stamp-animals-mammals-lion".</param>
/// <param name="Source">"emojibase" or "tuxpaint".</param>
/// <param name="Split">The manifest the item is in.</param>
/// <param name="Text">The item's text, or null.</param>
/// <param name="Image">Image path relative to the corpus folder ('/'-separated), or null.</param>
/// <param name="Audio">Sound path relative to the corpus folder, or null.</param>
/// <param name="Video">Video path relative to the corpus folder, or null.</param>
/// <param name="Labels">Label kind ("concept", "emotion", "sentiment") -> values; kinds without values are absent.</param>
public sealed record CorpusItem(string Id, string Source, Split Split, string? Text, string? Image, string? Audio, string? Video,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Labels)
{
    /// <summary>The modalities the item has.</summary>
    public Modalities Modalities =>
        (Text is null ? 0 : Modalities.Text) | (Image is null ? 0 : Modalities.Image)
        | (Audio is null ? 0 : Modalities.Audio) | (Video is null ? 0 : Modalities.Video);
}

/// <summary>Why a source entry is not in the corpus.</summary>
public enum SkipKind
{
    /// <summary>An emoji that emoji-datasource-google has no Google (Noto) image for.</summary>
    NoImage,
    /// <summary>An emoji without a Unicode sub-group (the regional indicator letters), so without a concept label.</summary>
    NoSubgroup,
    /// <summary>A second entry whose id another already took.</summary>
    DuplicateId,
    /// <summary>An entry whose files could not be read or converted (a corrupt SVG or PNG, a sound ffprobe cannot read, an ffmpeg failure).</summary>
    Broken,
    /// <summary>An icon package entry whose metadata is malformed (not an object, no usable name, a wrongly typed field).</summary>
    BadMetadata,
}

/// <summary>A source entry left out of the corpus, and why.</summary>
/// <param name="Id">The id the item would have had.</param>
/// <param name="Kind">The kind of reason.</param>
/// <param name="Reason">What happened, naming the file (paths relative to the source folder, e.g. "&lt;stamps&gt;/animals/x.svg").</param>
public sealed record SkippedEntry(string Id, SkipKind Kind, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id}: {Reason}";
}

/// <summary>Where the builder is: a stage name and how far through it.</summary>
/// <param name="Stage">e.g. "prepare stamps", "write media".</param>
/// <param name="Done">Steps done in the stage.</param>
/// <param name="Total">Steps in the stage.</param>
public sealed record CorpusProgress(string Stage, int Done, int Total);
