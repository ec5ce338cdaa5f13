using System.Security.Cryptography;

namespace Households.Auth;

/// <summary>Where the HS256 signing key comes from: configuration (base64) or, for the embedded default only,
/// a random key kept in a user-only file so the CLI can mint local tokens.</summary>
public static class SigningKeys
{
    public const string FileName = "dev-signing-key";

    /// <summary>The per-user state directory: env <c>HOUSEHOLDS_HOME</c>, else <c>~/.households</c>.</summary>
    public static string HomeDirectory() =>
        Environment.GetEnvironmentVariable("HOUSEHOLDS_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".households");

    public static string DefaultDevKeyPath() => Path.Combine(HomeDirectory(), FileName);

    /// <summary>Decodes a configured key. Throws <see cref="ArgumentException"/> without echoing the value.</summary>
    public static byte[] Parse(string base64, string source)
    {
        byte[] key;
        try { key = Convert.FromBase64String(base64.Trim()); }
        catch (FormatException) { throw new ArgumentException($"{source} is not valid base64"); }
        if (key.Length < HouseholdsAuth.MinKeyBytes)
            throw new ArgumentException($"{source} must decode to at least {HouseholdsAuth.MinKeyBytes} bytes (got {key.Length})");
        return key;
    }

    /// <summary>Reads a key file (base64 text).</summary>
    public static byte[] Read(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"key file {path} does not exist");
        return Parse(File.ReadAllText(path), $"key file {path}");
    }

    /// <summary>Reads the dev key file, creating it with a fresh random key (mode 0600 in a 0700 directory) when absent.
    /// Two processes racing to create it agree: the loser reads the winner's key.</summary>
    public static byte[] LoadOrCreateDevKey(string? path = null)
    {
        path ??= DefaultDevKeyPath();
        if (File.Exists(path)) return Read(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
            else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var key = RandomNumberGenerator.GetBytes(HouseholdsAuth.MinKeyBytes * 2);
        // Written beside the target and moved into place: another process never reads a half-written key.
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temp, options))
        using (var writer = new StreamWriter(file))
            writer.Write(Convert.ToBase64String(key));
        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return Read(path);
        }
        return key;
    }
}
