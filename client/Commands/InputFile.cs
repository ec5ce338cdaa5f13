using Households.Domain;

namespace Households.Client.Commands;

/// <summary>The files the CLI reads, decoded and size-checked by the domain's <see cref="TextFile"/>.</summary>
public static class InputFile
{
    /// <summary>Reads a file through <see cref="TextFile.Decode"/>, refusing an oversize file before reading it.</summary>
    public static string Read(string path, long maxBytes)
    {
        var name = Path.GetFileName(path);
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > maxBytes) throw new BadInputException($"{name} is larger than {maxBytes} bytes");
            return TextFile.Decode(File.ReadAllBytes(path), name, maxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BadInputException($"cannot read {path}: {ex.Message}");
        }
    }
}
