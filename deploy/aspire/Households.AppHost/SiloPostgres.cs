using Aspire.Hosting.Orleans;

namespace Households.AppHost;

/// <summary>Orleans clustering, grain storage and reminders on the households database, told to the silo in its own
/// configuration key, <c>ConnectionStrings:Households</c> (the silo's PostgreSQL profile, silo/Hosting/HouseholdsSiloSetup.cs).
/// Aspire's stock provider for a connection-string resource would set <c>Orleans:{section}:ProviderType</c> to the
/// resource type's name ("PostgresDatabase"); Orleans' own configuration reader acts on that key at start and knows no
/// such provider, and the silo configures its PostgreSQL providers itself from its connection string. So this
/// provider passes the connection string alone, once per silo, whichever section (clustering, storage, reminders) asks.</summary>
public sealed class SiloPostgres(IResourceBuilder<IResourceWithConnectionString> database) : IProviderConfiguration
{
    /// <summary>The silo's connection name: <c>config.GetConnectionString("Households")</c>.</summary>
    public const string ConnectionName = "Households";

    public IResourceBuilder<IResourceWithConnectionString> Database { get; } = database;

    public void ConfigureResource<T>(IResourceBuilder<T> resourceBuilder, string configSectionPath) where T : IResourceWithEnvironment
    {
        // Clustering, the grain storage and reminders all name this provider: one reference per silo is enough.
        if (resourceBuilder.Resource.Annotations.OfType<ResourceRelationshipAnnotation>()
                .Any(r => r.Type == "Reference" && ReferenceEquals(r.Resource, Database.Resource)))
            return;
        resourceBuilder.WithReference(Database, ConnectionName);
    }
}
