using System.Buffers.Binary;
using System.Text;

namespace Affect.Search.Corpus;

/// <summary>
/// Reads the length of an Ogg Vorbis, Ogg Opus or PCM WAV file from its headers. Starting ffprobe costs about a quarter
/// of a second per file, more than everything else a stamp needs; the stamps' sounds are all Vorbis or WAV.
/// </summary>
public static class SoundDuration
{
    /// <summary>The length in seconds, or null when the file is not a format read here or looks damaged (ask ffprobe then).</summary>
    public static double? TryRead(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException) { return null; }
        if (bytes.Length < 12) return null;
        var head = Encoding.ASCII.GetString(bytes, 0, 4);
        return head switch
        {
            "OggS" => Ogg(bytes),
            "RIFF" when Encoding.ASCII.GetString(bytes, 8, 4) == "WAVE" => Wav(bytes),
            _ => null,
        };
    }

    /// <summary>Last granule position of the first logical stream over its sample rate (48 kHz and pre-skip for Opus).</summary>
    private static double? Ogg(byte[] b)
    {
        int pos = 0;
        uint? serial = null;
        long lastGranule = -1;
        double rate = 0;
        int preSkip = 0;
        while (pos + 27 <= b.Length)
        {
            if (b[pos] != 'O' || b[pos + 1] != 'g' || b[pos + 2] != 'g' || b[pos + 3] != 'S') return null;
            long granule = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(pos + 6));
            uint pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 14));
            int segments = b[pos + 26];
            if (pos + 27 + segments > b.Length) return null;
            int body = 0;
            for (int i = 0; i < segments; i++) body += b[pos + 27 + i];
            int start = pos + 27 + segments;
            if (start + body > b.Length) return null;
            if (serial is null)
            {
                serial = pageSerial;
                var packet = b.AsSpan(start, body);
                if (packet.Length >= 16 && packet[0] == 1 && Encoding.ASCII.GetString(packet.Slice(1, 6)) == "vorbis")
                    rate = BinaryPrimitives.ReadUInt32LittleEndian(packet.Slice(12));
                else if (packet.Length >= 19 && Encoding.ASCII.GetString(packet[..8]) == "OpusHead")
                    (rate, preSkip) = (48000, BinaryPrimitives.ReadUInt16LittleEndian(packet.Slice(10)));
                else return null;
            }
            if (pageSerial == serial && granule >= 0) lastGranule = granule;
            pos = start + body;
        }
        if (rate <= 0 || lastGranule <= preSkip) return null;
        return (lastGranule - preSkip) / rate;
    }

    /// <summary>Data chunk size over the byte rate of the fmt chunk.</summary>
    private static double? Wav(byte[] b)
    {
        int pos = 12;
        uint byteRate = 0;
        while (pos + 8 <= b.Length)
        {
            var id = Encoding.ASCII.GetString(b, pos, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4));
            if (id == "fmt " && size >= 16 && pos + 24 <= b.Length) byteRate = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 16));
            if (id == "data")
            {
                if (byteRate == 0) return null;
                long available = Math.Min(size, (long)b.Length - pos - 8);
                return available > 0 ? available / (double)byteRate : null;
            }
            pos += 8 + (int)Math.Min(size + (size & 1), int.MaxValue - 16);
        }
        return null;
    }
}
