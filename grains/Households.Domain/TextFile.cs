using System.Text;

namespace Households.Domain;

/// <summary>Decoding of the text files the CLI reads (trade files, optimization problems).</summary>
public static class TextFile
{
    /// <summary>UTF-8 (a byte-order mark is optional) or UTF-16 with its byte-order mark. Invalid bytes are refused
    /// rather than silently replaced, and a file over <paramref name="maxBytes"/> is refused.</summary>
    public static string Decode(byte[] bytes, string source, long maxBytes)
    {
        if (bytes.Length > maxBytes) throw new BadInputException($"{source} is larger than {maxBytes} bytes");
        try
        {
            if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
                return new UnicodeEncoding(bigEndian: bytes[0] == 0xFE, byteOrderMark: true, throwOnInvalidBytes: true).GetString(bytes, 2, bytes.Length - 2);
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException ex)
        {
            throw new BadInputException($"{source} is not valid {(bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] ? "UTF-16" : "UTF-8")} text (byte {ex.Index}); save it as UTF-8");
        }
    }

    /// <summary>Reads a file through <see cref="Decode"/>, refusing an oversize file before reading it.</summary>
    public static string Read(string path, long maxBytes)
    {
        var name = Path.GetFileName(path);
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > maxBytes) throw new BadInputException($"{name} is larger than {maxBytes} bytes");
            return Decode(File.ReadAllBytes(path), name, maxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BadInputException($"cannot read {path}: {ex.Message}");
        }
    }
}
