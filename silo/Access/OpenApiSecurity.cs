using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Households.Silo.Access;

/// <summary>Documents the bearer scheme in the OpenAPI document and requires it document-wide (health and login are
/// the only anonymous endpoints, and they are not API operations clients script against).</summary>
public sealed class BearerSecuritySchemeTransformer : IOpenApiDocumentTransformer
{
    public const string SchemeName = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "HS256 token with claim role = admin | advisor | reader (advisors also carry advisor = their id). " +
                "Locally: households token --role admin. Browsers may use the households_token cookie set by /login.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}
