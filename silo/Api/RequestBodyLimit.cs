using Microsoft.AspNetCore.Http.Features;

namespace Households.Silo.Api;

/// <summary>Caps request bodies: 4 MB for ordinary writes, 16 MB for the bulk endpoints (price batches, the risk model and the
/// security master). A declared length over the cap is refused before reading; an undeclared (chunked) body is
/// counted as it is read. Either way the answer is a 413 problem, and nothing was changed.</summary>
public sealed class RequestBodyLimit(RequestDelegate next)
{
    public const long DefaultBytes = 4 * 1024 * 1024;
    public const long BulkBytes = 16 * 1024 * 1024;

    public static long LimitFor(PathString path) =>
        path.StartsWithSegments("/api/prices") || path.StartsWithSegments("/api/securities") || path.StartsWithSegments("/api/risk-model") ? BulkBytes : DefaultBytes;

    public Task InvokeAsync(HttpContext context)
    {
        var limit = LimitFor(context.Request.Path);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server) server.MaxRequestBodySize = limit;
        if (context.Request.ContentLength is { } length)
        {
            if (length > limit) throw TooLarge(limit);
        }
        else if (context.Request.Body is { CanRead: true } body)
        {
            context.Request.Body = new CountingStream(body, limit);
        }
        return next(context);
    }

    internal static BadHttpRequestException TooLarge(long limit) =>
        new($"request body exceeds the limit of {limit} bytes for this endpoint", StatusCodes.Status413PayloadTooLarge);

    /// <summary>Reads through to the real body and refuses once more than the limit has arrived.</summary>
    private sealed class CountingStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int n)
        {
            _read += n;
            return _read > limit ? throw TooLarge(limit) : n;
        }
    }
}
