using System.Globalization;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary>The console the CLI's tables are written to: plain text (no colours, no escape codes, so files and pipes read
/// clean), as wide as <see cref="Width"/> says; <see cref="TableLayout"/> fits its tables to that width.</summary>
public static class PlainConsole
{
    /// <summary>The width of a redirected output (a file, a pipe, a test's writer) when <c>COLUMNS</c> does not say.</summary>
    public const int DefaultWidth = 120;

    /// <summary>Narrower than this nothing reads well; a smaller <c>COLUMNS</c> or terminal is taken as this.</summary>
    public const int MinimumWidth = 40;

    /// <param name="width">the width to lay out for; null asks <see cref="Width"/></param>
    public static IAnsiConsole For(TextWriter output, int? width = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = Math.Max(MinimumWidth, width ?? Width(output));
        return console;
    }

    /// <summary>The terminal's own width when <paramref name="output"/> is the terminal; otherwise the <c>COLUMNS</c>
    /// environment variable (shells set it for the terminal the output will end up on, and a user can set it for a file),
    /// else <see cref="DefaultWidth"/>.</summary>
    public static int Width(TextWriter output)
    {
        if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
        {
            try
            {
                if (Console.WindowWidth > 0) return Console.WindowWidth;
            }
            catch (IOException) { } // no terminal after all: fall through to COLUMNS
        }
        return Columns(Environment.GetEnvironmentVariable("COLUMNS")) ?? DefaultWidth;
    }

    /// <summary>A <c>COLUMNS</c> value as a width: a positive whole number, else null (ignored).</summary>
    public static int? Columns(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
