using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Packages;

/// <summary>
/// The packages as a user gets them: a copy of the repository's sources (no bin/ or obj/)
/// packed with <c>dotnet pack NetGen.sln -c Release -o feed</c> into a folder that consumer
/// projects then restore from.
/// </summary>
/// <remarks>
/// The packages take a version of their own (<c>0.1.0-test.…</c>), so a consumer can only
/// restore them from this folder, never from a NetGen 0.1.0 left in the machine's global
/// packages folder by another run; those versions are deleted from it again afterwards.
/// </remarks>
public sealed class LocalFeed : IDisposable
{
    /// <summary>What <c>dotnet pack NetGen.sln</c> must write: the packages users install, and nothing else.</summary>
    public static readonly string[] PackageIds = { "NetGen", "NetGen.Cli", "NetGen.Gpu", "NetGen.Onnx" };

    private static readonly string[] Skipped = { "bin", "obj", ".git", "TestResults", "BenchmarkDotNet.Artifacts" };

    private readonly Lazy<PackResult> _pack;

    public LocalFeed()
    {
        Root = Directory.CreateTempSubdirectory("netgen-packages-").FullName;
        Folder = Path.Combine(Root, "feed");
        Version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        _pack = new Lazy<PackResult>(Pack);
    }

    /// <summary>The temporary folder of this run: the copied sources, the feed and the consumers.</summary>
    public string Root { get; }

    /// <summary>The folder the packages are written to, the consumers' package source.</summary>
    public string Folder { get; }

    /// <summary>The version every package of this run has.</summary>
    public string Version { get; }

    /// <summary>Packs (once, on first use) and returns what <c>dotnet pack</c> did.</summary>
    public PackResult Packed => _pack.Value;

    /// <summary>The repository: the nearest folder above the test assembly with NetGen.sln in it.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("No folder above " + AppContext.BaseDirectory + " has NetGen.sln.");
    }

    public void Dispose()
    {
        string global = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in PackageIds)
        {
            string restored = Path.Combine(global, id.ToLowerInvariant(), Version);
            if (Directory.Exists(restored))
            {
                Directory.Delete(restored, recursive: true);
            }
        }

        // NETGEN_KEEP_PACKAGE_TESTS=1 keeps the feed and the consumers to look at after a failure.
        if (Environment.GetEnvironmentVariable("NETGEN_KEEP_PACKAGE_TESTS") != "1")
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private PackResult Pack()
    {
        string sources = Path.Combine(Root, "repository");
        Copy(RepositoryRoot(), sources);
        var run = Command.Run(sources, "dotnet", "pack", "NetGen.sln", "-c", "Release", "-o", Folder, "-p:PackageVersion=" + Version);
        return new PackResult(run, Directory.Exists(Folder) ? Directory.GetFiles(Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()! : new List<string>());
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string dir in Directory.GetDirectories(from).Where(d => !Skipped.Contains(Path.GetFileName(d))))
        {
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}

/// <summary>What <c>dotnet pack</c> printed, and the files it wrote to the feed.</summary>
public sealed record PackResult(CommandResult Run, IReadOnlyList<string> Files);

[CollectionDefinition(nameof(LocalFeedCollection))]
public sealed class LocalFeedCollection : ICollectionFixture<LocalFeed>;
