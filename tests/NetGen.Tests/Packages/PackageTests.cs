using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Packages;

/// <summary>
/// NetGen as a user installs it: <c>dotnet pack NetGen.sln</c> into a local folder, and fresh
/// projects that restore the packages from it and nothing else, built, published (NativeAOT,
/// trimmed, self-contained .NET 8) and run, their outputs checked against the float64 reference.
/// </summary>
/// <remarks>
/// These run once per CI run (<c>Category=Packages</c>; the vector-width reruns skip them):
/// they test the packages and the SDK's handling of them, which no vector width changes.
/// </remarks>
[Collection(nameof(LocalFeedCollection))]
[Trait("Category", "Packages")]
public sealed class PackageTests(LocalFeed feed, ITestOutputHelper output)
{
    [Fact]
    public void Pack_writes_the_four_packages_and_nothing_else_without_a_warning()
    {
        var packed = feed.Packed;
        Assert.True(packed.Run.ExitCode == 0, packed.Run.Describe());
        Assert.True(packed.Run.Warnings.Count == 0, "dotnet pack warned:\n" + string.Join("\n", packed.Run.Warnings));
        Assert.Equal(LocalFeed.PackageIds.Select(id => $"{id}.{feed.Version}.nupkg").Order(StringComparer.Ordinal), packed.Files);
        foreach (string file in packed.Files)
        {
            output.WriteLine($"{file}: {new FileInfo(Path.Combine(feed.Folder, file)).Length / 1024.0:F0} KiB");
        }
    }

    [Fact]
    public void The_NetGen_package_has_the_runtime_for_each_framework_the_generator_for_Roslyn_4_3_the_build_files_and_a_readme()
    {
        using var package = ZipFile.OpenRead(Package("NetGen"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("lib/netstandard2.1/NetGen.Runtime.dll", entries);
        Assert.Contains("lib/net8.0/NetGen.Runtime.dll", entries);
        Assert.Contains("lib/net10.0/NetGen.Runtime.dll", entries);
        Assert.Contains("analyzers/dotnet/roslyn4.3/cs/NetGen.Generator.dll", entries);
        Assert.Contains("build/NetGen.targets", entries);
        Assert.Contains("buildTransitive/NetGen.targets", entries);
        Assert.Contains("README.md", entries);

        // The generator Unity's compiler (Roslyn 4.3) can load references no later Roslyn.
        using var stream = new MemoryStream();
        using (var generator = package.GetEntry("analyzers/dotnet/roslyn4.3/cs/NetGen.Generator.dll")!.Open())
        {
            generator.CopyTo(stream);
        }

        stream.Position = 0;
        using var reader = new PEReader(stream);
        var metadata = reader.GetMetadataReader();
        var roslyn = metadata.AssemblyReferences.Select(h => metadata.GetAssemblyReference(h))
            .Where(r => metadata.GetString(r.Name).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(roslyn);
        Assert.All(roslyn, r => Assert.True(r.Version <= new Version(4, 3, 0, 0), $"{metadata.GetString(r.Name)} {r.Version}"));

        foreach (string id in LocalFeed.PackageIds)
        {
            using var each = ZipFile.OpenRead(Package(id));
            var nuspec = each.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var text = new StreamReader(nuspec.Open());
            string xml = text.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", xml, StringComparison.Ordinal);
            Assert.Contains("<readme>README.md</readme>", xml, StringComparison.Ordinal);
            Assert.Contains("<description>", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<projectUrl>", xml, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_net10_project_with_every_network_form_restores_builds_and_agrees_with_the_reference()
    {
        var project = Consumer("net10");
        Build(project.Run("dotnet", "build", "-c", "Release", "-f", "net10.0"));
        project.Check(project.Run("dotnet", Path.Combine("bin", "Release", "net10.0", "Consumer.dll"), "inputs.txt"), "net10.0");
    }

    [Fact]
    public void A_net8_project_as_Godot_MonoGame_and_Stride_use_runs_self_contained_and_agrees_with_the_reference()
    {
        // This machine has only the .NET 10 runtime: .NET 8's comes from its runtime pack.
        var project = Consumer("net8");
        string published = Path.Combine(project.Folder, "out");
        Build(project.Run("dotnet", "publish", "-c", "Release", "-f", "net8.0", "-r", "linux-x64", "--self-contained", "-o", published));
        project.Check(project.Run(Path.Combine(published, "Consumer"), "inputs.txt"), "net8.0");
    }

    [Fact]
    public void A_NativeAOT_publish_has_no_warning_and_its_executable_agrees_with_the_reference()
    {
        var project = Consumer("aot");
        string published = Path.Combine(project.Folder, "out");
        Build(project.Run("dotnet", "publish", "-c", "Release", "-f", "net10.0", "-r", "linux-x64", "-p:PublishAot=true", "-o", published));
        string executable = Path.Combine(published, "Consumer");
        var run = project.Run(executable, "inputs.txt");
        project.Check(run, "NativeAOT");
        output.WriteLine($"NativeAOT executable: {new FileInfo(executable).Length / (1024.0 * 1024):F2} MiB; {project.Rows.Count} rows of 8 networks in {run.Elapsed.TotalMilliseconds:F0} ms, start-up included");
    }

    [Fact]
    public void A_trimmed_publish_has_no_warning_keeps_the_weight_files_and_agrees_with_the_reference()
    {
        var project = Consumer("trimmed");
        string published = Path.Combine(project.Folder, "out");
        Build(project.Run("dotnet", "publish", "-c", "Release", "-f", "net10.0", "-r", "linux-x64", "--self-contained", "-p:PublishTrimmed=true", "-o", published));
        project.Check(project.Run(Path.Combine(published, "Consumer"), "inputs.txt"), "trimmed");
    }

    [Fact]
    public void A_NetGen_Gpu_project_runs_its_sessions_on_ILGPUs_CPU_accelerator_and_agrees_with_the_reference()
    {
        var project = Consumer("gpu", gpu: true);
        Build(project.Run("dotnet", "build", "-c", "Release", "-f", "net10.0"));
        project.Check(project.Run("dotnet", Path.Combine("bin", "Release", "net10.0", "Consumer.dll"), "inputs.txt"), "NetGen.Gpu");
    }

    private ConsumerProject Consumer(string name, bool gpu = false)
    {
        Assert.True(feed.Packed.Run.ExitCode == 0, feed.Packed.Run.Describe());
        var project = ConsumerProject.Write(feed, name, gpu);
        Build(project.Run("dotnet", "tool", "restore"));
        return project;
    }

    private void Build(CommandResult run)
    {
        output.WriteLine($"{run.CommandLine}: {run.Elapsed.TotalSeconds:F0} s");
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.True(run.Warnings.Count == 0, $"`{run.CommandLine}` warned:\n" + string.Join("\n", run.Warnings));
    }

    private string Package(string id)
    {
        Assert.True(feed.Packed.Run.ExitCode == 0, feed.Packed.Run.Describe());
        return Path.Combine(feed.Folder, $"{id}.{feed.Version}.nupkg");
    }
}
