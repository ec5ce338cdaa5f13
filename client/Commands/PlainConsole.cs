using Spectre.Console;

namespace Households.Client.Commands;

/// <summary>The console the CLI's tables are written to: plain text (no colours, no escape codes, so files and pipes read
/// clean), 200 columns wide when the output is not a terminal so cells are never wrapped.</summary>
public static class PlainConsole
{
    public static IAnsiConsole For(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected) console.Profile.Width = 200;
        return console;
    }
}
