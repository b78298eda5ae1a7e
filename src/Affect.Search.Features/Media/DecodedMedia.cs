namespace Affect.Search.Features.Media;

/// <summary>What decoding one item's media gave: keyframes (a still image is one frame) and/or audio.</summary>
/// <param name="Frames">Keyframes, empty when the item has no visual media.</param>
/// <param name="Audio">The audio track, null when the item has none.</param>
public sealed record DecodedMedia(IReadOnlyList<RgbImage> Frames, AudioClip? Audio);

/// <summary>Decoding or reading media failed; the message names the file and the problem.</summary>
public sealed class MediaDecodeException(string message, Exception? inner = null) : Exception(message, inner);
