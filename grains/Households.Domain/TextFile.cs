using System.Text;

namespace Households.Domain;

/// <summary>Decoding of the text files the CLI and the API take (trade files, optimization problems); the CLI reads
/// the file (<c>Households.Client.Commands.InputFile</c>), the API takes the bytes.</summary>
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
}
