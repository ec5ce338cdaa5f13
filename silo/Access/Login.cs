using System.Text.Encodings.Web;
using Households.Auth;
using Households.Domain;
using Microsoft.Extensions.Options;

namespace Households.Silo.Access;

/// <summary>The browser way in: <c>GET /login</c> (a minimal form) posting to <c>POST /auth/dev-login</c>, which sets
/// the HttpOnly, SameSite=Strict <c>households_token</c> cookie. Dev-login exists on the embedded profile only
/// (it asks no password: anyone who can reach the port may pick a role); under PostgreSQL it answers 404.</summary>
public static class Login
{
    public sealed record DevLoginRequest(string? Role, string? Advisor, string? ReturnUrl);

    public static void MapLogin(this WebApplication app)
    {
        app.MapGet("/login", (HttpContext http, IOptions<AuthOptions> auth, SigningKeyInfo key, string? returnUrl) =>
            Results.Content(Page(DevLoginAllowed(auth.Value, key), LocalUrl(returnUrl)), "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/auth/dev-login", async (HttpContext http, IOptions<AuthOptions> auth, SigningKeyInfo key, TokenIssuer issuer, TimeProvider clock) =>
        {
            if (!DevLoginAllowed(auth.Value, key))
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: "dev-login is available on the embedded profile only");
            var form = http.Request.HasFormContentType;
            var request = form
                ? new DevLoginRequest(http.Request.Form["role"], http.Request.Form["advisor"], http.Request.Form["returnUrl"])
                : await ReadJson(http.Request);
            var role = request.Role?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(role) || !HouseholdsAuth.Roles.Contains(role))
                throw new BadInputException($"role must be one of {string.Join(", ", HouseholdsAuth.Roles)}");
            var advisor = role == HouseholdsAuth.Advisor ? request.Advisor?.Trim() : null;
            if (role == HouseholdsAuth.Advisor && string.IsNullOrEmpty(advisor)) throw new BadInputException("advisor is required for the advisor role");
            var lifetime = auth.Value.DevLoginLifetime;
            var token = issuer.Mint(role, advisor, lifetime);
            var expires = clock.GetUtcNow() + lifetime;
            http.Response.Cookies.Append(HouseholdsAuth.CookieName, token, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/", Expires = expires, IsEssential = true,
            });
            return form
                ? Results.Redirect(LocalUrl(request.ReturnUrl) ?? "/", permanent: false, preserveMethod: false)
                : Results.Ok(new { role, advisor, expires });
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();

        app.MapPost("/auth/logout", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(HouseholdsAuth.CookieName, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, HttpOnly = true });
            return Results.NoContent();
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }

    private static async Task<DevLoginRequest> ReadJson(HttpRequest request)
    {
        try { return await request.ReadFromJsonAsync<DevLoginRequest>() ?? throw new BadInputException("a body with role is required"); }
        catch (System.Text.Json.JsonException ex) { throw new BadInputException($"malformed JSON body: {ex.Message}"); }
        catch (InvalidOperationException) { throw new BadInputException("send role (and advisor) as a form or as application/json"); }
    }

    public static bool DevLoginAllowed(AuthOptions auth, SigningKeyInfo key) => auth.DevLogin && !key.Postgres;

    /// <summary>Only a path on this site (no scheme, no host, no protocol-relative <c>//</c>): no open redirect.</summary>
    public static string? LocalUrl(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : null;

    private static string Page(bool devLogin, string? returnUrl)
    {
        var html = HtmlEncoder.Default;
        var body = devLogin
            ? $"""
               <form method="post" action="/auth/dev-login">
                 <label>Role <select name="role"><option>admin</option><option>advisor</option><option>reader</option></select></label>
                 <label>Advisor id (advisor role) <input name="advisor" autocomplete="off"></label>
                 <input type="hidden" name="returnUrl" value="{html.Encode(returnUrl ?? "/")}">
                 <button type="submit">Sign in</button>
               </form>
               <p>Development sign-in (embedded profile): no password; the cookie holds a signed token for the role you pick.</p>
               """
            : """
              <p>This silo accepts bearer tokens only. Mint one with <code>households token --role admin --key-file PATH</code>
              and send it as <code>Authorization: Bearer TOKEN</code>.</p>
              """;
        return $"""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Households sign-in</title>
                <style>body{"{"}font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto{"}"} label{"{"}display:block;margin:.5rem 0{"}"}</style>
                </head><body><h1>Households</h1>
                {body}
                </body></html>
                """;
    }
}
