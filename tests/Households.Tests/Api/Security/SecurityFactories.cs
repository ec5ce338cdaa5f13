using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Households.Tests.Api.Security;

/// <summary>The security test classes share one silo (and run one after another), to keep the suite's load down.</summary>
[Xunit.CollectionDefinition(Name)]
public sealed class SecurityCollection : Xunit.ICollectionFixture<SecurityFactory>
{
    public const string Name = "security";
}

/// <summary>A silo whose every log line (Debug and up for ASP.NET and the product) is kept for inspection.</summary>
public sealed class SecurityFactory() : SiloFactory(false)
{
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Logging:LogLevel:Default", "Information");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Debug");
        builder.UseSetting("Logging:LogLevel:Households", "Debug");
        builder.UseSetting("Dashboard:Enabled", "true");
        builder.ConfigureServices(s => s.AddLogging(l => l.AddProvider(Logs)));
    }
}

/// <summary>A silo with a tiny rate limit: 1 request per second, a burst of 2.</summary>
public sealed class TinyRateLimitFactory() : SiloFactory(false)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimit:PermitsPerSecond", "1");
        builder.UseSetting("RateLimit:Burst", "2");
    }
}

/// <summary>Keeps every formatted log message, its structured values and any exception text.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join("\n", _lines);

    public int Count => _lines.Count;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner._lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
