using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator;

namespace NetGen.Unity.Host;

/// <summary>
/// <c>NetGen.Unity.Host folder</c>: compiles <c>folder/*.cs</c> with the descriptions
/// <c>folder/*.NetGen.Generator.additionalfile</c> as Unity's compiler would (NetGen's generator
/// in this Roslyn, C# 9, netstandard2.1, the plugins folder's assemblies as references), and
/// writes <c>folder/bin/Program.exe</c> with the plugins beside it, for Mono to run.
/// </summary>
/// <remarks>
/// Unity gives a generator only the additional files named <c>Name.[analyzer].additionalfile</c>
/// and no MSBuild properties, so none are given here. Exit code 0 when the generator reported
/// nothing and the compilation has no error; else 1, with every diagnostic printed.
/// </remarks>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 1 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: NetGen.Unity.Host <folder of *.cs and *.NetGen.Generator.additionalfile files>");
            return 2;
        }

        string folder = Path.GetFullPath(args[0]);
        string here = AppContext.BaseDirectory;
        string plugins = Path.Combine(here, "plugins");
        string bin = Path.Combine(folder, "bin");
        Directory.CreateDirectory(bin);
        Console.WriteLine($"# Roslyn {typeof(CSharpCompilation).Assembly.GetName().Version}, C# 9, netstandard2.1");

        var parse = new CSharpParseOptions(LanguageVersion.CSharp9);
        var sources = Directory.GetFiles(folder, "*.cs").OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), parse, p)).ToList();
        var plugged = Directory.GetFiles(plugins, "*.dll").OrderBy(p => p, StringComparer.Ordinal).ToList();
        var references = plugged.Prepend(Path.Combine(here, "reference", "netstandard.dll")).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "Program",
            sources,
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

        var files = Directory.GetFiles(folder, "*" + NetworkGenerator.UnitySuffix).OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (AdditionalText)new FileText(p)).ToImmutableArray();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, files, parse);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);

        string generated = Path.Combine(folder, "generated");
        Directory.CreateDirectory(generated);
        foreach (var source in driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources))
        {
            File.WriteAllText(Path.Combine(generated, source.HintName), source.SourceText.ToString());
        }

        var emitted = output.Emit(Path.Combine(bin, "Program.exe"));
        var problems = generatorDiagnostics.Concat(emitted.Diagnostics).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        foreach (var diagnostic in problems)
        {
            Console.Error.WriteLine(diagnostic.ToString());
        }

        if (!emitted.Success || problems.Count > 0)
        {
            return 1;
        }

        foreach (string plugin in plugged)
        {
            File.Copy(plugin, Path.Combine(bin, Path.GetFileName(plugin)), overwrite: true);
        }

        Console.WriteLine($"# {files.Length} descriptions, {driver.GetRunResult().GeneratedTrees.Length} generated files; wrote {Path.Combine(bin, "Program.exe")}");
        return 0;
    }

    private sealed class FileText : AdditionalText
    {
        public FileText(string path) => Path = path;

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(Path));
    }
}
