using System.CommandLine;

namespace Households.Client.Commands;

public static class ShowCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("household") { Description = "household id" };
        var cmd = new Command("show", "Show a household's live state from a running silo") { id };
        cmd.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(parse.GetValue(id));
            return 0;
        });
        return cmd;
    }
}
