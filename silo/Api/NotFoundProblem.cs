namespace Households.Silo.Api;

/// <summary>The API's one "not found": a 404 problem (application/problem+json) titled "{what} not found" whose detail names
/// the missing thing ("household HH000001 does not exist"). Every route and the advisor confinement (a household the caller
/// may not see answers exactly like a missing one) answer through it; the CLI prints the detail.</summary>
public static class NotFoundProblem
{
    public static IResult For(string what, string id, string? where = null) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found",
            detail: where is null ? $"{what} {id} does not exist" : $"{what} {id} does not exist {where}");

    public static IResult Household(string id) => For("household", id);

    public static IResult Account(string id) => For("account", id);
}
