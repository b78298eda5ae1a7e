using System.Security.Cryptography;

namespace Affect.Search.Model.Persistence;

/// <summary>
/// A write-only pass-through stream that feeds every byte written to one or more running hashes and
/// counts them, so a model file's checksum is computed while it is written, in one pass over the weights.
/// </summary>
internal sealed class HashingWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash?[] _hashes;

    public HashingWriteStream(Stream inner, params IncrementalHash?[] hashes)
    {
        _inner = inner;
        _hashes = hashes;
    }

    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        foreach (var h in _hashes) h?.AppendData(buffer);
        Written += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write(new ReadOnlySpan<byte>(in value));

    public override void Flush() => _inner.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
