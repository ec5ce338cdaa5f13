using Households.Silo.Api;
using Households.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddHouseholds();
var app = builder.Build();
app.MapHouseholdsApi();
app.Run();

/// <summary>Entry point type, for WebApplicationFactory in the API tests.</summary>
public partial class Program;
