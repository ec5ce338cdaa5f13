using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Auth;
using Households.Client.Commands;
using Households.Silo.Access;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Xunit;

namespace Households.Tests.Api.Security;

/// <summary>Health, metrics, dashboard, logs and the token command against a running silo.</summary>
[Collection(SecurityCollection.Name)]
public sealed class OperationsTests(SecurityFactory factory)
{
    [Fact]
    public async Task Health_is_anonymous_and_ready_checks_the_cluster_and_storage()
    {
        using var anonymous = factory.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("orleans").GetProperty("status").GetString());
        Assert.Equal("in-memory storage", body.GetProperty("checks").GetProperty("storage").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Storage_check_is_unhealthy_when_PostgreSQL_does_not_answer_and_names_no_secret()
    {
        await using var db = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=hh;Password=hunter2-secret;Timeout=2;Database=none");
        var result = await StorageHealthCheck.Check(db, CancellationToken.None);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("PostgreSQL not reachable", result.Description);
        Assert.DoesNotContain("hunter2", result.Description);
    }

    [Fact]
    public async Task Metrics_need_admin_or_reader_and_carry_product_and_Orleans_series()
    {
        using var anonymous = factory.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        using var advisor = factory.CreateClientFor("advisor", "ADV-M");
        Assert.Equal(HttpStatusCode.Forbidden, (await advisor.GetAsync("/metrics")).StatusCode);

        using var admin = factory.CreateClient();
        (await admin.PostAsJsonAsync("/api/securities", new[] { new { symbol = "METEQ", name = "Metrics equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" } })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "METEQ", price = 10m } } })).EnsureSuccessStatusCode();
        using var reader = factory.CreateClientFor("reader");
        var text = "";
        for (var i = 0; i < 50 && !(text.Contains("households_price_batches") && text.Contains("orleans_")); i++)
        {
            await Task.Delay(200);
            var response = await reader.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
        }
        Assert.Contains("households_price_batches", text);
        Assert.Contains("orleans_", text);
    }

    [Fact]
    public async Task The_Orleans_dashboard_is_for_administrators()
    {
        using var anonymous = factory.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/ClusterStats")).StatusCode);
        using var reader = factory.CreateClientFor("reader");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/dashboard/ClusterStats")).StatusCode);
        using var admin = factory.CreateClient();
        var page = await admin.GetAsync("/dashboard/"); // "/dashboard" redirects here; the test client drops the header on redirects
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("html", (await page.Content.ReadAsStringAsync()).ToLowerInvariant());
    }

    [Fact]
    public async Task Tokens_and_the_signing_key_never_reach_the_logs()
    {
        var token = SiloFactory.Tokens.Mint(HouseholdsAuth.Admin, subject: "log-probe");
        var forged = new TokenIssuer([.. SiloFactory.SigningKey.Reverse()]).Mint(HouseholdsAuth.Admin, subject: "log-forger");
        using var http = factory.CreateAnonymousClient();
        var before = factory.Logs.Count;
        foreach (var t in new[] { token, forged, token + "x" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/households/LOG-NONE");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t);
            await http.SendAsync(request);
        }
        var login = await http.PostAsJsonAsync("/auth/dev-login", new { role = "admin" });
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(HouseholdsAuth.CookieName, StringComparison.Ordinal)).Split(';')[0].Split('=', 2)[1];
        await http.GetAsync("/api/monitor");
        Assert.True(factory.Logs.Count > before, "the request cycle logged nothing: the test would prove nothing");

        var logs = factory.Logs.Text;
        Assert.Contains("signing key from configuration", logs); // the source is logged, the key is not
        foreach (var secret in new[] { token, forged, cookie })
        {
            Assert.DoesNotContain(secret, logs);
            Assert.DoesNotContain(secret.Split('.')[2], logs); // not even the signature
        }
        Assert.DoesNotContain(Convert.ToBase64String(SiloFactory.SigningKey), logs);
        Assert.DoesNotContain(Convert.ToHexString(SiloFactory.SigningKey), logs, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_token_command_mints_a_token_the_silo_accepts()
    {
        var keyFile = System.IO.Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(SiloFactory.SigningKey));
            var (code, token, _) = Run("token", "--role", "advisor", "--advisor", "ADV-CLI", "--hours", "1", "--key-file", keyFile);
            Assert.Equal(ExitCodes.Success, code);
            using var http = factory.CreateAnonymousClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
            var list = JsonDocument.Parse(await http.GetStringAsync("/api/households")).RootElement;
            Assert.Equal(0, list.GetProperty("total").GetInt32()); // ADV-CLI owns nothing, and sees nothing
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/metrics")).StatusCode); // an advisor, as minted

            var (adminCode, adminToken, _) = Run("token", "--role", "admin", "--key-file", keyFile);
            Assert.Equal(ExitCodes.Success, adminCode);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken.Trim());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
        }
        finally { File.Delete(keyFile); }
    }

    [Theory]
    [InlineData("--role", "root")]
    [InlineData("--role", "advisor")]
    [InlineData("--role", "admin", "--advisor", "ADV-1")]
    [InlineData("--role", "admin", "--hours", "0")]
    [InlineData("--role", "admin", "--hours", "100000")]
    [InlineData("--role", "admin", "--key-file", "/nonexistent/households-key")]
    [InlineData("--advisor", "ADV-1")]
    public void The_token_command_rejects_bad_input_with_exit_code_2(params string[] args)
    {
        var (code, stdout, stderr) = Run(["token", .. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error:", stderr);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand { TokenCommand.Create() };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(root, args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A tiny bucket answers 429 with Retry-After as a problem; health is never limited.</summary>
public sealed class RateLimitTests(TinyRateLimitFactory factory) : IClassFixture<TinyRateLimitFactory>
{
    [Fact]
    public async Task Past_the_burst_a_caller_gets_429_with_Retry_After_and_health_stays_up()
    {
        using var http = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await http.GetAsync("/api/monitor");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
        }
        Assert.NotNull(limited);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 2, string.Join(",", statuses)); // the burst passed
        Assert.True(limited!.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {limited.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());

        // Another user has a bucket of their own; health is exempt.
        using var other = factory.CreateClientFor("reader");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/monitor")).StatusCode);
        using var anonymous = factory.CreateAnonymousClient();
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
    }
}

/// <summary>Where the key comes from, without a silo.</summary>
public sealed class SigningKeyTests
{
    [Fact]
    public void The_dev_key_file_is_created_once_user_only_and_read_back()
    {
        var dir = Directory.CreateTempSubdirectory("hh-key-").FullName;
        try
        {
            var path = System.IO.Path.Combine(dir, "home", SigningKeys.FileName);
            var first = SigningKeys.LoadOrCreateDevKey(path);
            Assert.Equal(64, first.Length);
            Assert.Equal(first, SigningKeys.LoadOrCreateDevKey(path));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(System.IO.Path.GetDirectoryName(path)!));
            }
            Assert.Single(Directory.GetFiles(System.IO.Path.GetDirectoryName(path)!)); // no temp file left behind
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void PostgreSQL_without_a_key_refuses_to_start_with_a_clear_message()
    {
        var profile = new Households.Silo.Hosting.HostingProfile("Host=db;Password=pw-secret", "c", "s", 1, 2);
        var ex = Assert.Throws<InvalidOperationException>(() => SigningKeySource.Resolve(new ConfigurationBuilder().Build(), profile));
        Assert.Contains("Auth:SigningKey is required under the PostgreSQL profile", ex.Message);
        Assert.DoesNotContain("pw-secret", profile.ToString());
    }

    [Theory]
    [InlineData("not base64!", "not valid base64")]
    [InlineData("c2hvcnQ=", "at least 32 bytes")]
    public void A_bad_configured_key_is_refused_without_echoing_it(string key, string message)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = key }).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => SigningKeySource.Resolve(config, new Households.Silo.Hosting.HostingProfile(null, "c", "s", 1, 2)));
        Assert.Contains(message, ex.Message);
        Assert.DoesNotContain(key, ex.Message);
    }
}
