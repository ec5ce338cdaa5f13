using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s;
using k8s.Models;
using Xunit;

namespace Households.Tests.Deploy;

/// <summary>deploy/kubernetes checked against the Kubernetes API's own models (the client library's typed schema, strict: an
/// unknown or misspelled field or a wrong type fails; the fields the API requires are asserted below) and against the silo it runs: the
/// labels, environment and RBAC Orleans' Kubernetes hosting needs, probes on the silo's health endpoints, the secret's
/// keys, selectors that select, a grace period longer than the silo's shutdown deadline, and memory sized by the
/// benchmarks. deploy/Dockerfile is checked to copy every project the silo builds from. No cluster runs here
/// (docs/deploy.md says what was and was not verified).</summary>
public sealed class DeploymentManifestTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Manifests = Path.Combine(Root, "deploy", "kubernetes");

    private static List<object> Load(string file) =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Manifests, file)), strict: true);

    private static T Single<T>(string file) => Assert.Single(Load(file).OfType<T>());

    [Fact]
    public void Every_manifest_is_a_valid_kubernetes_object_under_the_strict_schema()
    {
        var files = Directory.GetFiles(Manifests, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").ToList();
        Assert.Equal(["deployment.yaml", "pdb.yaml", "rbac.yaml", "secret.example.yaml", "service.yaml"], files.Order().ToList());
        var kinds = new List<string>();
        foreach (var file in files)
            foreach (var o in Load(file!))
            {
                var model = Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o);
                Assert.False(string.IsNullOrEmpty(model.Metadata?.Name), $"{file}: a {model.Kind} without a name");
                kinds.Add(model.Kind);
            }
        Assert.Equal(["Deployment", "PodDisruptionBudget", "Role", "RoleBinding", "Secret", "Service", "ServiceAccount"], kinds.Order().ToList());

        // A misspelled field is refused: the strict schema is really checked.
        var typo = File.ReadAllText(Path.Combine(Manifests, "pdb.yaml")).Replace("maxUnavailable", "maxUnavailble");
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(typo, strict: true));
    }

    [Fact]
    public void Kustomization_applies_every_manifest_but_the_example_secret()
    {
        var text = File.ReadAllText(Path.Combine(Manifests, "kustomization.yaml"));
        var resources = Regex.Matches(text, @"^\s*-\s*(\S+\.yaml)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(["deployment.yaml", "pdb.yaml", "rbac.yaml", "service.yaml"], resources);
    }

    [Fact]
    public void The_silo_pod_carries_what_orleans_kubernetes_hosting_needs()
    {
        var deployment = Single<V1Deployment>("deployment.yaml");
        var pod = deployment.Spec.Template;
        Assert.NotNull(deployment.Spec.Selector);
        Assert.All(pod.Spec.Containers, c => Assert.False(string.IsNullOrEmpty(c.Name) || string.IsNullOrEmpty(c.Image)));
        Assert.Equal("households", pod.Metadata.Labels["orleans/serviceId"]);
        Assert.Equal("households", pod.Metadata.Labels["orleans/clusterId"]);
        var silo = Assert.Single(pod.Spec.Containers);
        var env = silo.Env.ToDictionary(e => e.Name);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.labels['orleans/serviceId']", env["ORLEANS_SERVICE_ID"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANS_CLUSTER_ID"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("true", env["Orleans__Kubernetes"].Value);
        // The production profile: PostgreSQL books, the firm's key, no demo firm or simulated market.
        Assert.Equal("false", env["Demo__Enabled"].Value);
        Assert.Equal("false", env["Market__Simulate"].Value);

        // The silo's ports are the ones it is configured to listen on.
        var ports = silo.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(int.Parse(env["Orleans__SiloPort"].Value), ports["silo"]);
        Assert.Equal(int.Parse(env["Orleans__GatewayPort"].Value), ports["gateway"]);
        Assert.Equal(int.Parse(env["ASPNETCORE_HTTP_PORTS"].Value), ports["http"]);

        // Every secret the pod reads is a key of the documented secret.
        var secret = Single<V1Secret>("secret.example.yaml");
        foreach (var reference in silo.Env.Where(e => e.ValueFrom?.SecretKeyRef is not null).Select(e => e.ValueFrom.SecretKeyRef))
        {
            Assert.Equal(secret.Metadata.Name, reference.Name);
            Assert.Contains(reference.Key, secret.StringData.Keys);
        }
        Assert.Equal("households-secrets", env["Auth__SigningKey"].ValueFrom.SecretKeyRef.Name);
        Assert.Equal("households-secrets", env["ConnectionStrings__Households"].ValueFrom.SecretKeyRef.Name);

        // RBAC: the pod's service account may watch and delete pods (dead silos' pods), nothing else.
        var rbac = Load("rbac.yaml");
        var account = Assert.Single(rbac.OfType<V1ServiceAccount>());
        Assert.Equal(account.Metadata.Name, pod.Spec.ServiceAccountName);
        var role = Assert.Single(rbac.OfType<V1Role>());
        var rule = Assert.Single(role.Rules);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["delete", "get", "list", "patch", "watch"], rule.Verbs.Order().ToList());
        var binding = Assert.Single(rbac.OfType<V1RoleBinding>());
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Contains(binding.Subjects, s => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name);
    }

    [Fact]
    public void Probes_grace_and_selectors_fit_the_silo()
    {
        var deployment = Single<V1Deployment>("deployment.yaml");
        var pod = deployment.Spec.Template;
        var silo = Assert.Single(pod.Spec.Containers);
        // The silo's anonymous health endpoints (AuthenticationTests keeps them anonymous): live = the process answers,
        // ready = the cluster and PostgreSQL answer.
        Assert.Equal("/health/live", silo.LivenessProbe.HttpGet.Path);
        Assert.Equal("/health/live", silo.StartupProbe.HttpGet.Path);
        Assert.Equal("/health/ready", silo.ReadinessProbe.HttpGet.Path);
        Assert.All(new[] { silo.LivenessProbe, silo.ReadinessProbe, silo.StartupProbe }, p => Assert.Equal("http", p.HttpGet.Port.Value));
        // Activation of a large firm takes minutes: the start-up probe allows 5 minutes before liveness applies.
        Assert.True(silo.StartupProbe.PeriodSeconds * silo.StartupProbe.FailureThreshold >= 300);

        // Graceful shutdown: the pod outlives the silo's own shutdown deadline.
        var shutdown = TimeSpan.Parse(silo.Env.Single(e => e.Name == "Households__ShutdownTimeout").Value);
        Assert.True(pod.Spec.TerminationGracePeriodSeconds > shutdown.TotalSeconds + 10,
            $"grace {pod.Spec.TerminationGracePeriodSeconds} s vs shutdown {shutdown.TotalSeconds} s");

        // The selectors select the silo pods.
        Assert.True(Selects(deployment.Spec.Selector.MatchLabels, pod.Metadata.Labels));
        Assert.True(Selects(Single<V1PodDisruptionBudget>("pdb.yaml").Spec.Selector.MatchLabels, pod.Metadata.Labels));
        var service = Single<V1Service>("service.yaml");
        Assert.True(Selects(service.Spec.Selector, pod.Metadata.Labels));
        Assert.Equal("http", Assert.Single(service.Spec.Ports).TargetPort.Value);
        // One silo at a time leaves, and never below two of three.
        Assert.Equal("1", Single<V1PodDisruptionBudget>("pdb.yaml").Spec.MaxUnavailable.Value);
        Assert.True(deployment.Spec.Replicas >= 3);
    }

    [Fact]
    public void Memory_is_sized_from_the_benchmarked_figure_per_million_accounts()
    {
        var pod = Single<V1Deployment>("deployment.yaml").Spec.Template;
        var accounts = int.Parse(pod.Metadata.Annotations["households/accounts-per-silo"]);
        var resources = Assert.Single(pod.Spec.Containers).Resources;
        var request = resources.Requests["memory"].ToDecimal();
        var limit = resources.Limits["memory"].ToDecimal();
        // docs/benchmarks.md: ~11 GB resident per million accounts monitored at the settling peak.
        var needed = 11e9m * accounts / 1_000_000m;
        Assert.True(request >= needed, $"request {request:N0} B < {needed:N0} B for {accounts:N0} accounts");
        Assert.True(limit >= request * 1.25m, "no headroom between request and limit");
        Assert.Equal(2m, resources.Requests["cpu"].ToDecimal());
    }

    [Fact]
    public void Dockerfile_copies_every_project_and_embedded_file_the_silo_builds_from()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "deploy", "Dockerfile"));
        var copied = Regex.Matches(dockerfile, @"^COPY (?!--from)(.+) (\S+)$", RegexOptions.Multiline)
            .SelectMany(m => m.Groups[1].Value.Split(' ')).Select(p => p.TrimEnd('/')).ToHashSet();
        var projects = new HashSet<string>();
        void Walk(string project)
        {
            var full = Path.GetFullPath(project);
            if (!projects.Add(full)) return;
            var xml = XDocument.Load(full);
            foreach (var include in xml.Descendants("ProjectReference").Select(e => (string)e.Attribute("Include")!))
                Walk(Path.Combine(Path.GetDirectoryName(full)!, include));
            foreach (var include in xml.Descendants("EmbeddedResource").Select(e => (string)e.Attribute("Include")!))
            {
                var file = Relative(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, include)));
                Assert.True(copied.Any(c => file.StartsWith(c + "/", StringComparison.Ordinal) || file == c), $"{file} (embedded) is not copied");
            }
        }
        Walk(Path.Combine(Root, "silo", "Households.Silo.csproj"));
        Assert.Equal(7, projects.Count); // silo, grains, domain, simulation (the demo profile), persistence, auth, contracts
        foreach (var project in projects.Select(Relative))
        {
            Assert.Contains(project, copied);
            Assert.True(copied.Any(c => project.StartsWith(c + "/", StringComparison.Ordinal)), $"{project}'s sources are not copied");
        }
        Assert.Contains("Directory.Packages.props", copied);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Households.Silo.dll\"]", dockerfile);
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Households.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Households.sln not found above the test binaries");
    }
}
