namespace Affect.Search.Features.Decoding;

/// <summary>Image container formats recognised by <see cref="ImageDecoder"/> (the decodable ones and a few named only in messages).</summary>
public enum ImageFormat
{
    /// <summary>Not recognised.</summary>
    Unknown,
    /// <summary>Portable Network Graphics.</summary>
    Png,
    /// <summary>JPEG/JFIF/EXIF (baseline or progressive).</summary>
    Jpeg,
    /// <summary>Windows bitmap.</summary>
    Bmp,
    /// <summary>GIF 87a/89a (the first frame is decoded).</summary>
    Gif,
    /// <summary>Truevision TGA (no signature: recognised by the .tga extension only).</summary>
    Tga,
    /// <summary>WebP (recognised, not decodable by <see cref="ImageDecoder"/>; <see cref="MediaDecoder"/> uses ffmpeg).</summary>
    WebP,
    /// <summary>TIFF (recognised, not decodable by <see cref="ImageDecoder"/>; <see cref="MediaDecoder"/> uses ffmpeg).</summary>
    Tiff,
}
