using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(sources, withGpu: true);

    /// <param name="sources">The C# sources.</param>
    /// <param name="withGpu">Whether to reference NetGen.Gpu (the test host has it), as a project that uses the GPU path would.</param>
    public static CSharpCompilation CreateCompilation(string[] sources, bool withGpu) =>
        CSharpCompilation.Create(
            "Networks" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            withGpu ? References.Value : References.Value.Where(r => Path.GetFileName(r.Display) != "NetGen.Gpu.dll"),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            files,
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; returns the compilation with the generated sources, and every diagnostic.</summary>
    public static GeneratorRun Run(string source, params (string Path, string Text)[] files) =>
        Run(new[] { source }, files);

    public static GeneratorRun Run(string[] sources, (string Path, string Text)[] files, bool withGpu = true)
    {
        CSharpCompilation compilation = CreateCompilation(sources, withGpu);
        GeneratorDriver driver = CreateDriver(files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(output, diagnostics, driver.GetRunResult());
    }

    /// <summary>Emits the compilation and loads it in a collectible context; fails with the compiler's errors if any.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            string errors = string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20));
            throw new InvalidOperationException("The generated code does not compile:" + Environment.NewLine + errors);
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
        return context.LoadFromStream(stream);
    }
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorRun(Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics, GeneratorDriverRunResult Result)
{
    public IEnumerable<GeneratedSourceResult> Sources => Result.Results.SelectMany(r => r.GeneratedSources);

    public string Source(string hintName) => Sources.Single(s => s.HintName == hintName).SourceText.ToString();

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

/// <summary>An AdditionalFiles item held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}
