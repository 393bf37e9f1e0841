using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator;

namespace NetGen.Tests.Harness;

/// <summary>Runs the generator in memory on sources and AdditionalFiles, and compiles and loads what it writes.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.Length > 0)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    /// <summary>C# 9, what Unity compiles.</summary>
    public static readonly CSharpParseOptions UnityParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.CSharp9);

    /// <summary>netstandard.dll 2.1 and the runtime's netstandard2.1 build, as a Unity project references them.</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> UnityReferences = new(() =>
        new[] { Path.Combine(UnityHost.Folder, "reference", "netstandard.dll") }
            .Concat(Directory.GetFiles(Path.Combine(UnityHost.Folder, "plugins"), "*.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(sources, withGpu: true);

    /// <summary>A Unity project's compilation: C# 9 against netstandard2.1 and the runtime's netstandard2.1 build.</summary>
    public static CSharpCompilation CreateUnityCompilation(string[] sources) =>
        CSharpCompilation.Create(
            "Networks" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, UnityParseOptions, path: $"Source{i}.cs")),
            UnityReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

    /// <param name="sources">The C# sources.</param>
    /// <param name="withGpu">Whether to reference NetGen.Gpu (the test host has it), as a project that uses the GPU path would.</param>
    public static CSharpCompilation CreateCompilation(string[] sources, bool withGpu) =>
        CSharpCompilation.Create(
            "Networks" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            withGpu ? References.Value : References.Value.Where(r => Path.GetFileName(r.Display) != "NetGen.Gpu.dll"),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

    /// <param name="files">The AdditionalFiles items.</param>
    /// <param name="weightFiles">The weight files the build would pass (NetGenWeightFiles), as <see cref="WeightFileTable"/> writes them.</param>
    /// <param name="strategy">The NetGenStrategy property, if the project sets one.</param>
    /// <param name="parseOptions">The project's language version; C# 12 unless given.</param>
    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, string? weightFiles = null, string? strategy = null, CSharpParseOptions? parseOptions = null)
    {
        var properties = new Dictionary<string, string>();
        if (weightFiles is not null)
        {
            properties["build_property.NetGenWeightFiles"] = weightFiles;
        }

        if (strategy is not null)
        {
            properties["build_property.NetGenStrategy"] = strategy;
        }

        return CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            files,
            parseOptions ?? ParseOptions,
            new BuildOptions(properties),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>The NetGenWeightFiles property as NetGen.Runtime.targets writes it: <c>path|length|resource</c>, escaped, joined by commas.</summary>
    public static string WeightFileTable(params (string FullPath, long Length, string ResourceName)[] files) =>
        string.Join(",", files.Select(f => $"{Uri.EscapeDataString(f.FullPath)}|{f.Length}|{Uri.EscapeDataString(f.ResourceName)}"));

    /// <summary>Runs the generator once; returns the compilation with the generated sources, and every diagnostic.</summary>
    public static GeneratorRun Run(string source, params (string Path, string Text)[] files) =>
        Run(new[] { source }, files);

    /// <param name="unity">Compile as a Unity project does (<see cref="CreateUnityCompilation"/>) rather than as a .NET 10 one.</param>
    public static GeneratorRun Run(string[] sources, (string Path, string Text)[] files, bool withGpu = true, string? weightFiles = null, string? strategy = null, bool unity = false)
    {
        CSharpCompilation compilation = unity ? CreateUnityCompilation(sources) : CreateCompilation(sources, withGpu);
        GeneratorDriver driver = CreateDriver(files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)), weightFiles, strategy, unity ? UnityParseOptions : null);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(output, diagnostics, driver.GetRunResult());
    }

    /// <summary>Emits the compilation and loads it in a collectible context; fails with the compiler's errors if any.</summary>
    /// <param name="compilation">What to emit.</param>
    /// <param name="resources">Manifest resources to embed (weight files), by name.</param>
    public static Assembly Load(Compilation compilation, IReadOnlyDictionary<string, byte[]>? resources = null)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream, manifestResources: resources?.Select(r => new ResourceDescription(r.Key, () => new MemoryStream(r.Value), isPublic: true)));
        if (!result.Success)
        {
            string errors = string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20));
            throw new InvalidOperationException("The generated code does not compile:" + Environment.NewLine + errors);
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
        return context.LoadFromStream(stream);
    }

    /// <summary>As <see cref="Load"/>, but with the runtime's netstandard2.1 build (see <see cref="UnityRuntimeContext"/>).</summary>
    public static Assembly LoadWithUnityRuntime(Compilation compilation, IReadOnlyDictionary<string, byte[]>? resources = null)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream, manifestResources: resources?.Select(r => new ResourceDescription(r.Key, () => new MemoryStream(r.Value), isPublic: true)));
        if (!result.Success)
        {
            throw new InvalidOperationException("The generated code does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        }

        stream.Position = 0;
        var context = new UnityRuntimeContext();
        var runtime = context.LoadFromAssemblyName(new AssemblyName("NetGen.Runtime"));
        Xunit.Assert.Equal(".NETStandard,Version=v2.1", runtime.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()?.FrameworkName);
        return context.LoadFromStream(stream);
    }
}

/// <summary>
/// The Unity host (<c>tests/NetGen.Unity/Host</c>), built beside this assembly's configuration:
/// the generator in Roslyn 4.3.1, and the netstandard2.1 reference and plugins it compiles against.
/// </summary>
internal static class UnityHost
{
    /// <summary>tests/NetGen.Unity/Host/bin/{configuration}/net10.0.</summary>
    public static string Folder
    {
        get
        {
            string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            string folder = Path.Combine(Packages.LocalFeed.RepositoryRoot(), "tests", "NetGen.Unity", "Host", "bin", configuration, "net10.0");
            Xunit.Assert.True(File.Exists(Path.Combine(folder, "NetGen.Unity.Host.dll")), folder + " has no NetGen.Unity.Host.dll: build NetGen.sln.");
            return folder;
        }
    }

    /// <summary>The host's assembly, for <c>dotnet</c> to run.</summary>
    public static string Assembly => Path.Combine(Folder, "NetGen.Unity.Host.dll");
}

/// <summary>Loads compiled code with the runtime's netstandard2.1 build in place of the net10.0 one this process references.</summary>
internal sealed class UnityRuntimeContext() : AssemblyLoadContext("NetGen.Runtime netstandard2.1", isCollectible: true)
{
    private static readonly string Runtime = Path.Combine(UnityHost.Folder, "plugins", "NetGen.Runtime.dll");

    protected override Assembly? Load(AssemblyName name) =>
        name.Name == "NetGen.Runtime" ? LoadFromAssemblyPath(Runtime) : null;
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorRun(Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics, GeneratorDriverRunResult Result)
{
    public IEnumerable<GeneratedSourceResult> Sources => Result.Results.SelectMany(r => r.GeneratedSources);

    public string Source(string hintName) => Sources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>The plan the generator made for the class <paramref name="className"/> (its Plans step's output).</summary>
    internal NetGen.Generator.Lowering.NetworkPlan Plan(string className) =>
        Result.Results.Single().TrackedSteps[NetGen.Generator.TrackingNames.Plans]
            .SelectMany(step => step.Outputs)
            .Select(output => (NetGen.Generator.Model.PlanResult)output.Value)
            .Single(result => result.Target?.ClassName == className)
            .Plan!;

    /// <summary>Asserts that the run reported exactly one error, this one, starting at this place, and generated nothing.</summary>
    public void AssertSingleError(string id, string path, int line, int column, string message)
    {
        Diagnostic diagnostic = Xunit.Assert.Single(Diagnostics);
        Xunit.Assert.Equal(id, diagnostic.Id);
        Xunit.Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        FileLinePositionSpan position = diagnostic.Location.GetLineSpan();
        Xunit.Assert.Equal(path, position.Path);
        Xunit.Assert.Equal((line, column), (position.StartLinePosition.Line, position.StartLinePosition.Character));
        Xunit.Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Xunit.Assert.Empty(Sources);
    }

    /// <summary>Errors and warnings the compiler reports for the user code and the generated code together.</summary>
    public IEnumerable<Diagnostic> CompilerDiagnostics =>
        Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning);
}

/// <summary>The analyzer config options of a build: global properties only.</summary>
internal sealed class BuildOptions(Dictionary<string, string> properties) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(properties);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(new Dictionary<string, string>());

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}

/// <summary>An AdditionalFiles item held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}
