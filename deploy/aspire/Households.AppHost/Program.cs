namespace Households.AppHost;

/// <summary>The local cluster the .NET way (issue #19): PostgreSQL, three silos on it and the Aspire dashboard, with one
/// command: <c>dotnet run --project deploy/aspire/Households.AppHost</c>. PostgreSQL runs in a container (Docker or
/// Podman) unless <c>ConnectionStrings__households</c> names a server (README "A local cluster the .NET way (Aspire)").
/// A named entry class, not top-level statements: the tests reference this project and the silo, and both would
/// declare a public <c>Program</c>.</summary>
public static class AppHostProgram
{
    public static void Main(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(args);
        builder.AddHouseholdsCluster();
        builder.Build().Run();
    }
}
