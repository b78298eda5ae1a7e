namespace Affect.Search.Features.Corpus;

/// <summary>
/// One item of a corpus manifest (JSON Lines, one object per line):
/// <c>{"id": "...", "text": "...", "image": "a.png", "audio": "a.ogg", "video": "a.mp4",
/// "labels": {"emotion": ["..."], "concept": ["..."]}, "source": "..."}</c>. Any subset of text,
/// image, audio and video may be present (at least one). Media paths are resolved against the
/// manifest's folder. An item with both image and video takes its visual features from the video.
/// </summary>
/// <param name="Id">Unique id within the manifest.</param>
/// <param name="Text">Title/description text, or null.</param>
/// <param name="Image">Absolute path of the image, or null.</param>
/// <param name="Audio">Absolute path of the audio file, or null.</param>
/// <param name="Video">Absolute path of the video, or null.</param>
/// <param name="Labels">Label strings by kind (e.g. "emotion", "concept"); empty when absent.</param>
/// <param name="Source">Where the item came from, or null.</param>
/// <param name="Line">1-based line number in the manifest.</param>
public sealed record ManifestItem(string Id, string? Text, string? Image, string? Audio, string? Video,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Labels, string? Source, int Line)
{
    /// <summary>Whether the item has a visual source (video keyframes or a still image).</summary>
    public bool HasVisual => Video is not null || Image is not null;

    /// <summary>Whether the item has an audio source: an audio file, or a video (whose audio track may still turn out to be absent).</summary>
    public bool HasAudioSource => Audio is not null || Video is not null;
}

/// <summary>A manifest line that was refused, with why.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Id">The item id when it could be read.</param>
/// <param name="Message">What is wrong, e.g. "missing file 'a.png' (/data/a.png)".</param>
public sealed record ManifestError(int Line, string? Id, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Id is null ? $"line {Line}: {Message}" : $"line {Line} ({Id}): {Message}";
}

/// <summary>The good items of a manifest and every refused line.</summary>
public sealed record Manifest(string Path, IReadOnlyList<ManifestItem> Items, IReadOnlyList<ManifestError> Errors);
