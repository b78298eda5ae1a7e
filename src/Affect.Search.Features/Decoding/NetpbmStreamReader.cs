using System.Text;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// Reads the concatenated PAM (P7) or PPM (P6) images ffmpeg writes with <c>-f image2pipe -c:v pam|ppm</c>. Each
/// frame carries its own size in its header, so frames stay correct whatever ffmpeg did to their size (display
/// rotation, non-square pixels, a mid-stream resolution change). Alpha is blended onto white.
/// </summary>
internal static class NetpbmStreamReader
{
    private const int MaxHeaderBytes = 1024;

    /// <summary>
    /// Reads frames until the end of <paramref name="stream"/>; frames past <paramref name="maxFrames"/> are read and
    /// dropped, so the writer never blocks on a full pipe.
    /// </summary>
    /// <exception cref="MediaDecodeException">The stream is not well-formed PAM/PPM or a frame is cut short.</exception>
    public static List<RgbImage> ReadAll(Stream stream, int maxFrames, string file)
    {
        var input = new BufferedStream(stream, 1 << 16);
        var frames = new List<RgbImage>();
        byte[]? scratch = null;
        while (true)
        {
            int first = input.ReadByte();
            if (first < 0) return frames;
            var (width, height, depth) = ReadHeader(input, first, file);
            long bytes = (long)width * height * depth;
            if ((long)width * height > ImageDecoder.MaxPixels)
                throw new MediaDecodeException($"{file}: {width}x{height} frames exceed the limit of {ImageDecoder.MaxPixels} pixels");
            if (scratch is null || scratch.Length != bytes) scratch = new byte[bytes];
            int got = input.ReadAtLeast(scratch, scratch.Length, throwOnEndOfStream: false);
            if (got < scratch.Length)
                throw new MediaDecodeException($"{file}: ffmpeg's frame {frames.Count + 1} was cut short ({got} of {bytes} bytes)");
            if (frames.Count < maxFrames) frames.Add(ToRgb(width, height, depth, scratch));
        }
    }

    private static (int Width, int Height, int Depth) ReadHeader(Stream input, int first, string file)
    {
        int second = input.ReadByte();
        MediaDecodeException Bad(string what) => new($"{file}: unexpected frame data from ffmpeg ({what})");
        if (first != 'P' || second is not ('7' or '6')) throw Bad("no PAM/PPM signature");
        if (second == '6')
        {
            int w = ReadNumber(input, Bad), h = ReadNumber(input, Bad), max = ReadNumber(input, Bad);
            if (max != 255) throw Bad($"maximum value {max}");
            return Checked(w, h, 3, Bad);
        }
        int width = 0, height = 0, depth = 0, maxValue = 0, total = 0;
        while (true)
        {
            string line = ReadLine(input, ref total, Bad);
            if (line == "ENDHDR") break;
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length < 2) continue;
            _ = int.TryParse(parts[1], out int v);
            switch (parts[0])
            {
                case "WIDTH": width = v; break;
                case "HEIGHT": height = v; break;
                case "DEPTH": depth = v; break;
                case "MAXVAL": maxValue = v; break;
            }
        }
        if (maxValue != 255) throw Bad($"maximum value {maxValue}");
        if (depth is < 1 or > 4) throw Bad($"depth {depth}");
        return Checked(width, height, depth, Bad);
    }

    private static (int, int, int) Checked(int w, int h, int depth, Func<string, MediaDecodeException> bad)
        => w > 0 && h > 0 ? (w, h, depth) : throw bad($"frame size {w}x{h}");

    private static string ReadLine(Stream input, ref int total, Func<string, MediaDecodeException> bad)
    {
        var line = new StringBuilder();
        while (true)
        {
            int b = input.ReadByte();
            if (b < 0) throw bad("the header is cut short");
            if (++total > MaxHeaderBytes) throw bad("the header is too long");
            if (b == '\n') return line.ToString().Trim();
            line.Append((char)b);
        }
    }

    /// <summary>A PPM header number, skipping whitespace and comments; consumes the single whitespace after it.</summary>
    private static int ReadNumber(Stream input, Func<string, MediaDecodeException> bad)
    {
        int b;
        do
        {
            b = input.ReadByte();
            if (b == '#') while (b is not ('\n' or -1)) b = input.ReadByte();
        } while (b is ' ' or '\t' or '\r' or '\n');
        long value = 0;
        int digits = 0;
        while (b is >= '0' and <= '9')
        {
            value = value * 10 + (b - '0');
            if (++digits > 9) throw bad("a header number is too long");
            b = input.ReadByte();
        }
        if (digits == 0) throw bad("a header number is missing");
        return (int)value;
    }

    private static RgbImage ToRgb(int width, int height, int depth, byte[] data)
    {
        int n = width * height;
        switch (depth)
        {
            case 4: return ImageDecoder.CompositeOnWhite(width, height, data);
            case 3: return new RgbImage(width, height, data.AsSpan(0, n * 3).ToArray());
        }
        var rgba = new byte[n * 4];
        for (int i = 0; i < n; i++)
        {
            byte gray = data[i * depth];
            rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray;
            rgba[4 * i + 3] = depth == 2 ? data[i * 2 + 1] : (byte)255;
        }
        return ImageDecoder.CompositeOnWhite(width, height, rgba);
    }
}
