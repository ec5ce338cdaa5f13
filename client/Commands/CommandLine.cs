using System.CommandLine;
using Households.Domain;

namespace Households.Client.Commands;

/// <summary>Exit codes are a public interface: 0 success, 1 failure, 2 bad input (one line on stderr),
/// 3 an optimization problem that is infeasible.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int Infeasible = 3;
}

public static class CommandLine
{
    /// <summary>Parses and runs; parse errors and <see cref="BadInputException"/> become exit code 2 with one line.</summary>
    public static int Run(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var error = stderr ?? Console.Error;
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {parsed.Errors[0].Message}");
            return ExitCodes.BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (BadInputException ex)
        {
            // One line, whatever the input echoed into the message.
            error.WriteLine($"error: {ex.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.BadInput;
        }
        catch (ApiFailureException ex)
        {
            // The silo answered and refused (unauthorized, forbidden, a fault): its message says so already.
            error.WriteLine($"error: {ex.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Failure;
        }
        catch (HttpRequestException ex)
        {
            error.WriteLine($"error: cannot reach the silo: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error.WriteLine($"error: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Failure;
        }
    }
}
