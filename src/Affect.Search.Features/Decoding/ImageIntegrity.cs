using System.Buffers.Binary;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// Format sniffing and structural completeness checks for encoded images. stb_image reads zeros past the end of
/// its input instead of failing, so a truncated BMP, TGA or JPEG would otherwise decode "successfully" into a
/// partly black or grey picture; these checks walk each container far enough to prove the pixel data is all there.
/// </summary>
internal static class ImageIntegrity
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format by signature; TGA (which has none) only when <paramref name="name"/> ends in .tga.</summary>
    public static ImageFormat Sniff(ReadOnlySpan<byte> data, string name)
    {
        if (data.StartsWith(PngSignature)) return ImageFormat.Png;
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat.Jpeg;
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) return ImageFormat.Gif;
        if (data.StartsWith("BM"u8)) return ImageFormat.Bmp;
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8)) return ImageFormat.WebP;
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8)) return ImageFormat.Tiff;
        if (name.EndsWith(".tga", StringComparison.OrdinalIgnoreCase)) return ImageFormat.Tga;
        return ImageFormat.Unknown;
    }

    /// <summary>A short description of what the bytes look like, for "not an image" messages.</summary>
    public static string Describe(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 12 && data.StartsWith("RIFF"u8))
            return data.Slice(8, 4).SequenceEqual("WAVE"u8) ? "a WAV audio file" : data.Slice(8, 4).SequenceEqual("AVI "u8) ? "an AVI video" : "a RIFF file";
        if (data.Length >= 8 && data.Slice(4, 4).SequenceEqual("ftyp"u8)) return "an MP4/QuickTime/HEIF file";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return "a Matroska/WebM file";
        if (data.StartsWith("OggS"u8)) return "an Ogg file";
        if (data.StartsWith("fLaC"u8)) return "a FLAC file";
        if (data.StartsWith("ID3"u8)) return "an MP3 file";
        if (data.StartsWith("8BPS"u8)) return "a Photoshop file";
        if (data.StartsWith("%PDF"u8)) return "a PDF file";
        if (data.StartsWith("<"u8) || data.StartsWith("\uFEFF<"u8)) return "an XML/SVG/HTML text file";
        if (data.StartsWith((ReadOnlySpan<byte>)[0, 0, 1, 0])) return "an ICO file";
        return "no known image signature";
    }

    /// <summary>Null when the container is complete, else what is wrong ("truncated: ...", "corrupt: ...").</summary>
    public static string? Check(ImageFormat format, ReadOnlySpan<byte> data) => format switch
    {
        ImageFormat.Png => CheckPng(data),
        ImageFormat.Jpeg => CheckJpeg(data),
        ImageFormat.Gif => CheckGif(data),
        ImageFormat.Bmp => CheckBmp(data),
        ImageFormat.Tga => CheckTga(data),
        _ => null,
    };

    private static string? CheckPng(ReadOnlySpan<byte> data)
    {
        long pos = 8;
        bool sawHeader = false, sawData = false;
        while (true)
        {
            if (pos + 8 > data.Length) return $"truncated: the data ends at byte {data.Length} before the IEND chunk";
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)pos, 4));
            var typeBytes = data.Slice((int)pos + 4, 4);
            string type = ChunkName(typeBytes);
            if (length > int.MaxValue || pos + 12 + length > data.Length)
                return $"truncated: chunk '{type}' at byte {pos} declares {length} bytes but the data ends at byte {data.Length}";
            bool critical = (typeBytes[0] & 0x20) == 0;
            if (critical)
            {
                uint stored = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)(pos + 8 + length), 4));
                uint actual = Crc32(data.Slice((int)pos + 4, 4 + (int)length));
                if (stored != actual) return $"corrupt: CRC mismatch in chunk '{type}' at byte {pos}";
            }
            if (type == "IHDR") sawHeader = true;
            else if (type == "IDAT") sawData = true;
            else if (type == "IEND") break;
            pos += 12 + length;
        }
        if (!sawHeader) return "corrupt: no IHDR chunk";
        if (!sawData) return "corrupt: no IDAT chunk (no pixel data)";
        return null;
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++) c[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        return new string(c);
    }

    private static uint[]? _crcTable;

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var table = _crcTable ??= BuildCrcTable();
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    private static string? CheckJpeg(ReadOnlySpan<byte> data)
    {
        int pos = 2;
        bool sawFrame = false, sawScan = false;
        while (true)
        {
            // Find the next marker (tolerating stray bytes and 0xFF fill bytes, as libjpeg does).
            while (pos < data.Length && data[pos] != 0xFF) pos++;
            while (pos < data.Length && data[pos] == 0xFF) pos++;
            if (pos >= data.Length) return $"truncated: the data ends at byte {data.Length} without an end-of-image marker";
            byte marker = data[pos++];
            if (marker == 0xD9)
            {
                if (!sawFrame) return "corrupt: no frame header (SOF) before the end-of-image marker";
                if (!sawScan) return "corrupt: no image scan (SOS) before the end-of-image marker";
                return null;
            }
            if (marker is 0x01 or >= 0xD0 and <= 0xD7) continue;          // standalone markers
            if (pos + 2 > data.Length) return $"truncated: the data ends inside the 0xFF{marker:X2} segment header";
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(pos, 2));
            if (length < 2) return $"corrupt: segment 0xFF{marker:X2} at byte {pos - 2} has length {length}";
            if (pos + length > data.Length) return $"truncated: segment 0xFF{marker:X2} at byte {pos - 2} declares {length} bytes but the data ends at byte {data.Length}";
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) sawFrame = true;
            pos += length;
            if (marker != 0xDA) continue;
            sawScan = true;
            // Entropy-coded data runs to the next marker other than stuffed 0xFF00 and restart markers.
            while (true)
            {
                if (pos + 1 >= data.Length) return $"truncated: the data ends at byte {data.Length} inside the compressed image data";
                if (data[pos] != 0xFF) { pos++; continue; }
                byte next = data[pos + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7 || next == 0xFF) { pos += next == 0xFF ? 1 : 2; continue; }
                break;
            }
        }
    }

    private static string? CheckGif(ReadOnlySpan<byte> data)
    {
        const string Truncated = "truncated: the data ends before the first frame is complete";
        if (data.Length < 13) return Truncated;
        int pos = 13;
        byte screenFlags = data[10];
        if ((screenFlags & 0x80) != 0) pos += 3 << ((screenFlags & 7) + 1);
        while (true)
        {
            if (pos >= data.Length) return Truncated;
            byte block = data[pos++];
            switch (block)
            {
                case 0x21:                                              // extension: label, then sub-blocks
                    if (pos >= data.Length) return Truncated;
                    pos++;
                    if (!SkipSubBlocks(data, ref pos)) return Truncated;
                    break;
                case 0x2C:                                              // image descriptor
                    if (pos + 9 > data.Length) return Truncated;
                    byte imageFlags = data[pos + 8];
                    pos += 9;
                    if ((imageFlags & 0x80) != 0) pos += 3 << ((imageFlags & 7) + 1);
                    if (pos >= data.Length) return Truncated;
                    pos++;                                              // LZW minimum code size
                    return SkipSubBlocks(data, ref pos) ? null : Truncated;
                case 0x3B:
                    return "corrupt: the file contains no image (trailer before any frame)";
                default:
                    return $"corrupt: unexpected block type 0x{block:X2} at byte {pos - 1}";
            }
        }
    }

    private static bool SkipSubBlocks(ReadOnlySpan<byte> data, ref int pos)
    {
        while (true)
        {
            if (pos >= data.Length) return false;
            int size = data[pos++];
            if (size == 0) return true;
            pos += size;
        }
    }

    private static string? CheckBmp(ReadOnlySpan<byte> data)
    {
        if (data.Length < 26) return $"truncated: {data.Length} bytes are too few for a BMP header";
        long pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(10, 4));
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4));
        long width, height;
        int bpp;
        uint compression = 0, imageSize = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(18, 2));
            height = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(20, 2));
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(24, 2));
        }
        else
        {
            if (data.Length < 54) return $"truncated: {data.Length} bytes are too few for a BMP header";
            width = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(18, 4));
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data.Slice(22, 4)));
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(28, 2));
            compression = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(30, 4));
            imageSize = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(34, 4));
        }
        if (width <= 0 || height <= 0) return $"corrupt: image size {width}x{height}";
        if (pixelOffset > data.Length) return $"truncated: pixel data should start at byte {pixelOffset} but the data ends at byte {data.Length}";
        long needed = compression is 0 or 3 or 6
            ? (bpp * width + 31) / 32 * 4 * height                     // uncompressed rows padded to 4 bytes
            : imageSize;                                                // RLE: the declared compressed size
        if (pixelOffset + needed > data.Length)
            return $"truncated: {needed} bytes of pixel data from byte {pixelOffset} but the data ends at byte {data.Length}";
        return null;
    }

    private static string? CheckTga(ReadOnlySpan<byte> data)
    {
        if (data.Length < 18) return $"truncated: {data.Length} bytes are too few for a TGA header";
        int idLength = data[0], colorMapType = data[1], imageType = data[2];
        int mapLength = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(5, 2));
        int mapEntryBits = data[7];
        int width = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(12, 2));
        int height = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(14, 2));
        int bpp = data[16];
        if (imageType is not (1 or 2 or 3 or 9 or 10 or 11)) return $"corrupt: unknown TGA image type {imageType}";
        if (width == 0 || height == 0) return $"corrupt: image size {width}x{height}";
        int pixelBytes = (bpp + 7) / 8;
        if (pixelBytes == 0) return $"corrupt: {bpp} bits per pixel";
        long pos = 18 + idLength + (colorMapType == 1 ? (long)mapLength * ((mapEntryBits + 7) / 8) : 0);
        long pixels = (long)width * height;
        if (imageType < 8)
        {
            long needed = pixels * pixelBytes;
            return pos + needed > data.Length ? $"truncated: {needed} bytes of pixel data from byte {pos} but the data ends at byte {data.Length}" : null;
        }
        long seen = 0;
        while (seen < pixels)
        {
            if (pos >= data.Length) return $"truncated: the run-length data ends at byte {data.Length} after {seen} of {pixels} pixels";
            int header = data[(int)pos++];
            int count = (header & 0x7F) + 1;
            pos += (header & 0x80) != 0 ? pixelBytes : (long)count * pixelBytes;
            if (pos > data.Length) return $"truncated: the run-length data ends at byte {data.Length} after {seen} of {pixels} pixels";
            seen += count;
        }
        return null;
    }
}
