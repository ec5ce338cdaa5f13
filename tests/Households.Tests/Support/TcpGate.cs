using System.Net;
using System.Net.Sockets;

namespace Households.Tests.Support;

/// <summary>A TCP forwarder in front of a server (the test PostgreSQL) that a test can shut and open again: shutting it
/// refuses new connections and cuts the open ones, as a database that goes away does, without stopping the server the
/// other tests share.</summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _shut = new();

    public TcpGate(string host, int port)
    {
        _target = new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Open();
    }

    /// <summary>The gate's own port on 127.0.0.1: connect here instead of the server.</summary>
    public int Port { get; }

    /// <summary>Accepts connections again (after <see cref="Shut"/>).</summary>
    public void Open()
    {
        _shut = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = Accept(_listener, _shut.Token);
    }

    /// <summary>Refuses new connections and cuts every open one.</summary>
    public void Shut()
    {
        _shut.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    private async Task Accept(TcpListener listener, CancellationToken shut)
    {
        while (!shut.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(shut); }
            catch (Exception) { return; }
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(_target, shut); }
            catch (Exception) { inbound.Dispose(); outbound.Dispose(); continue; }
            lock (_open) { _open.Add(inbound); _open.Add(outbound); }
            _ = Pipe(inbound, outbound);
            _ = Pipe(outbound, inbound);
        }
    }

    private static async Task Pipe(TcpClient from, TcpClient to)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream()); }
        catch (Exception) { /* cut by Shut, or the other side closed */ }
        from.Dispose();
        to.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Shut();
        return ValueTask.CompletedTask;
    }
}
