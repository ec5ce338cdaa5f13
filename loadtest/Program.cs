using Households.LoadTest;

// Issue 6's load test. --mode pipeline (default): the synthetic firm live in an in-process silo, full-universe price
// batches through the price feed, board and monitor to the account grains, then the bare loop over the very same
// snapshots for the ratio; with --api-rps the API load runs beside the batches, in a child process (--mode api).
// --mode bare: the bare loop alone. --cluster PORTS: drive a running cluster through an Orleans client.
// --mode api: only the HTTP load against --api-url. --mode quotes: the synthetic universe's opening prices, or with
// --shock NAME the scenario's shocked prices, as a POST /api/prices body on stdout (loadtest/takeover.sh's shock).
// --books-check PORTS: every account's books against the journal's fills after --journal-since (takeover.sh, after the kill).
// Every mode is bounded and stops by itself.
var options = LoadTestOptions.Parse(args);
return options.Mode switch
{
    "bare" => BareLoop.Standalone(options),
    "cluster" => await ClusterRun.Run(options),
    "api" => await ApiLoad.Standalone(options),
    "quotes" => Quotes.Write(options),
    "books-check" => await BooksCheck.Run(options),
    _ => await Pipeline.InProcess(options),
};
