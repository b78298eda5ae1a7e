namespace Affect.Search.Features.Decoding;

/// <summary>What a media file holds, as <see cref="MediaDecoder.KindOf"/> judges by its extension.</summary>
public enum MediaKind
{
    /// <summary>An extension the decoder does not know (ffmpeg may still read the file).</summary>
    Unknown,
    /// <summary>A still image (.png .jpg .jpeg .bmp .gif .tga, and .webp .tif .tiff through ffmpeg).</summary>
    Image,
    /// <summary>Audio (.wav .ogg .oga .mp3 .m4a .aac .flac .opus .wma).</summary>
    Audio,
    /// <summary>Video (.mp4 .m4v .webm .mkv .avi .mov .mpg .mpeg .wmv .flv .3gp .ts .ogv).</summary>
    Video,
}
